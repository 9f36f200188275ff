package dev.cqrs.core;

import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * An event as stored: where it is (stream, version, global position), what it is (type and payload) and its metadata.
 *
 * <p>Immutable, and thread-safe when the payload is.
 *
 * @param streamId the stream the event belongs to
 * @param version the event's version in its stream, from 1 without holes
 * @param position the event's place in the global order
 * @param eventId the event's unique id
 * @param type the stored type name and the revision the payload now has (after upcasting)
 * @param payload the event
 * @param metadata the event's metadata
 * @param tags the event's tags, sorted
 */
public record RecordedEvent(String streamId, long version, Position position, UUID eventId, EventType type,
                            Event payload, Metadata metadata, Set<String> tags) {

  /**
   * Validates that every part is present and the version is 1 or more.
   *
   * @param streamId the stream the event belongs to
   * @param version the event's version in its stream, from 1 without holes
   * @param position the event's place in the global order
   * @param eventId the event's unique id
   * @param type the stored type name and the revision the payload now has (after upcasting)
   * @param payload the event
   * @param metadata the event's metadata
   * @param tags the event's tags
   * @throws NullPointerException if any part is null
   * @throws IllegalArgumentException if the version is below 1 or a tag is malformed
   */
  public RecordedEvent {
    Objects.requireNonNull(streamId, "streamId must not be null");
    Objects.requireNonNull(position, "position must not be null");
    Objects.requireNonNull(eventId, "eventId must not be null");
    Objects.requireNonNull(type, "type must not be null");
    Objects.requireNonNull(payload, "payload must not be null");
    Objects.requireNonNull(metadata, "metadata must not be null");
    if (version < 1) {
      throw new IllegalArgumentException("version must be 1 or more, but was " + version);
    }
    tags = NewEvent.checkTags(tags, "of event " + eventId);
  }

  /**
   * A recorded event without tags.
   *
   * @param streamId the stream the event belongs to
   * @param version the event's version in its stream, from 1 without holes
   * @param position the event's place in the global order
   * @param eventId the event's unique id
   * @param type the stored type name and the revision the payload now has (after upcasting)
   * @param payload the event
   * @param metadata the event's metadata
   * @throws NullPointerException if any part is null
   * @throws IllegalArgumentException if the version is below 1
   */
  public RecordedEvent(String streamId, long version, Position position, UUID eventId, EventType type,
                       Event payload, Metadata metadata) {
    this(streamId, version, position, eventId, type, payload, metadata, Set.of());
  }

  /**
   * Returns the payload cast to the given type, for handlers that know what they read.
   *
   * @param type the expected payload class
   * @param <E> the payload type
   * @return the payload
   * @throws ClassCastException if the payload is of another class
   */
  public <E extends Event> E payloadAs(Class<E> type) {
    return type.cast(payload);
  }

  /**
   * Returns a short description naming the stream, version, position, type and id.
   *
   * @return a readable form without the payload
   */
  @Override
  public String toString() {
    return "RecordedEvent[" + streamId + "@" + version + ", position " + position + ", " + type + ", id " + eventId
        + ", " + payload + "]";
  }
}
