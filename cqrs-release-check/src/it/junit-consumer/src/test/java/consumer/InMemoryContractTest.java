package consumer;

import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventTypes;
import dev.cqrs.inmemory.InMemoryEventStore;
import dev.cqrs.test.contract.AppendAndReadContract;

/** The test kit's contract suite, run by this consumer's JUnit against the in-memory store. */
class InMemoryContractTest extends AppendAndReadContract {
  @Override
  protected EventStore newStore(EventTypes types) {
    return InMemoryEventStore.create(types);
  }
}
