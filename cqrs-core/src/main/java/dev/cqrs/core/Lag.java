package dev.cqrs.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How far a {@link TrackingProcessor} is behind the head of the store.
 *
 * <p>Immutable and thread-safe.
 *
 * @param events how many events it has yet to process
 * @param behind how long ago the oldest of them was recorded; zero when it has caught up
 */
public record Lag(long events, Duration behind) {

  /**
   * Validates the parts.
   *
   * @param events how many events are left, 0 or more
   * @param behind how old the oldest of them is
   */
  public Lag {
    Objects.requireNonNull(behind, "behind must not be null");
    if (events < 0) {
      throw new IllegalArgumentException("events must be 0 or more, but was " + events);
    }
  }

  /**
   * Tells whether the processor has caught up.
   *
   * @return {@code true} when no event is left
   */
  public boolean isCaughtUp() {
    return events == 0;
  }
}
