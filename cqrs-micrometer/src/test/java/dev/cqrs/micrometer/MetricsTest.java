package dev.cqrs.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.CommandRejectedException;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Projection;
import dev.cqrs.core.Query;
import dev.cqrs.core.QueryBus;
import dev.cqrs.core.RetryPolicy;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.inmemory.InMemoryCheckpointStore;
import dev.cqrs.inmemory.InMemoryDeadLetterStore;
import dev.cqrs.inmemory.InMemoryEventStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The meters of the README's table, from real buses, a real store and a real processor. */
class MetricsTest {

  record Open(String id) implements Command {}
  record Fail(String id) implements Command {}
  record Opened(String id, int number) implements Event {}
  record Count() implements Query<Integer> {}
  record Broken() implements Query<Integer> {}

  private final MeterRegistry meters = new SimpleMeterRegistry();
  private CqrsObservability observability;

  /** Both modes give the same meters: through observations, and recorded directly. */
  static Stream<String> modes() {
    return Stream.of("observations", "metrics only");
  }

  private void use(String mode) {
    if (mode.equals("observations")) {
      ObservationRegistry observations = ObservationRegistry.create();
      observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
      observability = CqrsObservability.create(observations, meters);
    } else {
      observability = CqrsObservability.metricsOnly(meters);
    }
  }

  private double timerCount(String name, String... tags) {
    return meters.get(name).tags(tags).timer().count();
  }

  @ParameterizedTest
  @MethodSource("modes")
  void commands_queries_and_appends_are_timed_by_type_and_outcome_and_appended_events_counted(String mode) {
    use(mode);
    EventTypes types = EventTypes.builder().register(Opened.class, "Opened", 1).build();
    EventStore store = observability.appends(InMemoryEventStore.create(types));
    CommandBus commands = CommandBus.builder().eventStore(store).handlerInterceptor(observability.commands()).build()
        .register(Open.class, (command, context) -> context.append("account-" + command.id(),
            ExpectedVersion.noStream(), List.of(new Opened(command.id(), 1), new Opened(command.id(), 2))))
        .register(Fail.class, (command, context) -> {
          throw new CommandRejectedException("no " + command.id());
        });
    QueryBus queries = QueryBus.builder().handlerInterceptor(observability.queries()).build()
        .register(Count.class, query -> (int) store.countAfter(dev.cqrs.core.Position.START))
        .register(Broken.class, query -> {
          throw new IllegalStateException("broken");
        });

    commands.send(new Open("a"));
    commands.send(new Open("b"));
    assertThatThrownBy(() -> commands.send(new Fail("c"))).isInstanceOf(CommandRejectedException.class);
    assertThatThrownBy(() -> commands.send(new Open("a"))).isInstanceOf(ConcurrencyConflictException.class);
    assertThat(queries.ask(new Count())).isEqualTo(4);
    assertThatThrownBy(() -> queries.ask(new Broken())).isInstanceOf(IllegalStateException.class);

    assertThat(timerCount("cqrs.command", "type", "Open", "outcome", "success", "error", "none")).isEqualTo(2);
    assertThat(timerCount("cqrs.command", "type", "Fail", "outcome", "rejected")).isEqualTo(1);
    assertThat(timerCount("cqrs.command", "type", "Open", "outcome", "conflict")).isEqualTo(1);
    assertThat(meters.get("cqrs.command").tags("outcome", "conflict").timer().getId().getTag("error"))
        .isEqualTo("ConcurrencyConflictException");
    assertThat(timerCount("cqrs.query", "type", "Count", "outcome", "success")).isEqualTo(1);
    assertThat(timerCount("cqrs.query", "type", "Broken", "outcome", "error")).isEqualTo(1);
    assertThat(timerCount("cqrs.append", "outcome", "success")).isEqualTo(2);
    assertThat(timerCount("cqrs.append", "outcome", "conflict")).isEqualTo(1);
    assertThat(meters.get("cqrs.append.events").counter().count()).isEqualTo(4);
    commands.close();
    queries.close();
  }

  record Claim(String name, String user) implements Command {}
  record Claimed(String name, String user) implements Event {}

  @ParameterizedTest
  @MethodSource("modes")
  void decisions_over_queries_work_through_the_observed_store_and_their_appends_are_timed(String mode) {
    use(mode);
    EventTypes types = EventTypes.builder()
        .register(Claimed.class, "Claimed", 1, e -> java.util.Set.of("name:" + e.name())).build();
    InMemoryEventStore inner = InMemoryEventStore.create(types);
    EventStore store = observability.appends(inner);
    CommandBus commands = CommandBus.builder().eventStore(store).build()
        .register(Claim.class, dev.cqrs.core.QueryDecidingHandler.builder(
            (Claim c) -> dev.cqrs.core.DecisionModel.of(
                dev.cqrs.core.EventQuery.of(dev.cqrs.core.EventQuery.Item.tags("name:" + c.name())), 0,
                (claims, event) -> claims + 1),
            (Claim c, Integer claims) -> {
              if (claims > 0) {
                throw new CommandRejectedException("name " + c.name() + " is taken");
              }
              return List.of(new Claimed(c.name(), c.user()));
            },
            c -> "user-" + c.user()).build());

    commands.send(new Claim("ann", "u1"));
    assertThatThrownBy(() -> commands.send(new Claim("ann", "u2"))).isInstanceOf(CommandRejectedException.class);
    // a refused condition reaches the caller through the observed store, counted as a conflict
    dev.cqrs.core.EventQuery bob = dev.cqrs.core.EventQuery.of(dev.cqrs.core.EventQuery.Item.tags("name:bob"));
    dev.cqrs.core.EventQueryResult read = store.read(bob, dev.cqrs.core.Position.START);
    inner.append("user-u3", ExpectedVersion.noStream(), new Claimed("bob", "u3"));
    assertThatThrownBy(() -> store.append("user-u4", ExpectedVersion.noStream(),
        List.of(dev.cqrs.core.NewEvent.of(new Claimed("bob", "u4"))),
        dev.cqrs.core.AppendCondition.unchangedSince(bob, read)))
        .isInstanceOf(dev.cqrs.core.AppendConditionFailedException.class);

    assertThat(inner.readStream("user-u1")).singleElement()
        .satisfies(e -> assertThat(e.tags()).containsExactly("name:ann"));
    assertThat(inner.readStream("user-u2")).isEmpty();
    assertThat(timerCount("cqrs.append", "outcome", "success")).isEqualTo(1);
    assertThat(timerCount("cqrs.append", "outcome", "conflict")).isEqualTo(1);
    assertThat(meters.get("cqrs.append.events").counter().count()).isEqualTo(1);
    commands.close();
  }

  @ParameterizedTest
  @MethodSource("modes")
  void processors_report_batches_events_retries_dead_letters_lag_and_status(String mode) throws Exception {
    use(mode);
    EventTypes types = EventTypes.builder().register(Opened.class, "Opened", 1).build();
    InMemoryEventStore store = InMemoryEventStore.create(types);
    for (int i = 1; i <= 1200; i++) {
      store.append("s-" + i % 10, ExpectedVersion.any(), new Opened("s", i));
    }
    ConcurrentHashMap<Integer, Boolean> seen = new ConcurrentHashMap<>();
    Projection projection = Projection.builder().on(Opened.class, opened -> {
      if (opened.number() == 600) {
        throw new IllegalStateException("poison");
      }
      seen.put(opened.number(), true);
    }).build();
    TrackingProcessor processor = TrackingProcessor.builder("views", store,
            observability.events("views", projection), InMemoryCheckpointStore.create())
        .batchSize(100)
        .retryPolicy(RetryPolicy.exponential(2, Duration.ofMillis(1), Duration.ofMillis(2)))
        .deadLetters(InMemoryDeadLetterStore.create())
        .listener(observability.processors())
        .build();
    observability.bind(processor);
    assertThat(meters.get("cqrs.processor.status").tags("processor", "views", "status", "stopped").gauge().value())
        .isEqualTo(1);
    assertThat(meters.get("cqrs.processor.lag.events").tags("processor", "views").gauge().value()).isEqualTo(1200);

    processor.start();
    processor.awaitProcessed(store.head(), Duration.ofSeconds(30));

    assertThat(seen).hasSize(1199);
    assertThat(meters.get("cqrs.processor.events").tags("processor", "views").counter().count()).isEqualTo(1199);
    assertThat(meters.get("cqrs.processor.batch").tags("processor", "views").timer().count()).isGreaterThanOrEqualTo(12);
    assertThat(meters.get("cqrs.processor.retries").tags("processor", "views").counter().count()).isEqualTo(1);
    assertThat(meters.get("cqrs.processor.dead.letters").tags("processor", "views").counter().count()).isEqualTo(1);
    assertThat(timerCount("cqrs.event", "processor", "views", "type", "Opened", "outcome", "success"))
        .isEqualTo(1199);
    assertThat(timerCount("cqrs.event", "processor", "views", "type", "Opened", "outcome", "error")).isEqualTo(2);
    assertThat(meters.get("cqrs.processor.status").tags("processor", "views", "status", "running").gauge().value())
        .isEqualTo(1);
    assertThat(meters.get("cqrs.processor.status").tags("processor", "views", "status", "stopped").gauge().value())
        .isZero();
    Thread.sleep(1100); // the lag is read at most once a second
    System.gc(); // the lag gauges hold their cache strongly
    assertThat(meters.get("cqrs.processor.lag.events").tags("processor", "views").gauge().value()).isZero();
    assertThat(meters.get("cqrs.processor.lag.time").tags("processor", "views").gauge().value()).isZero();
    processor.stop();
  }

  @Test
  void the_read_fence_gauge_shows_the_age_of_the_transaction_that_holds_readers_back() {
    use("metrics only");
    java.util.concurrent.atomic.AtomicReference<Optional<Duration>> fence =
        new java.util.concurrent.atomic.AtomicReference<>(Optional.empty());
    observability.bindReadFence(fence::get);
    System.gc(); // the gauge holds its supplier strongly: a lambda nobody else holds must not turn it into NaN
    assertThat(meters.get("cqrs.store.read.fence.age").gauge().value()).isZero();
    fence.set(Optional.of(Duration.ofMillis(61_500)));
    assertThat(meters.get("cqrs.store.read.fence.age").gauge().value()).isEqualTo(61.5);
  }

  record Balance(String id) implements Query<Integer> {}

  @Test
  void a_query_caches_hits_and_misses_are_counted() throws Exception {
    use("metrics only");
    EventTypes types = EventTypes.builder().register(Opened.class, "Opened", 1).build();
    InMemoryEventStore store = InMemoryEventStore.create(types);
    TrackingProcessor readModel = TrackingProcessor.builder("balances", store,
        Projection.builder().on(Opened.class, opened -> { }).build(), InMemoryCheckpointStore.create()).build();
    readModel.start();
    try (dev.cqrs.cache.QueryCache cache = dev.cqrs.cache.QueryCache.builder(store).build()) {
      dev.cqrs.core.QueryHandler<Balance, Integer> cached = cache.cached(dev.cqrs.cache.CachedQuery
          .of(Balance.class, query -> 7, readModel).key(Balance::id).invalidatedBy(Opened.class, Opened::id));
      observability.bindQueryCache(cache);
      cached.handle(new Balance("a"));
      cached.handle(new Balance("a"));
      cached.handle(new Balance("a"));
      assertThat(meters.get("cqrs.query.cache").tags("type", "Balance", "result", "hit").functionCounter().count())
          .isEqualTo(2);
      assertThat(meters.get("cqrs.query.cache").tags("type", "Balance", "result", "miss").functionCounter().count())
          .isEqualTo(1);
    } finally {
      readModel.stop();
    }
  }
}
