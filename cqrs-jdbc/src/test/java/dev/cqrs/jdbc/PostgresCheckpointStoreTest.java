package dev.cqrs.jdbc;

import dev.cqrs.core.CheckpointStore;
import dev.cqrs.test.contract.CheckpointStoreContract;

class PostgresCheckpointStoreTest extends CheckpointStoreContract {

  @Override
  protected CheckpointStore newStore() {
    return JdbcCheckpointStore.create(TestDatabases.postgres());
  }
}
