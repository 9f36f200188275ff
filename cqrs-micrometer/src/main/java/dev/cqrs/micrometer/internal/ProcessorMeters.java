package dev.cqrs.micrometer.internal;

import dev.cqrs.core.DeadLetter;
import dev.cqrs.core.Lag;
import dev.cqrs.core.Position;
import dev.cqrs.core.ProcessorListener;
import dev.cqrs.core.ProcessorStatus;
import dev.cqrs.core.TrackingProcessor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Counters and timers per processor from its listener calls, and lag and status gauges. Thread-safe. */
public final class ProcessorMeters implements ProcessorListener {

  private static final long LAG_CACHE_NANOS = 1_000_000_000L;

  private final MeterRegistry meters;
  private final Map<String, Meters> byProcessor = new ConcurrentHashMap<>();

  /** The meters of one processor, registered once. */
  private record Meters(Timer batch, Counter events, Counter retries, Counter deadLetters) {
  }

  /**
   * Creates the meters' home.
   *
   * @param meters where meters go
   */
  public ProcessorMeters(MeterRegistry meters) {
    this.meters = meters;
  }

  private Meters of(String processor) {
    return byProcessor.computeIfAbsent(processor, name -> new Meters(
        Timer.builder("cqrs.processor.batch").description("committed batches").tag("processor", name)
            .register(meters),
        Counter.builder("cqrs.processor.events").description("events moved over by committed batches")
            .tag("processor", name).register(meters),
        Counter.builder("cqrs.processor.retries").description("failures tried again").tag("processor", name)
            .register(meters),
        Counter.builder("cqrs.processor.dead.letters").description("events parked as dead letters")
            .tag("processor", name).register(meters)));
  }

  @Override
  public void batchCommitted(String processor, int events, Position checkpoint, Duration took) {
    Meters m = of(processor);
    m.batch().record(took);
    m.events().increment(events);
  }

  @Override
  public void retrying(String processor, Position at, int attempt, Throwable failure) {
    of(processor).retries().increment();
  }

  @Override
  public void parked(String processor, DeadLetter letter) {
    of(processor).deadLetters().increment();
  }

  /**
   * Registers a processor's lag and status gauges.
   *
   * @param processor the processor
   */
  public void bind(TrackingProcessor processor) {
    of(processor.name());
    CachedLag lag = new CachedLag(processor);
    Gauge.builder("cqrs.processor.lag.events", lag, l -> l.get().events())
        .description("events after the processor's checkpoint").tag("processor", processor.name())
        .strongReference(true) // only the gauges hold the cache
        .register(meters);
    Gauge.builder("cqrs.processor.lag.time", lag, l -> l.get().behind().toNanos() / 1e9)
        .description("age of the oldest event the processor has not processed").baseUnit("seconds")
        .tag("processor", processor.name()).strongReference(true).register(meters);
    for (ProcessorStatus status : ProcessorStatus.values()) {
      Gauge.builder("cqrs.processor.status", processor, p -> p.status() == status ? 1 : 0)
          .description("1 for the processor's current status").tag("processor", processor.name())
          .tag("status", status.name().toLowerCase(java.util.Locale.ROOT)).register(meters);
    }
  }

  /** The processor's lag, read at most once a second: it may count events in the store. */
  private static final class CachedLag {
    private final TrackingProcessor processor;
    private Lag lag;
    private long readAt;

    CachedLag(TrackingProcessor processor) {
      this.processor = processor;
    }

    synchronized Lag get() {
      long now = System.nanoTime();
      if (lag == null || now - readAt > LAG_CACHE_NANOS) {
        lag = processor.lag();
        readAt = now;
      }
      return lag;
    }
  }
}
