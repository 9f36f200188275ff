package dev.cqrs.micrometer.internal;

import dev.cqrs.core.AppendResult;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.EventFeed;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.Registration;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/** An event store whose appends are observed; every other call goes to the store unchanged. Thread-safe. */
public final class ObservedEventStore implements EventStore {

  private final EventStore store;
  private final ObservationRegistry registry;
  private final DirectTimers direct;
  private final Counter appended;

  /**
   * Wraps a store.
   *
   * @param store the store
   * @param registry where observations go, or null to record timers directly
   * @param direct the timers to record directly, or null to observe
   * @param meters where the event counter goes
   */
  public ObservedEventStore(EventStore store, ObservationRegistry registry, DirectTimers direct,
                            MeterRegistry meters) {
    this.store = store;
    this.registry = registry;
    this.direct = direct;
    this.appended = Counter.builder("cqrs.append.events").description("events stored by appends").register(meters);
  }

  @Override
  public AppendResult append(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events) {
    Supplier<AppendResult> work = () -> {
      AppendResult result = store.append(streamId, expectedVersion, events);
      if (!result.repeated()) {
        appended.increment(result.events().size());
      }
      return result;
    };
    if (direct != null) {
      return Measured.timed(direct, "cqrs.append", null, null, null, work, ObservedEventStore::outcome,
          ObservedEventStore::outcome);
    }
    Observation observation = Observation.createNotStarted("cqrs.append", registry).contextualName("append").start();
    return Measured.observed(observation, work, ObservedEventStore::outcome, ObservedEventStore::outcome);
  }

  private static String outcome(AppendResult result) {
    return result.repeated() ? "repeated" : "success";
  }

  private static String outcome(Throwable failure) {
    return failure instanceof ConcurrencyConflictException ? "conflict" : "error";
  }

  @Override
  public List<RecordedEvent> readStream(String streamId, long fromVersion) {
    return store.readStream(streamId, fromVersion);
  }

  @Override
  public Optional<RecordedEvent> readEvent(UUID eventId) {
    return store.readEvent(eventId);
  }

  @Override
  public List<RecordedEvent> readAll(Position after, int limit) {
    return store.readAll(after, limit);
  }

  @Override
  public EventFeed openFeed(Position after, int batchSize) {
    return store.openFeed(after, batchSize);
  }

  @Override
  public Position head() {
    return store.head();
  }

  @Override
  public long countAfter(Position after) {
    return store.countAfter(after);
  }

  @Override
  public Registration onAppend(Runnable listener) {
    return store.onAppend(listener);
  }

  @Override
  public void close() {
    store.close();
  }

  @Override
  public String toString() {
    return "observed " + store;
  }
}
