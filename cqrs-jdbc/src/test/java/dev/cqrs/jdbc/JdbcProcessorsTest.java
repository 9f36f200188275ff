package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.ProcessorStatus;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.RetryPolicy;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.jdbc.internal.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Leases, fencing and exactly-once batches of tracked processors on one database. */
class JdbcProcessorsTest {

  record Counted(String key, int amount) implements Event {
  }

  private static final EventTypes TYPES = EventTypes.builder().register(Counted.class, "Counted", 1).build();

  private final List<TrackingProcessor> processors = new ArrayList<>();
  private final List<JdbcEventStore> stores = new ArrayList<>();
  /** The position of the last event appended; what a writer waits for to read its own writes. */
  private Position lastAppended = Position.START;

  @AfterEach
  void stop() {
    processors.forEach(TrackingProcessor::stop);
    stores.forEach(JdbcEventStore::close);
  }

  /** A read model table that records every application of every event, with the instance that applied it. */
  private static String createAppliedTable(JdbcConfig config) {
    String table = "applied_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Jdbc.withConnection(config, "create", c -> {
      try (Statement statement = c.createStatement()) {
        statement.execute("CREATE TABLE " + table + " (event_id UUID NOT NULL, instance VARCHAR(100) NOT NULL,"
            + " amount INTEGER NOT NULL)");
      }
      return null;
    });
    return table;
  }

  private static JdbcProjection recorder(String table, String instance, CountDownLatch pauseAtSecond,
                                         CountDownLatch resume) {
    return new JdbcProjection() {
      private int applied;

      @Override
      public boolean handles(Class<? extends Event> eventType) {
        return eventType == Counted.class;
      }

      @Override
      public void apply(RecordedEvent event, Connection connection) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO " + table + " (event_id, instance, amount) VALUES (?, ?, ?)")) {
          insert.setObject(1, event.eventId());
          insert.setString(2, instance);
          insert.setInt(3, event.payloadAs(Counted.class).amount());
          insert.executeUpdate();
        }
        if (++applied == 2 && pauseAtSecond != null) {
          pauseAtSecond.countDown();
          try {
            resume.await(60, TimeUnit.SECONDS); // a long pause, as in a GC stall, inside an open batch
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }

      @Override
      public void reset(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
          statement.execute("DELETE FROM " + table);
        }
      }
    };
  }

  private static Map<UUID, Integer> applications(JdbcConfig config, String table) {
    return Jdbc.withConnection(config, "count", c -> {
      Map<UUID, Integer> counts = new HashMap<>();
      try (Statement statement = c.createStatement();
           ResultSet rows = statement.executeQuery("SELECT event_id FROM " + table)) {
        while (rows.next()) {
          counts.merge(rows.getObject(1, UUID.class), 1, Integer::sum);
        }
      }
      return counts;
    });
  }

  private JdbcEventStore store(JdbcConfig config) {
    JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES));
    stores.add(store);
    return store;
  }

  private List<UUID> append(JdbcEventStore store, int count) {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      NewEvent event = NewEvent.of(new Counted("k" + (i % 3), 1));
      lastAppended = store.append("counted-" + UUID.randomUUID(), ExpectedVersion.noStream(), List.of(event))
          .lastPosition();
      ids.add(event.eventId());
    }
    return ids;
  }

  private TrackingProcessor started(TrackingProcessor processor) {
    processors.add(processor);
    processor.start();
    return processor;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void a_transactional_processor_applies_each_event_once_and_commits_the_checkpoint_with_it_on_h2() throws Exception {
    JdbcConfig config = TestDatabases.h2();
    exactlyOnceWithRestarts(config);
  }

  @Test
  void a_transactional_processor_applies_each_event_once_and_commits_the_checkpoint_with_it_on_postgres()
      throws Exception {
    exactlyOnceWithRestarts(TestDatabases.postgres());
  }

  private void exactlyOnceWithRestarts(JdbcConfig config) throws Exception {
    JdbcEventStore store = store(config);
    String table = createAppliedTable(config);
    String name = "exactly-once-" + UUID.randomUUID();
    JdbcCheckpointStore.create(config).save(name, store.head());
    List<UUID> expected = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      TrackingProcessor processor = started(JdbcProcessors.transactional(config, name, store,
          recorder(table, "a", null, null)).batchSize(7).pollInterval(Duration.ofMillis(10)).build());
      expected.addAll(append(store, 40));
      assertThat(processor.awaitPosition(lastAppended, Duration.ofSeconds(60))).isTrue();
      processor.stop();
      expected.addAll(append(store, 5));
    }
    TrackingProcessor last = started(JdbcProcessors.transactional(config, name, store,
        recorder(table, "a", null, null)).pollInterval(Duration.ofMillis(10)).build());
    assertThat(last.awaitPosition(lastAppended, Duration.ofSeconds(60))).isTrue();

    Map<UUID, Integer> applied = applications(config, table);
    assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(applied.values()).containsOnly(1);
    assertThat(JdbcCheckpointStore.create(config).load(name).orElseThrow()).isGreaterThanOrEqualTo(lastAppended);
  }

  @Test
  void two_instances_take_turns_and_never_apply_an_event_twice() throws Exception {
    JdbcConfig config = TestDatabases.postgres();
    JdbcEventStore store = store(config);
    String table = createAppliedTable(config);
    String name = "two-instances-" + UUID.randomUUID();
    JdbcCheckpointStore.create(config).save(name, store.head());
    Duration lease = Duration.ofSeconds(2);
    TrackingProcessor first = started(JdbcProcessors.transactional(config, name, store,
        recorder(table, "first", null, null), "first", lease).pollInterval(Duration.ofMillis(20)).build());
    await("the first instance to take the lease", () -> first.status() == ProcessorStatus.RUNNING);
    TrackingProcessor second = started(JdbcProcessors.transactional(config, name, store,
        recorder(table, "second", null, null), "second", lease).pollInterval(Duration.ofMillis(20)).build());
    await("the second instance to stand by", () -> second.status() == ProcessorStatus.STANDBY);

    List<UUID> expected = new ArrayList<>(append(store, 50));
    assertThat(first.awaitPosition(lastAppended, Duration.ofSeconds(60))).isTrue();
    assertThat(second.status()).isEqualTo(ProcessorStatus.STANDBY);

    first.stop(); // releases the lease: the second takes over at once
    expected.addAll(append(store, 50));
    assertThat(second.awaitPosition(lastAppended, Duration.ofSeconds(60))).isTrue();
    assertThat(second.status()).isEqualTo(ProcessorStatus.RUNNING);

    Map<UUID, Integer> applied = applications(config, table);
    assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(applied.values()).containsOnly(1);
    Map<String, Integer> perInstance = Jdbc.withConnection(config, "per instance", c -> {
      Map<String, Integer> counts = new HashMap<>();
      try (Statement statement = c.createStatement();
           ResultSet rows = statement.executeQuery("SELECT instance, count(*) FROM " + table + " GROUP BY instance")) {
        while (rows.next()) {
          counts.put(rows.getString(1), rows.getInt(2));
        }
      }
      return counts;
    });
    assertThat(perInstance).containsEntry("first", 50).containsEntry("second", 50);
  }

  @Test
  void a_standby_instance_takes_over_when_the_holder_stalls_past_its_renewed_lease() throws Exception {
    JdbcConfig config = TestDatabases.postgres();
    JdbcEventStore store = store(config);
    String table = createAppliedTable(config);
    String name = "take-over-" + UUID.randomUUID();
    JdbcCheckpointStore.create(config).save(name, store.head());
    Duration lease = Duration.ofMillis(400); // renewed for ten lease times, then the stalled batch loses it
    CountDownLatch paused = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    TrackingProcessor stalling = started(JdbcProcessors.transactional(config, name, store,
        recorder(table, "stalling", paused, resume), "stalling", lease)
        .pollInterval(Duration.ofMillis(20)).retryPolicy(RetryPolicy.exponential(1, Duration.ZERO, Duration.ZERO))
        .build());
    await("the stalling instance to take the lease", () -> stalling.status() == ProcessorStatus.RUNNING);
    List<NewEvent> batch = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      batch.add(NewEvent.of(new Counted("stall", 1)));
    }
    lastAppended = store.append("stall-" + UUID.randomUUID(), ExpectedVersion.noStream(), batch).lastPosition();
    List<UUID> expected = new ArrayList<>(batch.stream().map(NewEvent::eventId).toList());
    assertThat(paused.await(60, TimeUnit.SECONDS)).isTrue(); // stalled in the middle of its first batch

    TrackingProcessor healthy = started(JdbcProcessors.transactional(config, name, store,
        recorder(table, "healthy", null, null), "healthy", lease).pollInterval(Duration.ofMillis(20)).build());
    await("the healthy instance to take over the expired lease", () -> healthy.status() == ProcessorStatus.RUNNING);
    assertThat(healthy.awaitPosition(lastAppended, Duration.ofSeconds(60))).isTrue();

    resume.countDown(); // the stale holder wakes up and tries to commit its batch
    await("the stale holder to notice it lost the lease", () -> stalling.status() == ProcessorStatus.STANDBY);
    expected.addAll(append(store, 10));
    assertThat(healthy.awaitPosition(lastAppended, Duration.ofSeconds(60))).isTrue();

    Map<UUID, Integer> applied = applications(config, table);
    assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(applied.values()).as("no event applied twice").containsOnly(1);
    Position checkpoint = JdbcCheckpointStore.create(config).load(name).orElseThrow();
    assertThat(checkpoint).isGreaterThanOrEqualTo(lastAppended);
    int staleRows = Jdbc.withConnection(config, "stale rows", c -> {
      try (Statement statement = c.createStatement();
           ResultSet rows = statement.executeQuery(
               "SELECT count(*) FROM " + table + " WHERE instance = 'stalling'")) {
        rows.next();
        return rows.getInt(1);
      }
    });
    assertThat(staleRows).as("rows the stale holder committed").isZero();
  }

  @Test
  void a_failing_event_aborts_the_batch_which_runs_again_with_savepoints_and_parks_only_that_event()
      throws Exception {
    JdbcConfig config = TestDatabases.postgres();
    JdbcEventStore store = store(config);
    String table = createAppliedTable(config);
    String name = "poison-" + UUID.randomUUID();
    JdbcCheckpointStore.create(config).save(name, store.head());
    JdbcProjection failing = new JdbcProjection() {
      @Override
      public boolean handles(Class<? extends Event> eventType) {
        return eventType == Counted.class;
      }

      @Override
      public void apply(RecordedEvent event, Connection connection) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO " + table + " (event_id, instance, amount) VALUES (?, 'x', ?)")) {
          insert.setObject(1, event.eventId());
          insert.setInt(2, event.payloadAs(Counted.class).amount());
          insert.executeUpdate();
        }
        if (event.payloadAs(Counted.class).amount() == 13) {
          try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1 / 0"); // aborts the whole PostgreSQL transaction
          }
        }
      }
    };
    TrackingProcessor processor = startedWithDeadLetters(config, name, store, failing);
    List<NewEvent> events = appendThirtyWithPoisonAt17(store);

    assertThat(processor.awaitPosition(lastAppended, Duration.ofSeconds(60))).isTrue();
    Map<UUID, Integer> applied = applications(config, table);
    List<UUID> expected = new ArrayList<>(events.stream().map(NewEvent::eventId).toList());
    UUID poison = expected.remove(17);
    assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(applied.values()).containsOnly(1);
    assertThat(processor.deadLetters()).singleElement()
        .satisfies(letter -> {
          assertThat(letter.event().eventId()).isEqualTo(poison);
          assertThat(letter.error()).contains("division by zero");
        });
    assertThat(processor.status()).isEqualTo(ProcessorStatus.RUNNING);
  }

  /** A transactional processor in batches of 50 that parks an event after two failed attempts. */
  private TrackingProcessor startedWithDeadLetters(JdbcConfig config, String name, JdbcEventStore store,
                                                   JdbcProjection projection) {
    JdbcDeadLetterStore deadLetters = JdbcDeadLetterStore.create(config, TestDatabases.codec(TYPES));
    return started(JdbcProcessors.transactional(config, name, store, projection)
        .batchSize(50).pollInterval(Duration.ofMillis(10)).deadLetters(deadLetters)
        .retryPolicy(RetryPolicy.exponential(2, Duration.ofMillis(1), Duration.ofMillis(2))).build());
  }

  /** Appends 30 events in one append; the 18th (index 17) has amount 13, which the projections refuse. */
  private List<NewEvent> appendThirtyWithPoisonAt17(JdbcEventStore store) {
    List<NewEvent> events = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      events.add(NewEvent.of(new Counted("k", i == 17 ? 13 : 1)));
    }
    lastAppended = store.append("batch-" + UUID.randomUUID(), ExpectedVersion.noStream(), events).lastPosition();
    return events;
  }

  /** Inserts a whole batch with one JDBC batch; records each call; {@code apply} fails only for amount 13. */
  private static final class BatchWriter implements JdbcProjection {
    private final String table;
    final List<List<RecordedEvent>> calls = java.util.Collections.synchronizedList(new ArrayList<>());
    final java.util.concurrent.atomic.AtomicInteger singles = new java.util.concurrent.atomic.AtomicInteger();

    BatchWriter(String table) {
      this.table = table;
    }

    @Override
    public boolean handles(Class<? extends Event> eventType) {
      return eventType == Counted.class;
    }

    @Override
    public void applyBatch(List<RecordedEvent> events, Connection connection) throws SQLException {
      calls.add(List.copyOf(events));
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO " + table + " (event_id, instance, amount) VALUES (?, 'batch', ?)")) {
        for (RecordedEvent event : events) {
          insert.setObject(1, event.eventId());
          insert.setInt(2, event.payloadAs(Counted.class).amount());
          insert.addBatch();
        }
        insert.executeBatch();
      }
      if (events.stream().anyMatch(e -> e.payloadAs(Counted.class).amount() == 13)) {
        throw new SQLException("amount 13 is refused, after the batch was written");
      }
    }

    @Override
    public void apply(RecordedEvent event, Connection connection) throws SQLException {
      singles.incrementAndGet();
      if (event.payloadAs(Counted.class).amount() == 13) {
        throw new SQLException("amount 13 is refused");
      }
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO " + table + " (event_id, instance, amount) VALUES (?, 'single', ?)")) {
        insert.setObject(1, event.eventId());
        insert.setInt(2, event.payloadAs(Counted.class).amount());
        insert.executeUpdate();
      }
    }
  }

  @Test
  void a_transactional_processor_writes_each_batch_with_one_apply_batch_call_on_h2() throws Exception {
    oneApplyBatchPerBatch(TestDatabases.h2());
  }

  @Test
  void a_transactional_processor_writes_each_batch_with_one_apply_batch_call_on_postgres() throws Exception {
    oneApplyBatchPerBatch(TestDatabases.postgres());
  }

  private void oneApplyBatchPerBatch(JdbcConfig config) throws Exception {
    JdbcEventStore store = store(config);
    String table = createAppliedTable(config);
    String name = "batches-" + UUID.randomUUID();
    JdbcCheckpointStore.create(config).save(name, store.head());
    List<UUID> expected = new ArrayList<>();
    for (int a = 0; a < 20; a++) {
      List<NewEvent> events = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        events.add(NewEvent.of(new Counted("k", 1)));
      }
      lastAppended = store.append("batches-" + UUID.randomUUID(), ExpectedVersion.noStream(), events)
          .lastPosition();
      events.forEach(e -> expected.add(e.eventId()));
    }
    BatchWriter writer = new BatchWriter(table);
    TrackingProcessor processor = started(JdbcProcessors.transactional(config, name, store, writer)
        .batchSize(100).pollInterval(Duration.ofMillis(10)).build());

    assertThat(processor.awaitPosition(lastAppended, Duration.ofSeconds(60))).isTrue();
    Map<UUID, Integer> applied = applications(config, table);
    assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(applied.values()).containsOnly(1);
    assertThat(writer.singles).hasValue(0);
    assertThat(writer.calls).allSatisfy(call -> {
      assertThat(call).isNotEmpty().hasSizeLessThanOrEqualTo(100);
      assertThat(call).extracting(RecordedEvent::position).isSorted();
    });
    List<UUID> inCalls = writer.calls.stream().flatMap(List::stream).map(RecordedEvent::eventId).toList();
    assertThat(inCalls).containsExactlyElementsOf(expected);
    assertThat(writer.calls).hasSizeGreaterThanOrEqualTo(10);
  }

  @Test
  void a_failing_apply_batch_runs_the_batch_again_event_by_event_and_parks_only_the_failing_event()
      throws Exception {
    JdbcConfig config = TestDatabases.postgres();
    JdbcEventStore store = store(config);
    String table = createAppliedTable(config);
    String name = "batch-poison-" + UUID.randomUUID();
    JdbcCheckpointStore.create(config).save(name, store.head());
    BatchWriter writer = new BatchWriter(table);
    TrackingProcessor processor = startedWithDeadLetters(config, name, store, writer);
    List<NewEvent> events = appendThirtyWithPoisonAt17(store);

    assertThat(processor.awaitPosition(lastAppended, Duration.ofSeconds(60))).isTrue();
    Map<UUID, Integer> applied = applications(config, table);
    List<UUID> expected = new ArrayList<>(events.stream().map(NewEvent::eventId).toList());
    UUID poison = expected.remove(17);
    assertThat(applied.keySet()).as("the failed batch write was rolled back").containsExactlyInAnyOrderElementsOf(
        expected);
    assertThat(applied.values()).containsOnly(1);
    // the batch ran again event by event up to the failing event (index 17), and committed what came before it
    assertThat(writer.singles.get()).as("the batch ran again event by event").isGreaterThanOrEqualTo(18);
    assertThat(processor.deadLetters()).singleElement()
        .satisfies(letter -> assertThat(letter.event().eventId()).isEqualTo(poison));
    assertThat(processor.status()).isEqualTo(ProcessorStatus.RUNNING);

    // the next batch is written in one call again
    int callsBefore = writer.calls.size();
    lastAppended = store.append("batch-" + UUID.randomUUID(), ExpectedVersion.noStream(),
        List.of(NewEvent.of(new Counted("k", 1)), NewEvent.of(new Counted("k", 1)))).lastPosition();
    assertThat(processor.awaitPosition(lastAppended, Duration.ofSeconds(60))).isTrue();
    assertThat(writer.calls.size()).isGreaterThan(callsBefore);
    assertThat(writer.calls.get(writer.calls.size() - 1)).hasSize(2);
  }

  @Test
  void lease_settings_are_checked() {
    JdbcConfig config = TestDatabases.h2();
    JdbcEventStore store = store(config);
    JdbcProjection projection = recorder("unused", "x", null, null);
    assertThatThrownBy(() -> JdbcProcessors.transactional(config, "p", store,
        projection, " ", Duration.ofSeconds(1))).hasMessageContaining("instance");
    assertThatThrownBy(() -> JdbcProcessors.transactional(config, "p", store,
        projection, "i", Duration.ofMillis(10))).hasMessageContaining("leaseDuration must be between 300 ms");
  }
}
