package dev.cqrs.core;

import java.util.Optional;

/**
 * Keeps the latest {@link Snapshot} of each stream. Implemented by backends ({@code cqrs-inmemory}, {@code cqrs-jdbc})
 * and checked by the snapshot store contract suite in {@code cqrs-test}. Implementations must be thread-safe.
 */
public interface SnapshotStore {

  /**
   * Returns the latest snapshot of a stream, if any.
   *
   * @param streamId the stream
   * @param stateType the class of the state, for stores that deserialize it
   * @param <S> the state type
   * @return the snapshot, or empty when none was saved
   */
  <S> Optional<Snapshot<S>> load(String streamId, Class<S> stateType);

  /**
   * Saves a snapshot, replacing an older one of the same stream. A snapshot at a lower version than the stored one is
   * ignored, so that a slow writer cannot replace a newer snapshot.
   *
   * @param snapshot the snapshot
   */
  void save(Snapshot<?> snapshot);

  /**
   * Tells whether {@link #load} hands out the very state objects that were saved (an in-memory store without a
   * serializer). Such a store is safe for immutable states only; the handlers of mutable aggregates refuse it.
   *
   * @return {@code true} when states are kept as objects; {@code false} (the default) when each load makes a copy
   */
  default boolean keepsStateObjects() {
    return false;
  }

  /**
   * Deletes the snapshot of a stream, if any.
   *
   * @param streamId the stream
   */
  void delete(String streamId);
}
