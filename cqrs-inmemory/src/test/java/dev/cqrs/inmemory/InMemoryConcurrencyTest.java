package dev.cqrs.inmemory;

import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventTypes;
import dev.cqrs.test.contract.ConcurrencyContract;

class InMemoryConcurrencyTest extends ConcurrencyContract {

  @Override
  protected EventStore newStore(EventTypes types) {
    return InMemoryEventStore.create(types);
  }
}
