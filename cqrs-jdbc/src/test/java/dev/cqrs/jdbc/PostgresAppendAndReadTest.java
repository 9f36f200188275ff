package dev.cqrs.jdbc;

import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventTypes;
import dev.cqrs.test.contract.AppendAndReadContract;

class PostgresAppendAndReadTest extends AppendAndReadContract {

  @Override
  protected EventStore newStore(EventTypes types) {
    return JdbcEventStore.create(TestDatabases.postgres(), TestDatabases.codec(types));
  }
}
