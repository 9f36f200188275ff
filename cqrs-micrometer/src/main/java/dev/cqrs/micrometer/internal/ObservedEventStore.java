package dev.cqrs.micrometer.internal;

import dev.cqrs.core.AppendCondition;
import dev.cqrs.core.AppendConditionFailedException;
import dev.cqrs.core.AppendResult;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.spi.ForwardingEventStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.function.Supplier;

/**
 * An event store whose appends (with or without a condition) are observed; every other call goes to the store
 * unchanged. Thread-safe.
 */
public final class ObservedEventStore extends ForwardingEventStore {

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
    super(store);
    this.registry = registry;
    this.direct = direct;
    this.appended = Counter.builder("cqrs.append.events").description("events stored by appends").register(meters);
  }

  @Override
  public AppendResult append(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events) {
    return observed(() -> delegate().append(streamId, expectedVersion, events));
  }

  @Override
  public AppendResult append(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events,
                             AppendCondition condition) {
    return observed(() -> delegate().append(streamId, expectedVersion, events, condition));
  }

  private AppendResult observed(Supplier<AppendResult> append) {
    Supplier<AppendResult> work = () -> {
      AppendResult result = append.get();
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
    return failure instanceof ConcurrencyConflictException || failure instanceof AppendConditionFailedException
        ? "conflict" : "error";
  }

  @Override
  public String toString() {
    return "observed " + delegate();
  }
}
