package dev.cqrs.benchmarks;

import dev.cqrs.benchmarks.Payloads.Increment;
import dev.cqrs.benchmarks.Payloads.Incremented;
import dev.cqrs.benchmarks.Payloads.Ping;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.inmemory.InMemoryEventStore;
import dev.cqrs.micrometer.CqrsObservability;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of {@code cqrs-micrometer}: a command to a trivial handler, and a command that appends one event to the
 * in-memory store, with the instrumentation off and in its configurations (metrics into a {@code SimpleMeterRegistry},
 * no tracer), in one run, one thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ObservabilityBenchmark {

  /**
   * The instrumentation: off; observations with Micrometer's default meter handler; the same without its long-task
   * timers (lean); or {@code CqrsObservability.metricsOnly} (direct).
   */
  @Param({"off", "observations", "lean", "direct"})
  public String instrumentation;

  private CommandBus dispatch;
  private CommandBus appends;
  private long next;

  /** Wires both buses, with a fresh store per iteration. */
  @Setup(Level.Iteration)
  public void setUp() {
    close();
    next = 0;
    EventStore store = InMemoryEventStore.create(Payloads.TYPES);
    CommandBus.Builder plain = CommandBus.builder();
    CommandBus.Builder appending = CommandBus.builder();
    if (!instrumentation.equals("off")) {
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      CqrsObservability observability;
      if (instrumentation.equals("direct")) {
        observability = CqrsObservability.metricsOnly(meters);
      } else {
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(instrumentation.equals("lean")
            ? new DefaultMeterObservationHandler(meters, DefaultMeterObservationHandler.IgnoredMeters.LONG_TASK_TIMER)
            : new DefaultMeterObservationHandler(meters));
        observability = CqrsObservability.create(observations, meters);
      }
      plain.handlerInterceptor(observability.commands());
      appending.handlerInterceptor(observability.commands());
      store = observability.appends(store);
    }
    dispatch = plain.build().register(Ping.class, (command, context) -> { });
    appends = appending.eventStore(store).build().register(Increment.class, (command, context) ->
        context.append(command.id(), ExpectedVersion.any(), List.of(new Incremented(command.id(), 1))));
  }

  /** Closes the buses. */
  @TearDown(Level.Iteration)
  public void close() {
    if (dispatch != null) {
      dispatch.close();
      appends.close();
    }
  }

  /**
   * A command to a trivial handler.
   *
   * @return something, so nothing is optimized away
   */
  @Benchmark
  public Object dispatch() {
    return dispatch.send(new Ping(1));
  }

  /**
   * A command that appends one event to one of 1,000 streams.
   *
   * @return something, so nothing is optimized away
   */
  @Benchmark
  public Object dispatchAndAppend() {
    return appends.send(new Increment("c" + (next++ % 1000)));
  }
}
