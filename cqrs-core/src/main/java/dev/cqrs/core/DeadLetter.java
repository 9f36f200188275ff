package dev.cqrs.core;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An event that a processor's projection kept failing on, parked so that processing could go on. It can be listed,
 * retried once the handler is fixed, or discarded, through the {@link TrackingProcessor}.
 *
 * <p>Immutable, and thread-safe when the event's payload is.
 *
 * @param id the dead letter's id
 * @param processor the name of the processor that parked it
 * @param event the event
 * @param error the last failure, as {@code class: message}
 * @param attempts how many times applying it failed so far
 * @param parkedAt when it was first parked
 * @param lastFailedAt when applying it failed last
 */
public record DeadLetter(UUID id, String processor, RecordedEvent event, String error, int attempts,
                         Instant parkedAt, Instant lastFailedAt) {

  /**
   * Validates the parts.
   *
   * @param id the dead letter's id
   * @param processor the processor's name
   * @param event the event
   * @param error the last failure
   * @param attempts how many times applying it failed, 1 or more
   * @param parkedAt when it was first parked
   * @param lastFailedAt when applying it failed last
   * @throws NullPointerException if a part is null
   * @throws IllegalArgumentException if {@code attempts} is below 1
   */
  public DeadLetter {
    Objects.requireNonNull(id, "id must not be null");
    Objects.requireNonNull(processor, "processor must not be null");
    Objects.requireNonNull(event, "event must not be null");
    Objects.requireNonNull(error, "error must not be null");
    Objects.requireNonNull(parkedAt, "parkedAt must not be null");
    Objects.requireNonNull(lastFailedAt, "lastFailedAt must not be null");
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be 1 or more, but was " + attempts);
    }
  }

  /**
   * Returns the id a processor gives the dead letter of an event: the same whenever that processor parks that event
   * again (after a rolled-back or unacknowledged commit), so that parking is idempotent.
   *
   * @param processor the processor's name
   * @param eventId the event's id
   * @return a name-based (version 3) UUID of the two
   */
  public static UUID idFor(String processor, UUID eventId) {
    Objects.requireNonNull(processor, "processor must not be null");
    Objects.requireNonNull(eventId, "eventId must not be null");
    return UUID.nameUUIDFromBytes(("cqrs-dead-letter:" + processor + ":" + eventId)
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Describes a failure as {@code class: message}.
   *
   * @param failure the failure
   * @return the description
   */
  public static String describe(Throwable failure) {
    return failure.getClass().getName() + ": " + failure.getMessage();
  }

  /**
   * Returns this dead letter after one more failed attempt.
   *
   * @param failure the new failure
   * @param at when it failed
   * @return the updated dead letter
   */
  public DeadLetter failedAgain(Throwable failure, Instant at) {
    return new DeadLetter(id, processor, event, describe(failure), attempts + 1, parkedAt, at);
  }
}
