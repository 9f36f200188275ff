package dev.cqrs.jdbc;

import dev.cqrs.core.SnapshotStore;
import dev.cqrs.jackson.JacksonSerializer;
import dev.cqrs.test.contract.SnapshotStoreContract;

class PostgresSnapshotStoreTest extends SnapshotStoreContract {

  @Override
  protected SnapshotStore newStore() {
    return JdbcSnapshotStore.create(TestDatabases.postgres(), JacksonSerializer.create());
  }
}
