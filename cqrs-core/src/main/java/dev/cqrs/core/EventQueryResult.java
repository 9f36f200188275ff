package dev.cqrs.core;

import java.util.List;
import java.util.Objects;

/**
 * What a {@linkplain EventStore#read(EventQuery, Position) read by query} found: the matching events in global order,
 * and the position the read is complete up to, which an {@link AppendCondition} takes as its {@code after}.
 *
 * <p>Immutable, and thread-safe when the payloads are.
 *
 * @param events the matching events, in global order
 * @param readTo every event at or before this position was considered; an event appended later lands after it
 */
public record EventQueryResult(List<RecordedEvent> events, Position readTo) {

  /**
   * Validates the parts.
   *
   * @param events the events
   * @param readTo the position read to
   * @throws NullPointerException if a part is null
   */
  public EventQueryResult {
    events = List.copyOf(Objects.requireNonNull(events, "events must not be null"));
    Objects.requireNonNull(readTo, "readTo must not be null");
  }
}
