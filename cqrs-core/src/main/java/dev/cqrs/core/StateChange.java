package dev.cqrs.core;

import java.util.List;
import java.util.Objects;

/**
 * What a state-stored command does: the entity's new state and the events it raised.
 *
 * <p>Immutable, and thread-safe when the state and events are.
 *
 * @param state the new state
 * @param events the raised events, possibly none
 * @param <S> the state type
 */
public record StateChange<S>(S state, List<? extends Event> events) {

  /**
   * Validates and copies.
   *
   * @param state the new state
   * @param events the raised events
   * @throws NullPointerException if the state, the list or an event is null
   */
  public StateChange {
    Objects.requireNonNull(state, "state must not be null");
    events = List.copyOf(events);
  }

  /**
   * Returns a change to a new state that raised the given events.
   *
   * @param state the new state
   * @param events the raised events
   * @param <S> the state type
   * @return the change
   */
  public static <S> StateChange<S> of(S state, Event... events) {
    return new StateChange<>(state, List.of(events));
  }
}
