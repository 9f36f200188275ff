package dev.cqrs.micrometer;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandResult;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.HandlerInterceptor;
import dev.cqrs.core.ProcessorListener;
import dev.cqrs.core.Projection;
import dev.cqrs.core.Query;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.micrometer.internal.DirectTimers;
import dev.cqrs.micrometer.internal.MessageObservations;
import dev.cqrs.micrometer.internal.ObservedEventStore;
import dev.cqrs.micrometer.internal.ObservedProjection;
import dev.cqrs.micrometer.internal.ProcessorMeters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Instruments cqrs with Micrometer, through the library's own extension points: interceptors on the buses, a wrapper
 * around the event store and around projections, and a listener and gauges on tracking processors. Everything goes
 * through Micrometer's Observation API, so one instrumentation gives metrics (with a {@code
 * DefaultMeterObservationHandler} on the observation registry) and traces (with Micrometer Tracing's handlers).
 *
 * <pre>{@code
 * CqrsObservability observability = CqrsObservability.create(observationRegistry, meterRegistry);
 * CommandBus commands = CommandBus.builder()
 *     .eventStore(observability.appends(store))            // appends: time, events, conflicts
 *     .handlerInterceptor(observability.commands())        // handling time by type and outcome; trace into events
 *     .build();
 * QueryBus queries = QueryBus.builder().handlerInterceptor(observability.queries()).build();
 * TrackingProcessor views = TrackingProcessor
 *     .builder("order-views", store, observability.events("order-views", projection), checkpoints)
 *     .listener(observability.processors())                // batches, events, retries, dead letters
 *     .build();
 * observability.bind(views);                                // lag and status gauges
 * }</pre>
 *
 * <h2>Meters</h2>
 * <table class="striped">
 *   <caption>Meter names and tags</caption>
 *   <thead><tr><th>name</th><th>kind</th><th>tags</th><th>what it measures</th></tr></thead>
 *   <tbody>
 *   <tr><td>{@code cqrs.command}</td><td>timer</td><td>{@code type}, {@code outcome}, {@code error}</td>
 *       <td>command handling, from the handler interceptor to the result; outcome {@code success},
 *       {@code rejected}, {@code conflict} or {@code error}</td></tr>
 *   <tr><td>{@code cqrs.query}</td><td>timer</td><td>{@code type}, {@code outcome}, {@code error}</td>
 *       <td>query handling; outcome {@code success} or {@code error}</td></tr>
 *   <tr><td>{@code cqrs.append}</td><td>timer</td><td>{@code outcome}, {@code error}</td>
 *       <td>appends to the store, with or without an append condition; outcome {@code success}, {@code repeated}
 *       (an exact repeat, nothing stored), {@code conflict} (the expected version or the condition refused it) or
 *       {@code error}</td></tr>
 *   <tr><td>{@code cqrs.append.events}</td><td>counter</td><td></td><td>events stored by appends</td></tr>
 *   <tr><td>{@code cqrs.event}</td><td>timer</td><td>{@code processor}, {@code type}, {@code outcome},
 *       {@code error}</td><td>one event applied by a processor's projection</td></tr>
 *   <tr><td>{@code cqrs.processor.batch}</td><td>timer</td><td>{@code processor}</td>
 *       <td>a committed batch, from the start of its unit of work to its commit</td></tr>
 *   <tr><td>{@code cqrs.processor.events}</td><td>counter</td><td>{@code processor}</td>
 *       <td>events moved over by committed batches</td></tr>
 *   <tr><td>{@code cqrs.processor.retries}</td><td>counter</td><td>{@code processor}</td>
 *       <td>failures the processor will try again after</td></tr>
 *   <tr><td>{@code cqrs.processor.dead.letters}</td><td>counter</td><td>{@code processor}</td>
 *       <td>events parked as dead letters</td></tr>
 *   <tr><td>{@code cqrs.processor.lag.events}</td><td>gauge</td><td>{@code processor}</td>
 *       <td>events after the processor's checkpoint</td></tr>
 *   <tr><td>{@code cqrs.processor.lag.time}</td><td>gauge, seconds</td><td>{@code processor}</td>
 *       <td>age of the oldest event the processor has not processed</td></tr>
 *   <tr><td>{@code cqrs.processor.status}</td><td>gauge</td><td>{@code processor}, {@code status}</td>
 *       <td>1 for the processor's current status, 0 for the others</td></tr>
 *   <tr><td>{@code cqrs.query.cache}</td><td>function counter</td><td>{@code type}, {@code result}</td>
 *       <td>answers of a {@code QueryCache}: {@code hit} or {@code miss}</td></tr>
 *   <tr><td>{@code cqrs.store.read.fence.age}</td><td>gauge, seconds</td><td></td>
 *       <td>on PostgreSQL, how long the transaction that holds readers back has been open; 0 when none</td></tr>
 *   </tbody>
 * </table>
 *
 * <h2>Traces</h2>
 * The command interceptor's observation is a sender: a tracing handler puts the current trace context (W3C {@code
 * traceparent} with the OpenTelemetry bridge) into the command's headers before the handler runs, and every event the
 * command appends inherits the command's headers. The projection wrapper's observation is a receiver: it reads the
 * context back from the event's headers, so the span of each event a processor applies continues the command's trace,
 * in this JVM or in another that reads the same database.
 *
 * <p>Thread-safe: one instance serves any number of buses, stores and processors.
 */
public final class CqrsObservability {

  private final ObservationRegistry observations;
  private final DirectTimers direct;
  private final MeterRegistry meters;
  private final ProcessorMeters processorMeters;

  private CqrsObservability(ObservationRegistry observations, DirectTimers direct, MeterRegistry meters) {
    this.observations = observations;
    this.direct = direct;
    this.meters = meters;
    this.processorMeters = new ProcessorMeters(meters);
  }

  /**
   * Creates the instrumentation.
   *
   * @param observations where observations go: give it a {@code DefaultMeterObservationHandler} for timers, and
   *     Micrometer Tracing's handlers for spans
   * @param meters where counters and gauges go
   * @return the instrumentation
   */
  public static CqrsObservability create(ObservationRegistry observations, MeterRegistry meters) {
    return new CqrsObservability(Objects.requireNonNull(observations, "observations must not be null"), null,
        Objects.requireNonNull(meters, "meters must not be null"));
  }

  /**
   * Creates the instrumentation for metrics only, without observations: the same meters, recorded directly into the
   * registry, at a fraction of the cost per message, and no traces. For buses that dispatch millions of messages a
   * second where tracing is not wanted; see the overhead figures in the benchmarks report.
   *
   * @param meters where meters go
   * @return the instrumentation
   */
  public static CqrsObservability metricsOnly(MeterRegistry meters) {
    Objects.requireNonNull(meters, "meters must not be null");
    return new CqrsObservability(null, new DirectTimers(meters), meters);
  }

  /**
   * Returns the command bus interceptor: observes each command's handling ({@code cqrs.command}) and puts the trace
   * context into its headers, so that the events it appends carry it.
   *
   * @return the interceptor, for {@code CommandBus.Builder.handlerInterceptor}
   */
  public HandlerInterceptor<Command, CommandResult> commands() {
    return direct != null ? MessageObservations.commands(direct) : MessageObservations.commands(observations);
  }

  /**
   * Returns the query bus interceptor: observes each query's handling ({@code cqrs.query}).
   *
   * @return the interceptor, for {@code QueryBus.Builder.handlerInterceptor}
   */
  public HandlerInterceptor<Query<?>, Object> queries() {
    return direct != null ? MessageObservations.queries(direct) : MessageObservations.queries(observations);
  }

  /**
   * Returns the store with its appends observed ({@code cqrs.append}, {@code cqrs.append.events}), conditional
   * appends included; everything else, reads by query too, goes to the store unchanged. Give the wrapper to the
   * command bus; closing it closes the store.
   *
   * @param store the store
   * @return the observed store
   */
  public EventStore appends(EventStore store) {
    return new ObservedEventStore(Objects.requireNonNull(store, "store must not be null"), observations, direct,
        meters);
  }

  /**
   * Returns the projection with each applied event observed ({@code cqrs.event}), continuing the trace the event
   * carries in its headers.
   *
   * @param processor the processor's name, for the {@code processor} tag
   * @param projection the projection
   * @return the observed projection
   */
  public Projection events(String processor, Projection projection) {
    return new ObservedProjection(Objects.requireNonNull(processor, "processor must not be null"),
        Objects.requireNonNull(projection, "projection must not be null"), observations, direct);
  }

  /**
   * Returns the listener that counts batches, events, retries and dead letters per processor; one listener serves
   * every processor.
   *
   * @return the listener, for {@code TrackingProcessor.Builder.listener}
   */
  public ProcessorListener processors() {
    return processorMeters;
  }

  /**
   * Registers a processor's lag and status gauges. The lag is read from the processor at most once a second, however
   * often the gauges are scraped.
   *
   * @param processor the processor
   */
  public void bind(TrackingProcessor processor) {
    processorMeters.bind(Objects.requireNonNull(processor, "processor must not be null"));
  }

  /**
   * Registers the hit and miss counts of a query cache ({@code cqrs.query.cache}, tags {@code type} and {@code
   * result}), for every query type cached so far: bind after registering the cached handlers.
   *
   * @param cache the cache
   */
  @SuppressWarnings("exports") // cqrs-query-cache is optional: an application that calls this has it
  public void bindQueryCache(dev.cqrs.cache.QueryCache cache) {
    Objects.requireNonNull(cache, "cache must not be null");
    for (Class<?> type : cache.stats().keySet()) {
      io.micrometer.core.instrument.FunctionCounter.builder("cqrs.query.cache", cache,
              c -> c.stats().get(type).hits())
          .description("cached query answers served from the cache").tag("type", type.getSimpleName())
          .tag("result", "hit").register(meters);
      io.micrometer.core.instrument.FunctionCounter.builder("cqrs.query.cache", cache,
              c -> c.stats().get(type).misses())
          .description("cached query answers the handler computed").tag("type", type.getSimpleName())
          .tag("result", "miss").register(meters);
    }
  }

  /**
   * Registers the gauge of how long the transaction that holds PostgreSQL readers back has been open, for example
   * {@code bindReadFence(() -> store.readFence().map(ReadFence::age))}; each scrape asks the supplier once.
   *
   * @param age the age of the read fence, empty when no transaction holds it
   */
  public void bindReadFence(Supplier<Optional<Duration>> age) {
    Objects.requireNonNull(age, "age must not be null");
    Gauge.builder("cqrs.store.read.fence.age", age, supplier -> supplier.get().map(a -> a.toNanos() / 1e9).orElse(0.0))
        .baseUnit("seconds")
        .description("how long the transaction that holds PostgreSQL readers back has been open")
        .strongReference(true) // the supplier is often a lambda nobody else holds
        .register(meters);
  }
}
