package dev.cqrs.jdbc;

import dev.cqrs.test.contract.MultiInstanceProcessorContract;

/** The processor contracts, with two instances, on PostgreSQL. */
class PostgresProcessorTest extends MultiInstanceProcessorContract {
  @Override
  protected Backend newBackend() {
    return new JdbcProcessorContractBackend(TestDatabases.postgres("contract_"));
  }
}
