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

/** An event store whose appends are observed; every other call goes to the store unchanged. Thread-safe. */
@SuppressWarnings("try") // the scope is opened for what the store calls, not read in the body
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
    if (direct != null) {
      return appendTimed(streamId, expectedVersion, events);
    }
    Observation observation = Observation.createNotStarted("cqrs.append", registry)
        .contextualName("append")
        .start();
    try (Observation.Scope scope = observation.openScope()) {
      AppendResult result = store.append(streamId, expectedVersion, events);
      observation.lowCardinalityKeyValue("outcome", result.repeated() ? "repeated" : "success");
      if (!result.repeated()) {
        appended.increment(result.events().size());
      }
      return result;
    } catch (ConcurrencyConflictException e) {
      observation.lowCardinalityKeyValue("outcome", "conflict").error(e);
      throw e;
    } catch (RuntimeException | Error e) {
      observation.lowCardinalityKeyValue("outcome", "error").error(e);
      throw e;
    } finally {
      observation.stop();
    }
  }

  private AppendResult appendTimed(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events) {
    long start = System.nanoTime();
    String outcome = "error";
    Throwable error = null;
    try {
      AppendResult result = store.append(streamId, expectedVersion, events);
      outcome = result.repeated() ? "repeated" : "success";
      if (!result.repeated()) {
        appended.increment(result.events().size());
      }
      return result;
    } catch (ConcurrencyConflictException e) {
      outcome = "conflict";
      error = e;
      throw e;
    } catch (RuntimeException | Error e) {
      error = e;
      throw e;
    } finally {
      direct.record("cqrs.append", null, null, null, outcome, error, System.nanoTime() - start);
    }
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
