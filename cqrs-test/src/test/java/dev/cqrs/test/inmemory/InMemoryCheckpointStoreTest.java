package dev.cqrs.test.inmemory;

import dev.cqrs.core.CheckpointStore;
import dev.cqrs.inmemory.InMemoryCheckpointStore;
import dev.cqrs.test.contract.CheckpointStoreContract;

class InMemoryCheckpointStoreTest extends CheckpointStoreContract {

  @Override
  protected CheckpointStore newStore() {
    return InMemoryCheckpointStore.create();
  }
}
