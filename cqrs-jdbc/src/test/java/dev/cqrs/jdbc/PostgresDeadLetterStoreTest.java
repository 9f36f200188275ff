package dev.cqrs.jdbc;

import dev.cqrs.core.DeadLetterStore;
import dev.cqrs.test.contract.ContractEvents;
import dev.cqrs.test.contract.DeadLetterStoreContract;

class PostgresDeadLetterStoreTest extends DeadLetterStoreContract {

  @Override
  protected DeadLetterStore newStore() {
    return JdbcDeadLetterStore.create(TestDatabases.postgres(), TestDatabases.codec(ContractEvents.TYPES));
  }
}
