package dev.cqrs.test.inmemory;

import dev.cqrs.core.DeadLetterStore;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.Projection;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.inmemory.InMemoryCheckpointStore;
import dev.cqrs.inmemory.InMemoryDeadLetterStore;
import dev.cqrs.inmemory.InMemoryEventStore;
import dev.cqrs.test.contract.ContractEvents;
import dev.cqrs.test.contract.ProcessorContract;

/** The processor contract on the in-memory backend: one instance per processor (it has no leases). */
class InMemoryProcessorTest extends ProcessorContract {

  @Override
  protected Backend newBackend() {
    InMemoryEventStore store = InMemoryEventStore.create(ContractEvents.TYPES);
    InMemoryCheckpointStore checkpoints = InMemoryCheckpointStore.create();
    InMemoryDeadLetterStore deadLetters = InMemoryDeadLetterStore.create();
    return new Backend() {
      @Override
      public EventStore store() {
        return store;
      }

      @Override
      public TrackingProcessor.Builder processor(String name, String instance, Projection projection) {
        return TrackingProcessor.builder(name, store, projection, checkpoints);
      }

      @Override
      public DeadLetterStore deadLetters() {
        return deadLetters;
      }

      @Override
      public void close() {
      }
    };
  }
}
