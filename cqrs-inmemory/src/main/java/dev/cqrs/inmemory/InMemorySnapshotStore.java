package dev.cqrs.inmemory;

import dev.cqrs.core.Snapshot;
import dev.cqrs.core.SnapshotStore;
import dev.cqrs.core.spi.EventStoreArguments;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A thread-safe {@link SnapshotStore} in memory. It keeps the state objects themselves, so snapshot only immutable
 * states.
 */
public final class InMemorySnapshotStore implements SnapshotStore {

  private final ConcurrentHashMap<String, Snapshot<?>> snapshots = new ConcurrentHashMap<>();

  private InMemorySnapshotStore() {
  }

  /**
   * Creates an empty store.
   *
   * @return the store
   */
  public static InMemorySnapshotStore create() {
    return new InMemorySnapshotStore();
  }

  @Override
  public <S> Optional<Snapshot<S>> load(String streamId, Class<S> stateType) {
    EventStoreArguments.checkStreamId(streamId);
    Objects.requireNonNull(stateType, "stateType must not be null");
    Snapshot<?> snapshot = snapshots.get(streamId);
    if (snapshot == null || !stateType.isInstance(snapshot.state())) {
      return Optional.empty();
    }
    return Optional.of(new Snapshot<>(snapshot.streamId(), snapshot.version(), snapshot.stateRevision(),
        stateType.cast(snapshot.state())));
  }

  @Override
  public void save(Snapshot<?> snapshot) {
    Objects.requireNonNull(snapshot, "snapshot must not be null");
    EventStoreArguments.checkStreamId(snapshot.streamId());
    snapshots.merge(snapshot.streamId(), snapshot,
        (stored, offered) -> offered.version() >= stored.version() ? offered : stored);
  }

  @Override
  public void delete(String streamId) {
    snapshots.remove(EventStoreArguments.checkStreamId(streamId));
  }
}
