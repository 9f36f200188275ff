package dev.cqrs.benchmarks;

import dev.cqrs.benchmarks.Payloads.Ping;
import dev.cqrs.core.CommandBus;
import java.util.concurrent.TimeUnit;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Workload 1: a command through the bus to a trivial handler. This library: {@code CommandBus.send}; Axon:
 * {@code DefaultCommandGateway.sendAndWait} on a {@code SimpleCommandBus}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DispatchBenchmark {

  /** Which library runs. */
  @Param({"cqrs", "axon"})
  public String library;

  private CommandBus bus;
  private CommandGateway gateway;

  /** Wires the bus of the chosen library. */
  @Setup
  public void setUp() {
    if (library.equals("cqrs")) {
      bus = CommandBus.builder().build().register(Ping.class, (command, context) -> { });
    } else {
      SimpleCommandBus axonBus = SimpleCommandBus.builder().build();
      axonBus.subscribe(Ping.class.getName(), message -> null);
      gateway = DefaultCommandGateway.builder().commandBus(axonBus).build();
    }
  }

  /**
   * One command, one thread.
   *
   * @return something, so nothing is optimized away
   */
  @Benchmark
  @Threads(1)
  public Object oneThread() {
    return send();
  }

  /**
   * One command, two threads.
   *
   * @return something, so nothing is optimized away
   */
  @Benchmark
  @Threads(2)
  public Object twoThreads() {
    return send();
  }

  private Object send() {
    if (bus != null) {
      return bus.send(new Ping(1));
    }
    gateway.sendAndWait(new Ping(1));
    return GenericCommandMessage.class;
  }
}
