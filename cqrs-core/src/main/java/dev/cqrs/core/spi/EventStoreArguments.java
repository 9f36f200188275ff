package dev.cqrs.core.spi;

import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.internal.Text;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * The argument checks of {@link EventStore}, shared by every backend so that bad input gets the same clear message
 * everywhere and is rejected before anything is written. Stateless and thread-safe.
 */
public final class EventStoreArguments {

  private EventStoreArguments() {
  }

  /**
   * Checks a stream id: not null, not blank, at most {@value EventStore#MAX_STREAM_ID_LENGTH} characters, and free of
   * control characters.
   *
   * @param streamId the stream id
   * @return the stream id
   * @throws NullPointerException if it is null
   * @throws IllegalArgumentException if it is blank, too long or holds control characters
   */
  public static String checkStreamId(String streamId) {
    Objects.requireNonNull(streamId, "streamId must not be null");
    if (streamId.isBlank()) {
      throw new IllegalArgumentException("streamId must not be blank, but was '" + streamId + "'");
    }
    if (streamId.length() > EventStore.MAX_STREAM_ID_LENGTH) {
      throw new IllegalArgumentException("streamId must be at most " + EventStore.MAX_STREAM_ID_LENGTH
          + " characters, but was " + streamId.length() + " characters, starting '" + streamId.substring(0, 40)
          + "'");
    }
    for (int i = 0; i < streamId.length(); i++) {
      if (Character.isISOControl(streamId.charAt(i))) {
        throw new IllegalArgumentException("streamId must not hold control characters, but has one at index " + i
            + " in '" + Text.printable(streamId) + "'");
      }
    }
    int surrogate = Text.unpairedSurrogateAt(streamId);
    if (surrogate >= 0) {
      throw new IllegalArgumentException("streamId must not hold an unpaired surrogate (half of a UTF-16 character,"
          + " which databases store as '?'), but has one at index " + surrogate + " in '" + Text.printable(streamId)
          + "'");
    }
    return streamId;
  }

  /**
   * Checks the arguments of an append: the stream id, the expected version, and the events (at least one, none null,
   * distinct ids).
   *
   * @param streamId the stream id
   * @param expectedVersion the expected version
   * @param events the events
   * @return an immutable copy of the events, safe from later changes by the caller
   * @throws NullPointerException if an argument or an element is null
   * @throws IllegalArgumentException if the stream id is invalid, the list is empty, or an event id repeats
   */
  public static List<NewEvent> checkAppend(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events) {
    checkStreamId(streamId);
    Objects.requireNonNull(expectedVersion, "expectedVersion must not be null");
    Objects.requireNonNull(events, "events must not be null");
    if (events.isEmpty()) {
      throw new IllegalArgumentException("append to stream '" + streamId + "' must carry at least one event");
    }
    Set<UUID> ids = events.size() == 1 ? Set.of() : new HashSet<>();
    for (int i = 0; i < events.size(); i++) {
      NewEvent event = events.get(i);
      if (event == null) {
        throw new NullPointerException("event " + i + " of the append to stream '" + streamId + "' is null");
      }
      if (events.size() > 1 && !ids.add(event.eventId())) {
        throw new IllegalArgumentException("event " + i + " of the append to stream '" + streamId
            + "' repeats event id " + event.eventId() + " of an earlier event in the same append");
      }
    }
    return List.copyOf(events);
  }

  /**
   * Checks the arguments of an append like {@link #checkAppend(String, ExpectedVersion, List)} and adds to each event
   * the tags its type's tag function derives ({@link EventTypes#tagsOf}).
   *
   * @param streamId the stream id
   * @param expectedVersion the expected version
   * @param events the events
   * @param types the store's registry
   * @return an immutable copy of the events, with the derived tags
   * @throws NullPointerException if an argument or an element is null, or a tag function returns null
   * @throws IllegalArgumentException if the stream id is invalid, the list is empty, an event id repeats, or a tag
   *     function returns a malformed tag (the message names the event and its type)
   * @throws dev.cqrs.core.UnknownEventTypeException if an event's class is not registered
   */
  public static List<NewEvent> checkAppend(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events,
                                           EventTypes types) {
    List<NewEvent> checked = checkAppend(streamId, expectedVersion, events);
    Objects.requireNonNull(types, "types must not be null");
    if (!types.hasTagFunctions()) {
      return checked;
    }
    NewEvent[] tagged = checked.toArray(NewEvent[]::new);
    for (int i = 0; i < tagged.length; i++) {
      Set<String> derived;
      try {
        derived = types.tagsOf(tagged[i].payload());
      } catch (IllegalArgumentException | NullPointerException e) {
        String where = "event " + i + " (" + tagged[i].eventId() + ") of the append to stream '" + streamId + "': ";
        throw e instanceof NullPointerException ? new NullPointerException(where + e.getMessage())
            : new IllegalArgumentException(where + e.getMessage(), e);
      }
      if (!derived.isEmpty()) {
        tagged[i] = tagged[i].withTags(derived.toArray(String[]::new));
      }
    }
    return List.of(tagged);
  }

  /**
   * Checks the arguments of {@link EventStore#readStream(String, long)}.
   *
   * @param streamId the stream id
   * @param fromVersion the first version to read
   * @throws IllegalArgumentException if the stream id is invalid or {@code fromVersion} is below 1
   */
  public static void checkReadStream(String streamId, long fromVersion) {
    checkStreamId(streamId);
    if (fromVersion < 1) {
      throw new IllegalArgumentException("fromVersion of the read of stream '" + streamId
          + "' must be 1 or more, but was " + fromVersion);
    }
  }

  /**
   * Checks the arguments of {@link EventStore#readAll(Position, int)}.
   *
   * @param after the position to read after
   * @param limit the most events to return
   * @throws NullPointerException if {@code after} is null
   * @throws IllegalArgumentException if {@code limit} is not between 1 and {@value EventStore#MAX_READ_LIMIT}
   */
  public static void checkReadAll(Position after, int limit) {
    Objects.requireNonNull(after, "after must not be null; use Position.START to read from the beginning");
    if (limit < 1 || limit > EventStore.MAX_READ_LIMIT) {
      throw new IllegalArgumentException(
          "limit must be between 1 and " + EventStore.MAX_READ_LIMIT + ", but was " + limit);
    }
  }
}
