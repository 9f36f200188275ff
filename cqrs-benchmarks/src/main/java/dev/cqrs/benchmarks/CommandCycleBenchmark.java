package dev.cqrs.benchmarks;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import dev.cqrs.benchmarks.Payloads.Increment;
import dev.cqrs.benchmarks.Payloads.Incremented;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.CommandHandler;
import dev.cqrs.core.Decider;
import dev.cqrs.core.EventSourcedHandler;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.inmemory.InMemoryEventStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.eventsourcing.EventSourcingRepository;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.modelling.command.AggregateAnnotationCommandHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
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
 * Workload 2: an event-sourced command cycle in memory: load a short stream, decide, append one. The commands rotate
 * over a fixed number of aggregates (10 or 1,000), each seeded with 10 events before every iteration; after 10 more
 * commands an aggregate is replaced by a new one (a new stream), so no stream grows past 20 events while the store
 * grows by one event per command, as a real store does.
 * This library: {@code EventSourcedHandler} on {@code InMemoryEventStore}; Axon: an annotated aggregate in an
 * {@code EventSourcingRepository} on an {@code EmbeddedEventStore} with {@code InMemoryEventStorageEngine}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CommandCycleBenchmark {

  static final int SEED = 10;
  /** Commands per aggregate before it is replaced by a new stream. */
  static final int GENERATION = 10;

  /** Which library runs. */
  @Param({"cqrs", "axon"})
  public String library;

  /** How many aggregates the commands rotate over. */
  @Param({"10", "1000"})
  public int aggregates;

  private CommandBus bus;
  private CommandGateway gateway;
  private EmbeddedEventStore axonStore;
  private long next;

  /** The Axon aggregate: the same rule, the annotated way. */
  public static class Counter {
    @AggregateIdentifier
    private String id;
    private long value;

    /** Axon creates aggregates through this constructor. */
    public Counter() {
    }

    /**
     * Decides.
     *
     * @param command the command
     */
    @org.axonframework.commandhandling.CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    public void handle(Increment command) {
      apply(new Incremented(command.id(), value + 1));
    }

    /**
     * Evolves.
     *
     * @param event the event
     */
    @EventSourcingHandler
    public void on(Incremented event) {
      id = event.id();
      value = event.value();
    }
  }

  static final Decider<Increment, Long, Incremented> COUNTER = Decider.of(0L,
      (command, value) -> List.of(new Incremented(command.id(), value + 1)),
      (value, event) -> event.value());

  /** Builds a fresh store with the seeded pool before each iteration. */
  @Setup(Level.Iteration)
  public void seed() {
    next = 0;
    if (library.equals("cqrs")) {
      InMemoryEventStore store = InMemoryEventStore.create(Payloads.TYPES);
      for (int s = 0; s < aggregates; s++) {
        List<NewEvent> events = new ArrayList<>(SEED);
        for (int v = 1; v <= SEED; v++) {
          events.add(NewEvent.of(new Incremented(id(s, 0), v)));
        }
        store.append(id(s, 0), ExpectedVersion.noStream(), events);
      }
      CommandHandler<Increment> handler = EventSourcedHandler.builder(COUNTER, Increment::id).build();
      bus = CommandBus.builder().eventStore(store).build().register(Increment.class, handler);
    } else {
      if (axonStore != null) {
        axonStore.shutDown();
      }
      axonStore = EmbeddedEventStore.builder().storageEngine(new InMemoryEventStorageEngine()).build();
      for (int s = 0; s < aggregates; s++) {
        List<DomainEventMessage<?>> events = new ArrayList<>(SEED);
        for (int v = 1; v <= SEED; v++) {
          events.add(new GenericDomainEventMessage<>("Counter", id(s, 0), v - 1, new Incremented(id(s, 0), v)));
        }
        axonStore.publish(events);
      }
      SimpleCommandBus axonBus = SimpleCommandBus.builder().build();
      EventSourcingRepository<Counter> repository = EventSourcingRepository.builder(Counter.class)
          .eventStore(axonStore).build();
      AggregateAnnotationCommandHandler.<Counter>builder().aggregateType(Counter.class).repository(repository)
          .build().subscribe(axonBus);
      gateway = DefaultCommandGateway.builder().commandBus(axonBus).build();
    }
  }

  /** Stops Axon's store. */
  @TearDown
  public void stop() {
    if (axonStore != null) {
      axonStore.shutDown();
    }
  }

  private static String id(int slot, long generation) {
    return "c" + slot + "-" + generation;
  }

  /**
   * One command cycle.
   *
   * @return something, so nothing is optimized away
   */
  @Benchmark
  public Object cycle() {
    long n = next++;
    Increment command = new Increment(id((int) (n % aggregates), n / aggregates / GENERATION));
    if (bus != null) {
      return bus.send(command);
    }
    gateway.sendAndWait(command);
    return command;
  }
}
