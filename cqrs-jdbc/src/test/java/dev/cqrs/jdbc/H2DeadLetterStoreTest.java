package dev.cqrs.jdbc;

import dev.cqrs.core.DeadLetterStore;
import dev.cqrs.test.contract.ContractEvents;
import dev.cqrs.test.contract.DeadLetterStoreContract;

class H2DeadLetterStoreTest extends DeadLetterStoreContract {

  @Override
  protected DeadLetterStore newStore() {
    return JdbcDeadLetterStore.create(TestDatabases.h2(), TestDatabases.codec(ContractEvents.TYPES));
  }
}
