package dev.cqrs.jdbc;

import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventTypes;
import dev.cqrs.test.contract.AppendAndReadContract;

class H2AppendAndReadTest extends AppendAndReadContract {

  @Override
  protected EventStore newStore(EventTypes types) {
    return JdbcEventStore.create(TestDatabases.h2(), TestDatabases.codec(types));
  }
}
