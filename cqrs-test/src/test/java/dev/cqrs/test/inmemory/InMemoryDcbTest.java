package dev.cqrs.test.inmemory;

import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventTypes;
import dev.cqrs.inmemory.InMemoryEventStore;
import dev.cqrs.test.contract.DcbContract;

class InMemoryDcbTest extends DcbContract {

  @Override
  protected EventStore newStore(EventTypes types) {
    return InMemoryEventStore.create(types);
  }

  @Override
  protected EventStore sameEventsWithTypes(EventStore store, EventTypes types) {
    return ((InMemoryEventStore) store).withTypes(types);
  }
}
