package dev.cqrs.core;

import java.util.List;
import java.util.Optional;

/**
 * Stores the current state of each entity of a state-stored write model and appends the events its commands raised in
 * the same unit of work, so that read models follow a state-stored model just as they follow an event-sourced one.
 * Backends: {@code cqrs-inmemory} (under one lock per entity), {@code cqrs-jdbc} (in one database transaction).
 * Implementations must be thread-safe.
 *
 * @param <S> the state type; keep it immutable
 */
public interface StateStoredRepository<S> {

  /**
   * Loads an entity's state.
   *
   * @param id the entity's id
   * @return the state and its version, or empty when the entity was never saved
   */
  Optional<StoredState<S>> load(String id);

  /**
   * Saves an entity's new state and appends its new events to the stream named by its id, atomically: both or
   * neither.
   *
   * @param id the entity's id
   * @param expectedVersion the version that was loaded, 0 for a new entity
   * @param state the new state
   * @param events the events the change raised, possibly none
   * @return the append of the events, or empty when there were none
   * @throws ConcurrencyConflictException if the stored version is not {@code expectedVersion}
   */
  Optional<AppendResult> save(String id, long expectedVersion, S state, List<NewEvent> events);
}
