package dev.cqrs.jdbc;

import dev.cqrs.test.contract.MultiInstanceProcessorContract;

/** The processor contracts, with two instances, on H2. */
class H2ProcessorTest extends MultiInstanceProcessorContract {
  @Override
  protected Backend newBackend() {
    return new JdbcProcessorContractBackend(TestDatabases.h2());
  }
}
