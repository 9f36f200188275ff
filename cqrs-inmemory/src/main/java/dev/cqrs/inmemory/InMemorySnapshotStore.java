package dev.cqrs.inmemory;

import dev.cqrs.core.Snapshot;
import dev.cqrs.core.SnapshotStore;
import dev.cqrs.core.spi.EventStoreArguments;
import dev.cqrs.core.serialization.StateSerializer;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A thread-safe {@link SnapshotStore} in memory. {@link #create()} keeps the state objects themselves, so it suits
 * immutable states only; {@link #serializing} keeps each state as bytes and makes a fresh copy on every load, as a
 * database would, which mutable aggregates need.
 */
public final class InMemorySnapshotStore implements SnapshotStore {

  private final ConcurrentHashMap<String, Snapshot<?>> snapshots = new ConcurrentHashMap<>();
  private final StateSerializer serializer;

  private InMemorySnapshotStore(StateSerializer serializer) {
    this.serializer = serializer;
  }

  /**
   * Creates an empty store that keeps the state objects: for immutable states (records).
   *
   * @return the store
   */
  public static InMemorySnapshotStore create() {
    return new InMemorySnapshotStore(null);
  }

  /**
   * Creates an empty store that keeps each state as the bytes of a serializer, so that every load returns a copy:
   * for mutable states such as {@link dev.cqrs.core.AggregateRoot aggregates}.
   *
   * @param serializer turns states into bytes and back
   * @return the store
   */
  public static InMemorySnapshotStore serializing(StateSerializer serializer) {
    return new InMemorySnapshotStore(Objects.requireNonNull(serializer, "serializer must not be null"));
  }

  @Override
  public boolean keepsStateObjects() {
    return serializer == null;
  }

  @Override
  public <S> Optional<Snapshot<S>> load(String streamId, Class<S> stateType) {
    EventStoreArguments.checkStreamId(streamId);
    Objects.requireNonNull(stateType, "stateType must not be null");
    Snapshot<?> snapshot = snapshots.get(streamId);
    if (snapshot == null) {
      return Optional.empty();
    }
    Object state = snapshot.state();
    if (serializer != null) {
      state = serializer.deserializeState((byte[]) state, stateType);
    }
    if (!stateType.isInstance(state)) {
      return Optional.empty();
    }
    return Optional.of(new Snapshot<>(snapshot.streamId(), snapshot.version(), snapshot.stateRevision(),
        stateType.cast(state)));
  }

  @Override
  public void save(Snapshot<?> snapshot) {
    Objects.requireNonNull(snapshot, "snapshot must not be null");
    EventStoreArguments.checkStreamId(snapshot.streamId());
    Snapshot<?> kept = serializer == null ? snapshot : new Snapshot<>(snapshot.streamId(), snapshot.version(),
        snapshot.stateRevision(), serializer.serializeState(snapshot.state()));
    snapshots.merge(snapshot.streamId(), kept,
        (stored, offered) -> offered.version() >= stored.version() ? offered : stored);
  }

  @Override
  public void delete(String streamId) {
    snapshots.remove(EventStoreArguments.checkStreamId(streamId));
  }
}
