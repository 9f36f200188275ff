package dev.cqrs.jdbc;

import dev.cqrs.core.CheckpointStore;
import dev.cqrs.test.contract.CheckpointStoreContract;

class H2CheckpointStoreTest extends CheckpointStoreContract {

  @Override
  protected CheckpointStore newStore() {
    return JdbcCheckpointStore.create(TestDatabases.h2());
  }
}
