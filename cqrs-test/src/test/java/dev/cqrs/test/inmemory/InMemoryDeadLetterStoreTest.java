package dev.cqrs.test.inmemory;

import dev.cqrs.core.DeadLetterStore;
import dev.cqrs.inmemory.InMemoryDeadLetterStore;
import dev.cqrs.test.contract.DeadLetterStoreContract;

class InMemoryDeadLetterStoreTest extends DeadLetterStoreContract {

  @Override
  protected DeadLetterStore newStore() {
    return InMemoryDeadLetterStore.create();
  }
}
