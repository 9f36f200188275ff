package dev.cqrs.core;

import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;

/**
 * An event about to be appended: its payload, the id that makes re-appending it idempotent, its metadata, and the tags
 * that {@linkplain EventQuery queries} and {@linkplain AppendCondition append conditions} select it by.
 *
 * <p>Immutable, and thread-safe when the payload is.
 *
 * @param eventId the event's unique id; appending the same ids again returns the earlier result
 * @param payload the event
 * @param metadata the event's metadata; its message id is independent of {@code eventId}
 * @param tags the event's tags, for example {@code "course:c1"}, sorted; each 1 to {@value #MAX_TAG_LENGTH}
 *     characters, without NUL characters or unpaired surrogates
 */
public record NewEvent(UUID eventId, Event payload, Metadata metadata, Set<String> tags) {

  /** The longest tag, in characters. */
  public static final int MAX_TAG_LENGTH = 200;

  /**
   * Validates that every part is present and every tag is well formed, and keeps the tags sorted.
   *
   * @param eventId the event's unique id; appending the same ids again returns the earlier result
   * @param payload the event
   * @param metadata the event's metadata; its message id is independent of {@code eventId}
   * @param tags the event's tags
   * @throws NullPointerException if any part or tag is null
   * @throws IllegalArgumentException if a tag is empty, too long, or holds a NUL character or an unpaired surrogate
   */
  public NewEvent {
    Objects.requireNonNull(eventId, "eventId must not be null");
    Objects.requireNonNull(payload, "event payload must not be null");
    Objects.requireNonNull(metadata, "metadata must not be null");
    tags = checkTags(tags, "of event " + eventId);
  }

  /**
   * An event without tags.
   *
   * @param eventId the event's unique id; appending the same ids again returns the earlier result
   * @param payload the event
   * @param metadata the event's metadata; its message id is independent of {@code eventId}
   * @throws NullPointerException if any part is null
   */
  public NewEvent(UUID eventId, Event payload, Metadata metadata) {
    this(eventId, payload, metadata, Set.of());
  }

  /**
   * Returns this event with more tags.
   *
   * @param more the tags to add
   * @return the tagged event
   * @throws IllegalArgumentException if a tag is malformed (see {@link #tags()})
   */
  public NewEvent withTags(String... more) {
    Objects.requireNonNull(more, "tags must not be null");
    SortedSet<String> all = new TreeSet<>(tags);
    for (String tag : more) {
      all.add(Objects.requireNonNull(tag, "a tag of event " + eventId + " is null"));
    }
    return new NewEvent(eventId, payload, metadata, all);
  }

  /**
   * Checks tags and returns them as an unmodifiable sorted set.
   *
   * @param tags the tags
   * @param where what they belong to, for the message
   * @return the tags, sorted and unmodifiable
   * @throws NullPointerException if the set or a tag is null
   * @throws IllegalArgumentException if a tag is malformed
   */
  public static Set<String> checkTags(Set<String> tags, String where) {
    Objects.requireNonNull(tags, "tags " + where + " must not be null");
    SortedSet<String> sorted = new TreeSet<>();
    for (String tag : tags) {
      Objects.requireNonNull(tag, "a tag " + where + " is null");
      if (tag.isEmpty() || tag.length() > MAX_TAG_LENGTH) {
        throw new IllegalArgumentException("tag '" + tag + "' " + where + " must have 1 to " + MAX_TAG_LENGTH
            + " characters, but has " + tag.length());
      }
      for (int i = 0; i < tag.length(); i++) {
        char c = tag.charAt(i);
        if (c == '\0') {
          throw new IllegalArgumentException("tag " + where + " holds a NUL character at index " + i);
        }
        if (Character.isHighSurrogate(c) && (i + 1 == tag.length() || !Character.isLowSurrogate(tag.charAt(i + 1)))
            || Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(tag.charAt(i - 1)))) {
          throw new IllegalArgumentException("tag " + where + " holds an unpaired surrogate at index " + i);
        }
      }
      sorted.add(tag);
    }
    return Collections.unmodifiableSortedSet(sorted);
  }

  /**
   * Wraps an event that starts its own chain, with a random id and fresh metadata.
   *
   * @param payload the event
   * @return the new event
   */
  public static NewEvent of(Event payload) {
    Metadata metadata = Metadata.create();
    return new NewEvent(metadata.messageId(), payload, metadata);
  }

  /**
   * Wraps an event with the given metadata, using its message id as event id.
   *
   * @param payload the event
   * @param metadata the metadata, for example {@link Metadata#causedBy(Metadata)} of a command
   * @return the new event
   */
  public static NewEvent of(Event payload, Metadata metadata) {
    Objects.requireNonNull(metadata, "metadata must not be null");
    return new NewEvent(metadata.messageId(), payload, metadata);
  }
}
