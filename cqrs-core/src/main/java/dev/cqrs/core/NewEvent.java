package dev.cqrs.core;

import java.util.Objects;
import java.util.UUID;

/**
 * An event about to be appended: its payload, the id that makes re-appending it idempotent, and its metadata.
 *
 * <p>Immutable, and thread-safe when the payload is.
 *
 * @param eventId the event's unique id; appending the same ids again returns the earlier result
 * @param payload the event
 * @param metadata the event's metadata; its message id is independent of {@code eventId}
 */
public record NewEvent(UUID eventId, Event payload, Metadata metadata) {

  /**
   * Validates that every part is present.
   *
   * @param eventId the event's unique id; appending the same ids again returns the earlier result
   * @param payload the event
   * @param metadata the event's metadata; its message id is independent of {@code eventId}
   * @throws NullPointerException if any part is null
   */
  public NewEvent {
    Objects.requireNonNull(eventId, "eventId must not be null");
    Objects.requireNonNull(payload, "event payload must not be null");
    Objects.requireNonNull(metadata, "metadata must not be null");
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
