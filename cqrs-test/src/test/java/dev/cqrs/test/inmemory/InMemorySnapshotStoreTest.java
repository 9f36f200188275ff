package dev.cqrs.test.inmemory;

import dev.cqrs.core.SnapshotStore;
import dev.cqrs.inmemory.InMemorySnapshotStore;
import dev.cqrs.test.contract.SnapshotStoreContract;

class InMemorySnapshotStoreTest extends SnapshotStoreContract {

  @Override
  protected SnapshotStore newStore() {
    return InMemorySnapshotStore.create();
  }
}
