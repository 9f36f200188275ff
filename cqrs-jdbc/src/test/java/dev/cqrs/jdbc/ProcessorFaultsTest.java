package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.DeadLetter;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.ProcessorStatus;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.RetryPolicy;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.core.TransientException;
import dev.cqrs.jdbc.internal.Jdbc;
import dev.cqrs.test.faults.FaultyDataSource;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Transactional processors under the faults that production combines: lost commit acknowledgements, failed commits,
 * poison events with PostgreSQL's own edge values, rows that no longer decode, slow batches and resets with a second
 * instance standing by. Every event is checked: applied exactly once, or parked exactly once.
 */
class ProcessorFaultsTest {

  record Counted(String key, int amount) implements Event {
  }

  private static final EventTypes TYPES = EventTypes.builder().register(Counted.class, "Counted", 1).build();
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final List<TrackingProcessor> processors = new ArrayList<>();
  private final List<JdbcEventStore> stores = new ArrayList<>();
  /** The test's database, store, read-model table and processor name, set by {@link #prepare}. */
  private JdbcConfig config;
  private JdbcEventStore store;
  private AppliedTable table;
  private String name;

  /** Sets up a test: a store on the database, a fresh read-model table, and a processor name starting at the head. */
  private void prepare(JdbcConfig database, String what) {
    config = database;
    store = store(database);
    table = AppliedTable.create(database);
    name = name(what);
    JdbcCheckpointStore.create(database).save(name, store.head());
  }

  static Stream<Supplier<JdbcConfig>> databases() {
    return Stream.of(TestDatabases::h2, () -> TestDatabases.postgres("faults_"));
  }

  @AfterEach
  void stop() {
    processors.forEach(TrackingProcessor::stop);
    stores.forEach(JdbcEventStore::close);
  }

  private JdbcEventStore store(JdbcConfig config) {
    JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES));
    stores.add(store);
    return store;
  }

  private static JdbcConfig on(JdbcConfig config, DataSource dataSource) {
    return JdbcConfig.builder(dataSource).database(config.database()).schema(config.schema())
        .tablePrefix(config.tablePrefix()).build();
  }

  private TrackingProcessor started(TrackingProcessor processor) {
    processors.add(processor);
    processor.start();
    return processor;
  }

  /** Appends {@code count} events, one append each; returns them in order. */
  private static List<RecordedEvent> append(JdbcEventStore store, int count, int poisonAt) {
    List<RecordedEvent> appended = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      appended.addAll(store.append("counted-" + UUID.randomUUID(), ExpectedVersion.noStream(),
          List.of(NewEvent.of(new Counted(i == poisonAt ? "poison" : "k", i)))).events());
    }
    return appended;
  }

  private static List<UUID> ids(List<RecordedEvent> events) {
    return events.stream().map(RecordedEvent::eventId).toList();
  }

  private static Position last(List<RecordedEvent> events) {
    return events.get(events.size() - 1).position();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  /** Fails for the event with key "poison", always. */
  private static AppliedTable.Step refusePoison(String message) {
    return event -> {
      if (event.payloadAs(Counted.class).key().equals("poison")) {
        throw new SQLException(message);
      }
    };
  }

  private static String name(String what) {
    return what + "-" + UUID.randomUUID();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void lost_commit_acknowledgements_never_apply_a_batch_twice(Supplier<JdbcConfig> database) throws Exception {
    prepare(database.get(), "lost-ack");
    FaultyDataSource faulty = FaultyDataSource.wrap(config.dataSource());
    TrackingProcessor processor = started(JdbcProcessors.transactional(on(config, faulty), name, store,
        table.projection(Counted.class, "a", e -> { })).batchSize(7).pollInterval(Duration.ofMillis(10))
        .retryPolicy(RetryPolicy.exponential(3, Duration.ofMillis(1), Duration.ofMillis(5))).build());
    await("the processor to hold its lease", () -> processor.status() == ProcessorStatus.RUNNING);
    faulty.loseAcknowledgementOfNextCommits(8); // from now on the commits are mostly batches
    List<RecordedEvent> events = append(store, 60, -1);

    assertThat(processor.awaitPosition(last(events), WAIT)).isTrue();
    assertThat(faulty.faultsInjected()).isEqualTo(8);
    Map<UUID, Integer> applied = table.applications();
    assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(ids(events));
    assertThat(applied.values()).as("each event applied once").containsOnly(1);
    assertThat(processor.status()).isEqualTo(ProcessorStatus.RUNNING);
  }

  enum CommitFault { LOST_ACKNOWLEDGEMENT, ROLLED_BACK }

  static Stream<Object[]> databasesAndCommitFaults() {
    return databases().flatMap(db -> Stream.of(CommitFault.values()).map(fault -> new Object[] {db, fault}));
  }

  @ParameterizedTest
  @MethodSource("databasesAndCommitFaults")
  void a_dead_letter_is_saved_in_its_batch_transaction_once(Supplier<JdbcConfig> database, CommitFault fault)
      throws Exception {
    prepare(database.get(), "parked-once");
    FaultyDataSource faulty = FaultyDataSource.wrap(config.dataSource());
    JdbcConfig processorConfig = on(config, faulty);
    AtomicBoolean armed = new AtomicBoolean();
    AppliedTable.Step refuse = refusePoison("refused");
    TrackingProcessor processor = started(JdbcProcessors.transactional(processorConfig, name, store,
        table.projection(Counted.class, "a", event -> {
          if (event.payloadAs(Counted.class).key().equals("poison") && armed.compareAndSet(false, true)) {
            // the commits around parking the poison event fail
            if (fault == CommitFault.LOST_ACKNOWLEDGEMENT) {
              faulty.loseAcknowledgementOfNextCommits(3);
            } else {
              faulty.failNextCommits(3);
            }
          }
          refuse.after(event);
        })).batchSize(10)
        .pollInterval(Duration.ofMillis(10)).deadLetters(JdbcDeadLetterStore.create(processorConfig,
            TestDatabases.codec(TYPES)))
        .retryPolicy(RetryPolicy.exponential(2, Duration.ofMillis(1), Duration.ofMillis(2))).build());
    List<RecordedEvent> events = append(store, 30, 17);

    assertThat(processor.awaitPosition(last(events), WAIT)).isTrue();
    assertThat(faulty.faultsInjected()).isEqualTo(3);
    List<UUID> expected = new ArrayList<>(ids(events));
    UUID poison = expected.remove(17);
    Map<UUID, Integer> applied = table.applications();
    assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(applied.values()).containsOnly(1);
    assertThat(processor.deadLetters()).singleElement()
        .satisfies(letter -> assertThat(letter.event().eventId()).isEqualTo(poison));
    assertThat(processor.status()).isEqualTo(ProcessorStatus.RUNNING);
  }

  @ParameterizedTest
  @MethodSource("databases")
  void a_poison_event_with_nul_characters_in_payload_and_error_is_parked(Supplier<JdbcConfig> database)
      throws Exception {
    prepare(database.get(), "nul");
    List<RecordedEvent> events = new ArrayList<>(append(store, 5, -1));
    RecordedEvent poison = store.append("nul-" + UUID.randomUUID(), ExpectedVersion.noStream(),
        List.of(NewEvent.of(new Counted("poison\u0000with nul \uD83D\uDE00", 1)))).events().get(0);
    events.add(poison);
    events.addAll(append(store, 5, -1));
    AtomicInteger attempts = new AtomicInteger();

    TrackingProcessor processor = started(JdbcProcessors.transactional(config, name, store,
        table.projection(Counted.class, "a", event -> {
          if (event.payloadAs(Counted.class).key().startsWith("poison")) {
            attempts.incrementAndGet();
            throw new SQLException("refused \u0000 the key " + event.payloadAs(Counted.class).key());
          }
        })).batchSize(4).pollInterval(Duration.ofMillis(10))
        .deadLetters(JdbcDeadLetterStore.create(config, TestDatabases.codec(TYPES)))
        .retryPolicy(RetryPolicy.exponential(2, Duration.ofMillis(1), Duration.ofMillis(2))).build());

    assertThat(processor.awaitPosition(last(events), WAIT)).isTrue();
    assertThat(processor.deadLetters()).singleElement().satisfies(letter -> {
      assertThat(letter.event().payload()).isEqualTo(poison.payload());
      assertThat(letter.error()).contains("refused").contains("the key poison");
      assertThat(letter.attempts()).isEqualTo(2);
    });
    // the first attempt: once in the batch's applyBatch call, once alone under a savepoint; the second: alone
    assertThat(attempts).hasValue(3);
    Map<UUID, Integer> applied = table.applications();
    List<UUID> expected = new ArrayList<>(ids(events));
    expected.remove(poison.eventId());
    assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(applied.values()).as("no event before the poison applied again").containsOnly(1);
    assertThat(processor.status()).isEqualTo(ProcessorStatus.RUNNING);
  }

  @ParameterizedTest
  @MethodSource("databases")
  void a_stored_row_that_no_longer_decodes_fails_the_processor_with_the_cause(Supplier<JdbcConfig> database)
      throws Exception {
    JdbcConfig shared = database.get();
    // tables of its own on PostgreSQL: the corrupt row must not reach the other tests' replays
    prepare(shared.database() == Database.POSTGRESQL ? TestDatabases.postgres("undecodable_") : shared, "undecodable");
    List<RecordedEvent> events = append(store, 6, -1);
    RecordedEvent broken = events.get(3);
    String cast = config.database() == Database.POSTGRESQL ? "?::json" : "?";
    Jdbc.withConnection(config, "corrupt", c -> {
      try (PreparedStatement update = c.prepareStatement("UPDATE " + config.table("events")
          + " SET payload = " + cast + " WHERE event_id = ?")) {
        update.setString(1, "{\"key\":\"k\",\"amount\":\"not a number\"}");
        update.setObject(2, broken.eventId());
        return update.executeUpdate();
      }
    });

    TrackingProcessor processor = started(JdbcProcessors.transactional(config, name, store,
        table.projection(Counted.class, "a", e -> { })).batchSize(2).pollInterval(Duration.ofMillis(10))
        .deadLetters(JdbcDeadLetterStore.create(config, TestDatabases.codec(TYPES)))
        .retryPolicy(RetryPolicy.exponential(3, Duration.ofMillis(1), Duration.ofMillis(2))).build());

    await("the processor to fail", () -> processor.status() == ProcessorStatus.FAILED);
    assertThat(processor.failure()).hasValueSatisfying(failure ->
        assertThat(failure).hasMessageContaining("position " + broken.position()));
    assertThat(processor.checkpoint()).isEqualTo(events.get(2).position());
    assertThat(table.applications()).containsOnlyKeys(ids(events.subList(0, 3))).allSatisfy((id, n) ->
        assertThat(n).isEqualTo(1));
  }

  @ParameterizedTest
  @MethodSource("databasesAndCommitFaults")
  void status_and_failure_agree_when_the_commit_of_the_failing_batch_fails(Supplier<JdbcConfig> database,
                                                                           CommitFault fault) throws Exception {
    prepare(database.get(), "agree");
    List<RecordedEvent> events = append(store, 12, 9);
    FaultyDataSource faulty = FaultyDataSource.wrap(config.dataSource());
    TrackingProcessor processor = JdbcProcessors.transactional(on(config, faulty), name, store,
        table.projection(Counted.class, "a", refusePoison("refused"))).batchSize(20)
        .pollInterval(Duration.ofMillis(10))
        .retryPolicy(RetryPolicy.exponential(2, Duration.ofMillis(1), Duration.ofMillis(2))).build();
    ConcurrentLinkedQueue<String> disagreements = new ConcurrentLinkedQueue<>();
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler = new Thread(() -> {
      while (sampling.get()) {
        ProcessorStatus status = processor.status();
        boolean failed = processor.failure().isPresent();
        if (status == processor.status() && (status == ProcessorStatus.FAILED) != failed) {
          disagreements.add(status + " with failure " + processor.failure());
        }
      }
    });
    sampler.start();
    if (fault == CommitFault.LOST_ACKNOWLEDGEMENT) {
      faulty.loseAcknowledgementOfNextCommits(4);
    } else {
      faulty.failNextCommits(4);
    }
    started(processor);

    await("the processor to fail", () -> processor.status() == ProcessorStatus.FAILED);
    sampling.set(false);
    sampler.join();
    assertThat(disagreements).isEmpty();
    assertThat(processor.failure()).hasValueSatisfying(f -> assertThat(f).hasMessageContaining("refused"));
    assertThat(processor.checkpoint()).isEqualTo(events.get(8).position());
    Map<UUID, Integer> applied = table.applications();
    assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(ids(events.subList(0, 9)));
    assertThat(applied.values()).containsOnly(1);
    processor.stop();
    assertThat(processor.status()).as("a failed processor stays failed when stopped").isEqualTo(
        ProcessorStatus.FAILED);
  }

  @Test
  void a_failing_event_backs_off_outside_the_batch_transaction_so_other_readers_are_not_held_back()
      throws Exception {
    prepare(TestDatabases.postgres("faults_"), "backoff");
    CountDownLatch firstFailure = new CountDownLatch(1);
    AtomicInteger attempts = new AtomicInteger();
    TrackingProcessor processor = started(JdbcProcessors.transactional(config, name, store,
        table.projection(Counted.class, "a", event -> {
          if (event.payloadAs(Counted.class).key().equals("poison") && attempts.incrementAndGet() < 3) {
            firstFailure.countDown();
            throw new SQLException("not yet");
          }
        })).pollInterval(Duration.ofMillis(10))
        .retryPolicy(RetryPolicy.exponential(3, Duration.ofSeconds(5), Duration.ofSeconds(5))).build());
    List<RecordedEvent> events = append(store, 3, 1);
    assertThat(firstFailure.await(60, TimeUnit.SECONDS)).isTrue();

    Position before = store.head();
    RecordedEvent unrelated = store.append("unrelated-" + UUID.randomUUID(), ExpectedVersion.noStream(),
        List.of(NewEvent.of(new Counted("other", 0)))).events().get(0);
    await("the unrelated event to be readable", () -> store.readAll(before, 10).stream()
        .anyMatch(e -> e.eventId().equals(unrelated.eventId())));
    // the first attempt calls the projection twice: in the batch's applyBatch call, then alone under a savepoint
    assertThat(attempts.get()).as("still backing off after the first failure").isLessThanOrEqualTo(2);

    assertThat(processor.awaitPosition(unrelated.position(), WAIT)).isTrue();
    assertThat(attempts).hasValue(3);
    assertThat(table.applications().keySet()).containsExactlyInAnyOrderElementsOf(
        Stream.concat(ids(events).stream(), Stream.of(unrelated.eventId())).toList());
    assertThat(table.applications().values()).containsOnly(1);
  }

  @ParameterizedTest
  @MethodSource("databases")
  void a_batch_longer_than_the_lease_makes_progress_with_a_standby_instance(Supplier<JdbcConfig> database)
      throws Exception {
    prepare(database.get(), "slow");
    Duration lease = Duration.ofMillis(600);
    AppliedTable.Step slow = event -> {
      try {
        Thread.sleep(40); // 25 events take a second, longer than the lease
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    TrackingProcessor first = started(JdbcProcessors.transactional(config, name, store,
        table.projection(Counted.class, "first", slow), "first", lease).batchSize(25)
        .pollInterval(Duration.ofMillis(20)).build());
    await("the first instance to hold the lease", () -> first.status() == ProcessorStatus.RUNNING);
    TrackingProcessor second = started(JdbcProcessors.transactional(config, name, store,
        table.projection(Counted.class, "second", slow), "second", lease).batchSize(25)
        .pollInterval(Duration.ofMillis(20)).build());
    List<RecordedEvent> events = append(store, 75, -1);

    assertThat(first.awaitPosition(last(events), WAIT) || second.awaitPosition(last(events), WAIT)).isTrue();
    Map<UUID, Integer> applied = table.applications();
    assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(ids(events));
    assertThat(applied.values()).containsOnly(1);
  }

  /** Two instances of one transactional processor: the first processes, the second stands by. */
  private List<TrackingProcessor> processingAndStandby(JdbcConfig config, JdbcEventStore store, AppliedTable table,
                                                       String name, Duration lease) throws InterruptedException {
    List<TrackingProcessor> instances = new ArrayList<>();
    for (String instance : List.of("first", "second")) {
      TrackingProcessor processor = started(JdbcProcessors.transactional(config, name, store,
          table.projection(Counted.class, instance, e -> { }), instance, lease).pollInterval(Duration.ofMillis(10))
          .build());
      ProcessorStatus expected = instances.isEmpty() ? ProcessorStatus.RUNNING : ProcessorStatus.STANDBY;
      await(instance + " to be " + expected, () -> processor.status() == expected);
      instances.add(processor);
    }
    return instances;
  }

  @ParameterizedTest
  @MethodSource("databases")
  void a_reset_is_fenced_and_seen_by_the_standby_instance(Supplier<JdbcConfig> database) throws Exception {
    prepare(database.get(), "reset");
    List<TrackingProcessor> instances = processingAndStandby(config, store, table, name, Duration.ofSeconds(2));
    TrackingProcessor first = instances.get(0);
    TrackingProcessor second = instances.get(1);
    List<RecordedEvent> events = new ArrayList<>(append(store, 100, -1));
    assertThat(first.awaitPosition(last(events), WAIT)).isTrue();

    first.reset();
    events.addAll(append(store, 20, -1));
    assertThat(first.awaitPosition(last(events), WAIT) || second.awaitPosition(last(events), WAIT)).isTrue();
    second.reset(); // a reset from the standby instance is fenced too
    events.addAll(append(store, 20, -1));
    assertThat(first.awaitPosition(last(events), WAIT) && second.awaitPosition(last(events), WAIT)).isTrue();

    Map<UUID, Integer> applied = table.applications();
    List<RecordedEvent> expected = store.readAll(Position.START, 100_000).stream()
        .filter(e -> e.payload() instanceof Counted).toList();
    assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(ids(expected));
    assertThat(applied.values()).as("the replay applied each event once").containsOnly(1);
  }

  @ParameterizedTest
  @MethodSource("databases")
  void an_idle_holder_replays_every_event_once_after_a_reset_from_an_instance_that_is_not_running(
      Supplier<JdbcConfig> database) throws Exception {
    prepare(database.get(), "idle-reset");
    TrackingProcessor holder = started(JdbcProcessors.transactional(config, name, store,
        table.projection(Counted.class, "holder", event -> { }), "holder", Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(20)).build());
    List<RecordedEvent> events = append(store, 20, -1);
    holder.awaitProcessed(last(events), WAIT);

    // An operator's instance that never started resets the processor: it takes the lease over, clears the read model
    // and the checkpoint, and hands the lease back. The holder had nothing new to read meanwhile, so no batch of its
    // found the new fence; when it takes the lease again, it must start from the cleared checkpoint, not its own.
    JdbcProcessors.transactional(config, name, store, table.projection(Counted.class, "operator", event -> { }),
        "operator", Duration.ofSeconds(1)).build().reset();

    List<RecordedEvent> expected = store.readAll(Position.START, 100_000).stream()
        .filter(e -> e.payload() instanceof Counted).toList();
    await("the idle holder to replay every event", () -> table.applications().size() == expected.size());
    Map<UUID, Integer> applied = table.applications();
    assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(ids(expected));
    assertThat(applied.values()).as("the replay applied each event once").containsOnly(1);
    assertThat(table.rowsOf("operator")).isZero();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void a_standby_instance_follows_the_shared_checkpoint_so_its_callers_can_wait(Supplier<JdbcConfig> database)
      throws Exception {
    prepare(database.get(), "standby-waits");
    TrackingProcessor second = processingAndStandby(config, store, table, name, Duration.ofSeconds(5)).get(1);

    for (int round = 0; round < 20; round++) {
      List<RecordedEvent> events = append(store, 5, -1);
      assertThat(second.awaitPosition(last(events), WAIT)).as("round %d", round).isTrue();
      assertThat(table.applications().keySet()).containsAll(ids(events));
    }
    assertThat(second.status()).isEqualTo(ProcessorStatus.STANDBY);
    assertThat(table.rowsOf("second")).isZero();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void two_writers_each_read_their_own_writes_through_one_transactional_processor(Supplier<JdbcConfig> database)
      throws Exception {
    prepare(database.get(), "read-own-writes");
    TrackingProcessor processor = started(JdbcProcessors.transactional(config, name, store,
        table.projection(Counted.class, "a", e -> { })).build()); // default settings, as an application has them
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<UUID> written = new ConcurrentLinkedQueue<>();
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      Thread writer = new Thread(() -> {
        try {
          for (int i = 0; i < 100; i++) {
            RecordedEvent event = append(store, 1, -1).get(0);
            written.add(event.eventId());
            processor.awaitProcessed(event.position(), Duration.ofSeconds(20));
            if (!table.applications().containsKey(event.eventId())) {
              failures.add(new AssertionError("processed " + event + " but its row is not readable"));
            }
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      writer.start();
      writers.add(writer);
    }
    for (Thread writer : writers) {
      writer.join();
    }
    assertThat(failures).isEmpty();
    assertThat(table.applications()).containsOnlyKeys(written).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
  }

  @ParameterizedTest
  @MethodSource("databases")
  void a_retried_dead_letter_is_applied_once_even_when_the_retry_loses_its_acknowledgement(
      Supplier<JdbcConfig> database) throws Exception {
    prepare(database.get(), "retry-once");
    FaultyDataSource faulty = FaultyDataSource.wrap(config.dataSource());
    JdbcConfig processorConfig = on(config, faulty);
    AtomicBoolean fixed = new AtomicBoolean();
    TrackingProcessor processor = started(JdbcProcessors.transactional(processorConfig, name, store,
        table.projection(Counted.class, "a", event -> {
          if (!fixed.get()) {
            refusePoison("refused").after(event);
          }
        })).batchSize(10).pollInterval(Duration.ofMillis(10))
        .deadLetters(JdbcDeadLetterStore.create(processorConfig, TestDatabases.codec(TYPES)))
        .retryPolicy(RetryPolicy.exponential(2, Duration.ofMillis(1), Duration.ofMillis(2))).build());
    List<RecordedEvent> events = append(store, 5, 2);
    processor.awaitProcessed(last(events), WAIT);
    DeadLetter parked = processor.deadLetters().get(0);
    assertThat(parked.event().eventId()).isEqualTo(events.get(2).eventId());
    processor.stop();

    fixed.set(true);
    faulty.loseAcknowledgementOfNextCommits(1); // the retry commits, then the caller hears of a dropped connection
    assertThatThrownBy(() -> processor.retryDeadLetter(parked.id())).isInstanceOf(TransientException.class);
    assertThat(faulty.faultsInjected()).isEqualTo(1);
    assertThat(processor.deadLetters()).as("the retry committed with the removal").isEmpty();
    assertThatThrownBy(() -> processor.retryDeadLetter(parked.id())).isInstanceOf(NoSuchElementException.class);

    Map<UUID, Integer> applied = table.applications();
    assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(ids(events));
    assertThat(applied.values()).as("the parked event applied once by its retry").containsOnly(1);
  }

  @Test
  void a_dead_letter_of_a_transactional_processor_gets_the_same_id_when_parked_again() {
    UUID processorA = DeadLetter.idFor("a", UUID.fromString("00000000-0000-7000-8000-000000000001"));
    assertThat(processorA).isEqualTo(DeadLetter.idFor("a", UUID.fromString("00000000-0000-7000-8000-000000000001")));
    assertThat(processorA).isNotEqualTo(DeadLetter.idFor("b",
        UUID.fromString("00000000-0000-7000-8000-000000000001")));
  }
}
