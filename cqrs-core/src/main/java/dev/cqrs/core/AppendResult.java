package dev.cqrs.core;

import java.util.List;
import java.util.Objects;

/**
 * What an append stored: the recorded events, in order, with their versions and positions.
 *
 * <p>Immutable, and thread-safe when the payloads are.
 *
 * @param streamId the stream appended to
 * @param events the recorded events of this append, never empty
 * @param repeated {@code true} when the append repeated events that were stored already (the same event ids), so
 *     that this is the earlier result and nothing new was stored
 */
public record AppendResult(String streamId, List<RecordedEvent> events, boolean repeated) {

  /**
   * Validates and copies the events.
   *
   * @param streamId the stream appended to
   * @param events the recorded events of this append, never empty
   * @param repeated whether the append was an exact repeat of stored events
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if there are no events
   */
  public AppendResult {
    Objects.requireNonNull(streamId, "streamId must not be null");
    events = List.copyOf(events);
    if (events.isEmpty()) {
      throw new IllegalArgumentException("an append result holds at least one event");
    }
  }

  /**
   * Describes an append that stored new events.
   *
   * @param streamId the stream appended to
   * @param events the recorded events, never empty
   */
  public AppendResult(String streamId, List<RecordedEvent> events) {
    this(streamId, events, false);
  }

  /**
   * Returns the stream's version after this append; use it as the next {@link ExpectedVersion#exactly(long)}.
   *
   * @return the version of the last event appended
   */
  public long lastVersion() {
    return events.get(events.size() - 1).version();
  }

  /**
   * Returns the global position of the last event appended, for readers that want to wait until they have seen it.
   *
   * @return the last event's position
   */
  public Position lastPosition() {
    return events.get(events.size() - 1).position();
  }
}
