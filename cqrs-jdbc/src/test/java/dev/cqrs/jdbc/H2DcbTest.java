package dev.cqrs.jdbc;

import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventTypes;
import dev.cqrs.test.contract.DcbContract;

class H2DcbTest extends DcbContract {

  @Override
  protected EventStore newStore(EventTypes types) {
    return JdbcEventStore.create(TestDatabases.h2(), TestDatabases.codec(types));
  }

  @Override
  protected EventStore sameEventsWithTypes(EventStore store, EventTypes types) {
    return JdbcEventStore.create(((JdbcEventStore) store).config(), TestDatabases.codec(types));
  }
}
