package dev.cqrs.jdbc;

import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventTypes;
import dev.cqrs.test.contract.AtomicityAndIdempotencyContract;

class PostgresAtomicityAndIdempotencyTest extends AtomicityAndIdempotencyContract {

  @Override
  protected EventStore newStore(EventTypes types) {
    return JdbcEventStore.create(TestDatabases.postgres(), TestDatabases.codec(types));
  }
}
