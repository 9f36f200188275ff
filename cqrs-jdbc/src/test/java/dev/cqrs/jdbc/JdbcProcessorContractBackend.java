package dev.cqrs.jdbc;

import dev.cqrs.core.DeadLetterStore;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.Projection;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.test.contract.ContractEvents;
import dev.cqrs.test.contract.ProcessorContract;
import java.time.Duration;

/** The processor contracts' backend on JDBC: leased processors, each instance with a lease of its own name. */
final class JdbcProcessorContractBackend implements ProcessorContract.Backend {

  private final JdbcConfig config;
  private final JdbcEventStore store;
  private final JdbcDeadLetterStore deadLetters;

  JdbcProcessorContractBackend(JdbcConfig config) {
    this.config = config;
    this.store = JdbcEventStore.create(config, TestDatabases.codec(ContractEvents.TYPES));
    this.deadLetters = JdbcDeadLetterStore.create(config, TestDatabases.codec(ContractEvents.TYPES));
  }

  @Override
  public EventStore store() {
    return store;
  }

  @Override
  public TrackingProcessor.Builder processor(String name, String instance, Projection projection) {
    return JdbcProcessors.leased(config, name, store, projection, instance, Duration.ofSeconds(2));
  }

  @Override
  public DeadLetterStore deadLetters() {
    return deadLetters;
  }

  @Override
  public void close() {
    store.close();
  }
}
