package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.ProcessorNotReadyException;
import dev.cqrs.core.ProcessorStatus;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.RetryPolicy;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.jdbc.internal.Jdbc;
import dev.cqrs.test.faults.FaultyDataSource;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Segmented transactional processors on several instances of one database: the instances share the segments, take
 * over a dead instance's segments within the lease time, and every event is applied exactly once, each stream in
 * order, also across a reset and a change of the segment count.
 */
class SegmentedProcessorsTest {

  record Counted(String key, int amount) implements Event {
  }

  private static final EventTypes TYPES = EventTypes.builder().register(Counted.class, "Counted", 1).build();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration LEASE = Duration.ofSeconds(2);

  private final List<TrackingProcessor> processors = new ArrayList<>();
  private JdbcConfig config;
  private JdbcEventStore store;
  private String table;
  private String name;
  /** The prefix of this test's streams. */
  private String streams;

  static Stream<Supplier<JdbcConfig>> databases() {
    return Stream.of(TestDatabases::h2, () -> TestDatabases.postgres("segments_"));
  }

  @AfterEach
  void stop() {
    processors.forEach(processor -> processor.stop(Duration.ofSeconds(5)));
    if (store != null) {
      store.close();
    }
  }

  private void prepare(JdbcConfig database) {
    config = database;
    store = JdbcEventStore.create(database, TestDatabases.codec(TYPES));
    name = "segmented-" + UUID.randomUUID();
    table = "applied_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Jdbc.withConnection(config, "create", c -> {
      try (Statement statement = c.createStatement()) {
        statement.execute("CREATE TABLE " + table + " (n BIGINT GENERATED ALWAYS AS IDENTITY, event_id UUID NOT NULL,"
            + " stream_id VARCHAR(100) NOT NULL, version BIGINT NOT NULL, instance VARCHAR(100) NOT NULL)");
      }
      return null;
    });
    // Start near the head; the projection also ignores streams of other tests, which on PostgreSQL may still be
    // committing below the head the fence shows.
    JdbcCheckpointStore.create(database).save(name, store.head());
    streams = "counter-" + UUID.randomUUID().toString().substring(0, 8) + "-";
  }

  /** A configuration whose connections all fail once {@code dead} is set: the instance's process is gone. */
  private JdbcConfig killable(AtomicBoolean dead) {
    DataSource target = config.dataSource();
    DataSource dataSource = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
          if (method.getName().equals("getConnection") && dead.get()) {
            throw new SQLTransientConnectionException("the instance was killed");
          }
          try {
            return method.invoke(target, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
    return JdbcConfig.builder(dataSource).database(config.database()).schema(config.schema())
        .tablePrefix(config.tablePrefix()).build();
  }

  private TrackingProcessor instance(JdbcConfig on, String instance, int segments) {
    return instance(on, instance, segments, builder -> builder);
  }

  private TrackingProcessor instance(JdbcConfig on, String instance, int segments,
                                     java.util.function.UnaryOperator<TrackingProcessor.Builder> tuned) {
    JdbcProjection projection = new JdbcProjection() {
      @Override
      public boolean handles(Class<? extends Event> eventType) {
        return eventType == Counted.class;
      }

      @Override
      public void apply(RecordedEvent event, Connection connection) throws SQLException {
        if (!event.streamId().startsWith(streams)) {
          return;
        }
        if (event.payloadAs(Counted.class).amount() < 0) {
          throw new SQLException("poison " + event.eventId());
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table
            + " (event_id, stream_id, version, instance) VALUES (?, ?, ?, ?)")) {
          insert.setObject(1, event.eventId());
          insert.setString(2, event.streamId());
          insert.setLong(3, event.version());
          insert.setString(4, instance);
          insert.executeUpdate();
        }
      }

      @Override
      public void reset(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
          statement.execute("DELETE FROM " + table);
        }
      }
    };
    TrackingProcessor processor = tuned.apply(JdbcProcessors.transactional(on, name, store, projection, instance, LEASE)
        .segments(segments).batchSize(40).pollInterval(Duration.ofMillis(50))).build();
    processors.add(processor);
    processor.start();
    return processor;
  }

  /** Appends {@code perStream} events to each of {@code count} new streams, from four threads. */
  private List<RecordedEvent> append(int count, int perStream) throws Exception {
    ExecutorService writers = Executors.newFixedThreadPool(4);
    List<RecordedEvent> all = java.util.Collections.synchronizedList(new ArrayList<>());
    String run = streams + UUID.randomUUID().toString().substring(0, 8) + "-";
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        running.add(writers.submit(() -> {
          for (int s = writer; s < count; s += 4) {
            String stream = run + s;
            for (int i = 0; i < perStream; i++) {
              all.addAll(store.append(stream, ExpectedVersion.exactly(i),
                  List.of(NewEvent.of(new Counted(stream, i)))).events());
            }
          }
          return null;
        }));
      }
      for (Future<?> future : running) {
        future.get(2, TimeUnit.MINUTES);
      }
    } finally {
      writers.shutdownNow();
    }
    return all;
  }

  /** The applied rows in the order they were written: event id, stream, version, instance. */
  private List<Object[]> applied() {
    return Jdbc.withConnection(config, "read", c -> {
      List<Object[]> rows = new ArrayList<>();
      try (Statement statement = c.createStatement();
           ResultSet result = statement.executeQuery(
               "SELECT event_id, stream_id, version, instance FROM " + table + " ORDER BY n")) {
        while (result.next()) {
          rows.add(new Object[] {result.getObject(1, UUID.class), result.getString(2), result.getLong(3),
              result.getString(4)});
        }
      }
      return rows;
    });
  }

  /** Every event applied exactly once, and each stream's events in version order. */
  private void assertEveryEventOnceInStreamOrder(List<RecordedEvent> appended) {
    List<Object[]> rows = applied();
    Map<UUID, Integer> times = new HashMap<>();
    Map<String, Long> last = new HashMap<>();
    for (Object[] row : rows) {
      times.merge((UUID) row[0], 1, Integer::sum);
      long previous = last.getOrDefault((String) row[1], 0L);
      assertThat((long) row[2]).as("version applied after %d in %s", previous, row[1]).isEqualTo(previous + 1);
      last.put((String) row[1], (long) row[2]);
    }
    for (RecordedEvent event : appended) {
      assertThat(times.get(event.eventId())).as("applications of %s", event).isEqualTo(1);
    }
    assertThat(rows).hasSize(appended.size());
  }

  /** Live segment leases per owner. */
  private Map<String, Integer> segmentsPerOwner(int segments) {
    return Jdbc.withConnection(config, "leases", c -> {
      Map<String, Integer> owners = new HashMap<>();
      try (PreparedStatement select = c.prepareStatement("SELECT processor, owner FROM " + config.table("leases")
          + " WHERE expires_at > " + (config.database() == Database.POSTGRESQL ? "now()" : "CURRENT_TIMESTAMP"))) {
        try (ResultSet result = select.executeQuery()) {
          while (result.next()) {
            if (result.getString(1).startsWith(name + "[") && result.getString(1).endsWith("/" + segments + "]")) {
              owners.merge(result.getString(2), 1, Integer::sum);
            }
          }
        }
      }
      return owners;
    });
  }

  /**
   * The newest of the appended positions: what a writer waits for to read its writes. Not {@code store.head()}, which
   * on PostgreSQL stays below events committed while other transactions (the processors' own batches) are open.
   */
  private static Position last(List<RecordedEvent> appended) {
    return appended.stream().map(RecordedEvent::position).max(Position::compareTo).orElseThrow();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void three_instances_share_four_segments_take_over_a_killed_one_and_apply_every_event_once(
      Supplier<JdbcConfig> database) throws Exception {
    prepare(database.get());
    AtomicBoolean killed = new AtomicBoolean();
    TrackingProcessor a = instance(config, "a", 4);
    instance(config, "b", 4);
    instance(killable(killed), "c", 4);
    await("three instances sharing the four segments", () -> {
      Map<String, Integer> owners = segmentsPerOwner(4);
      return owners.size() == 3 && owners.values().stream().mapToInt(Integer::intValue).sum() == 4
          && owners.values().stream().allMatch(n -> n <= 2);
    });

    List<RecordedEvent> appended = new ArrayList<>(append(40, 25));
    await("instance c to apply some events", () -> applied().stream().anyMatch(row -> row[3].equals("c")));
    killed.set(true); // c can no longer commit, renew or release: its leases expire
    appended.addAll(append(40, 25));
    Position head = last(appended);
    a.awaitProcessed(head, WAIT);

    assertEveryEventOnceInStreamOrder(appended);
    await("the two live instances to hold all four segments", () -> { // a hand-over between them may be under way
      Map<String, Integer> owners = segmentsPerOwner(4);
      return !owners.containsKey("c") && owners.values().stream().mapToInt(Integer::intValue).sum() == 4;
    });

    a.reset(); // from one instance: the read model is rebuilt once, by whichever instances hold the segments
    await("the rebuilt read model", () -> applied().size() == appended.size() && a.checkpoint().compareTo(head) >= 0);
    a.awaitProcessed(head, WAIT);
    assertEveryEventOnceInStreamOrder(appended);
  }

  @ParameterizedTest
  @MethodSource("databases")
  void a_new_count_waits_for_the_instances_with_the_old_one_then_resizes_without_loss_or_repeat(
      Supplier<JdbcConfig> database) throws Exception {
    prepare(database.get());
    TrackingProcessor old1 = instance(config, "old-1", 2);
    TrackingProcessor old2 = instance(config, "old-2", 2);
    List<RecordedEvent> appended = new ArrayList<>(append(20, 20));
    old1.awaitProcessed(appended.get(appended.size() / 2).position(), WAIT);

    TrackingProcessor resized = instance(config, "new-1", 3);
    assertThat(resized.status()).isEqualTo(ProcessorStatus.STANDBY);
    assertThatThrownBy(() -> resized.awaitProcessed(appended.get(0).position(), Duration.ofMillis(100)))
        .isInstanceOf(ProcessorNotReadyException.class).hasMessageContaining("waits to resize to 3 segments")
        .hasMessageContaining("another instance still processes segment " + name + "[");
    appended.addAll(append(20, 10));
    old1.stop();
    old2.stop(); // now the new count may take over
    // at once, before the resized instance has looked again: a wait with time left waits for the resize
    resized.awaitProcessed(last(appended), WAIT);

    TrackingProcessor second = instance(config, "new-2", 3);
    appended.addAll(append(20, 10));
    Position head = last(appended);
    resized.awaitProcessed(head, WAIT);
    second.awaitProcessed(head, WAIT);
    assertEveryEventOnceInStreamOrder(appended);
    assertThat(applied().stream().map(row -> (String) row[3]).distinct())
        .as("instances that applied events").containsAnyOf("old-1", "old-2").containsAnyOf("new-1", "new-2");
  }

  @ParameterizedTest
  @MethodSource("databases")
  void lost_commit_acknowledgements_and_a_poison_event_with_a_second_instance_keep_every_event_once(
      Supplier<JdbcConfig> database) throws Exception {
    prepare(database.get());
    FaultyDataSource faulty = FaultyDataSource.wrap(config.dataSource());
    JdbcConfig onFaulty = JdbcConfig.builder(faulty).database(config.database()).schema(config.schema())
        .tablePrefix(config.tablePrefix()).build();
    JdbcDeadLetterStore parked = JdbcDeadLetterStore.create(config, TestDatabases.codec(TYPES));
    java.util.function.UnaryOperator<TrackingProcessor.Builder> parking = builder -> builder.deadLetters(parked)
        .retryPolicy(RetryPolicy.exponential(2, Duration.ofMillis(1), Duration.ofMillis(2)));
    TrackingProcessor a = instance(onFaulty, "a", 4, parking);
    TrackingProcessor b = instance(config, "b", 4, parking);
    await("two instances sharing the four segments", () -> segmentsPerOwner(4).size() == 2);

    List<RecordedEvent> appended = new ArrayList<>(append(40, 10));
    faulty.loseAcknowledgementOfNextCommits(6); // a's next commits happen, but a is told they failed
    RecordedEvent poison = store.append(streams + "poison", ExpectedVersion.noStream(),
        List.of(NewEvent.of(new Counted(streams + "poison", -1)))).events().get(0);
    appended.addAll(append(40, 10));
    Position head = last(appended).compareTo(poison.position()) > 0 ? last(appended) : poison.position();
    a.awaitProcessed(head, WAIT);
    b.awaitProcessed(head, WAIT);

    assertEveryEventOnceInStreamOrder(appended);
    await("six commits of instance a whose acknowledgement was lost", () -> faulty.faultsInjected() == 6);
    await("the poison event parked once, seen by both instances", () -> a.deadLetters().size() == 1
        && b.deadLetters().size() == 1);
    assertThat(a.deadLetters()).singleElement().satisfies(letter -> {
      assertThat(letter.event().eventId()).isEqualTo(poison.eventId());
      assertThat(letter.processor()).isEqualTo(dev.cqrs.core.Segment.of(poison.streamId(), 4).processorName(name));
    });
    assertThat(a.status()).isIn(ProcessorStatus.RUNNING, ProcessorStatus.STANDBY);
    assertThat(b.status()).isIn(ProcessorStatus.RUNNING, ProcessorStatus.STANDBY);
  }
}
