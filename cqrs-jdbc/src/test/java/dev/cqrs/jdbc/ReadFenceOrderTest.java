package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.AppendResult;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.inmemory.InMemoryCheckpointStore;
import dev.cqrs.jdbc.internal.Jdbc;
import java.sql.Connection;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The read fence on PostgreSQL holds readers back only for transactions that append: a session that writes other
 * tables and stays open does not delay delivery, a transaction that wrote elsewhere first and appends late is read
 * once, after what readers had already seen, and an appending transaction (open, prepared, or rolled back to a
 * savepoint) holds readers exactly as long as its events may still commit. Every test checks the processor's log
 * against the store's final global order: every event once, in that order.
 */
class ReadFenceOrderTest {

  record Noted(String text) implements Event {
  }

  private static final EventTypes TYPES = EventTypes.builder().register(Noted.class, "Noted", 1).build();

  private JdbcConfig config;
  private JdbcEventStore store;
  private Position start;
  private final List<UUID> log = new CopyOnWriteArrayList<>();
  private final Map<UUID, Long> arrivals = new ConcurrentHashMap<>();
  private TrackingProcessor processor;
  private String unrelated;

  @BeforeEach
  void tail() {
    config = TestDatabases.postgres("fence_order_");
    store = JdbcEventStore.create(config, TestDatabases.codec(TYPES));
    start = store.head();
    InMemoryCheckpointStore checkpoints = InMemoryCheckpointStore.create();
    checkpoints.save("tail", start);
    Projection logger = Projection.builder().on(Noted.class, (noted, recorded) -> {
      arrivals.put(recorded.eventId(), System.nanoTime());
      log.add(recorded.eventId());
    }).build();
    processor = TrackingProcessor.builder("tail", store, logger, checkpoints).pollInterval(Duration.ofMillis(50))
        .build();
    processor.start();
    unrelated = "unrelated_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Jdbc.withConnection(config, "create", c -> {
      try (Statement statement = c.createStatement()) {
        statement.execute("CREATE TABLE " + unrelated + " (x int)");
      }
      return null;
    });
  }

  @AfterEach
  void stop() {
    processor.stop();
    store.close();
  }

  private AppendResult append(String text) {
    return store.append("other-" + UUID.randomUUID(), ExpectedVersion.noStream(), List.of(NewEvent.of(new Noted(text))));
  }

  /** A connection in a transaction that has written the unrelated table, so it holds a transaction id. */
  private Connection wroteElsewhere(int isolation) throws Exception {
    Connection connection = config.dataSource().getConnection();
    connection.setAutoCommit(false);
    connection.setTransactionIsolation(isolation);
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate("INSERT INTO " + unrelated + " VALUES (1)");
    }
    return connection;
  }

  private void awaitDelivered(Position position) throws InterruptedException {
    assertThat(processor.awaitPosition(position, Duration.ofSeconds(30))).as("delivered up to %s", position).isTrue();
  }

  /** The processor's log is the store's global order after the start: every event once, in that order. */
  private List<RecordedEvent> assertLogIsTheFinalOrder() {
    List<RecordedEvent> all = new ArrayList<>();
    Position after = start;
    List<RecordedEvent> page;
    while (!(page = store.readAll(after, 500)).isEmpty()) {
      all.addAll(page);
      after = page.get(page.size() - 1).position();
    }
    assertThat(log).as("the processor's log").containsExactlyElementsOf(all.stream().map(RecordedEvent::eventId)
        .toList());
    return all;
  }

  @Test
  void sessions_open_for_a_minute_after_writing_other_tables_delay_no_delivery() throws Exception {
    try (Connection idle = wroteElsewhere(Connection.TRANSACTION_READ_COMMITTED);
         Connection prepared = wroteElsewhere(Connection.TRANSACTION_READ_COMMITTED)) {
      String gid = "unrelated-" + UUID.randomUUID();
      try (Statement statement = prepared.createStatement()) {
        statement.execute("PREPARE TRANSACTION '" + gid + "'");
      }
      try {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int appended = 0;
        while (System.nanoTime() < end) {
          AppendResult result = append("during the idle session " + appended++);
          long returned = System.nanoTime();
          UUID id = result.events().get(0).eventId();
          long deadline = returned + Duration.ofSeconds(1).toNanos();
          while (!arrivals.containsKey(id) && System.nanoTime() < deadline) {
            Thread.sleep(5);
          }
          assertThat(arrivals).as("event %d delivered within a second of its append", appended).containsKey(id);
          assertThat(arrivals.get(id) - returned).isLessThan(Duration.ofSeconds(1).toNanos());
          assertThat(store.head()).as("the head includes it at once").isEqualTo(result.lastPosition());
          assertThat(store.readFence()).as("no appending transaction holds readers back").isEmpty();
          Thread.sleep(1000);
        }
        assertThat(appended).isGreaterThanOrEqualTo(25);
      } finally {
        idle.rollback();
        Jdbc.withConnection(config, "rollback prepared", c -> {
          try (Statement statement = c.createStatement()) {
            statement.execute("ROLLBACK PREPARED '" + gid + "'");
          }
          return null;
        });
      }
      assertLogIsTheFinalOrder();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {Connection.TRANSACTION_READ_COMMITTED, Connection.TRANSACTION_REPEATABLE_READ,
      Connection.TRANSACTION_SERIALIZABLE})
  void a_transaction_that_wrote_elsewhere_first_and_appends_late_is_read_once_after_what_readers_saw(int isolation)
      throws Exception {
    try (Connection late = wroteElsewhere(isolation)) {
      Position seen = Position.START;
      for (int i = 0; i < 50; i++) {
        seen = append("before the late append " + i).lastPosition();
      }
      awaitDelivered(seen); // readers have passed the late transaction's own id
      AppendResult first = store.append(late, "late-" + UUID.randomUUID(), ExpectedVersion.noStream(),
          List.of(NewEvent.of(new Noted("late 1")), NewEvent.of(new Noted("late 2"))));
      Position between = append("while the late transaction is open").lastPosition();
      AppendResult second = store.append(late, "late-" + UUID.randomUUID(), ExpectedVersion.noStream(),
          List.of(NewEvent.of(new Noted("late 3"))));
      Thread.sleep(300);
      assertThat(log).as("nothing of the open transaction is read").doesNotContain(first.events().get(0).eventId());
      late.commit();
      Position after = append("after the late commit").lastPosition();
      awaitDelivered(after);

      List<RecordedEvent> all = assertLogIsTheFinalOrder();
      assertThat(all).hasSize(55);
      assertThat(first.lastPosition()).as("the late events sort after what readers had seen").isGreaterThan(seen);
      assertThat(second.lastPosition()).isGreaterThan(first.lastPosition());
      assertThat(all.stream().map(RecordedEvent::position)).contains(first.events().get(0).position(),
          first.lastPosition(), second.lastPosition(), between);
    }
  }

  @Test
  void a_prepared_transaction_that_appended_holds_readers_until_it_commits_and_is_read_once() throws Exception {
    String gid = "appended-" + UUID.randomUUID();
    AppendResult prepared;
    try (Connection connection = config.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      prepared = store.append(connection, "prepared-" + UUID.randomUUID(), ExpectedVersion.noStream(),
          List.of(NewEvent.of(new Noted("prepared"))));
      try (Statement statement = connection.createStatement()) {
        statement.execute("PREPARE TRANSACTION '" + gid + "'");
      }
      connection.setAutoCommit(true);
    }
    Position later = Position.START;
    for (int i = 0; i < 20; i++) {
      later = append("behind the prepared transaction " + i).lastPosition();
    }
    Thread.sleep(500);
    assertThat(log).as("nothing after the prepared transaction's key is read while it may commit").isEmpty();
    Optional<ReadFence> fence = store.readFence();
    assertThat(fence).hasValueSatisfying(f -> {
      assertThat(f.state()).isEqualTo("prepared");
      assertThat(f.holder()).isEqualTo(gid);
      assertThat(f.pid()).isZero();
    });
    Jdbc.withConnection(config, "commit prepared", c -> {
      try (Statement statement = c.createStatement()) {
        statement.execute("COMMIT PREPARED '" + gid + "'");
      }
      return null;
    });
    awaitDelivered(later);
    List<RecordedEvent> all = assertLogIsTheFinalOrder();
    assertThat(all).hasSize(21);
    assertThat(all.get(0).eventId()).isEqualTo(prepared.events().get(0).eventId());
    assertThat(store.readFence()).isEmpty();
  }

  @Test
  void an_append_rolled_back_to_its_savepoint_stops_holding_readers_and_a_later_one_is_read_once()
      throws Exception {
    try (Connection connection = config.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      Savepoint savepoint = connection.setSavepoint();
      AppendResult undone = store.append(connection, "undone-" + UUID.randomUUID(), ExpectedVersion.noStream(),
          List.of(NewEvent.of(new Noted("undone"))));
      assertThat(store.readFence()).as("an appending transaction holds readers back").isPresent();
      connection.rollback(savepoint);
      assertThat(store.readFence()).as("not once its append is rolled back").isEmpty();

      Position behind = Position.START;
      for (int i = 0; i < 20; i++) {
        behind = append("while the transaction stays open " + i).lastPosition();
      }
      awaitDelivered(behind); // the open transaction no longer holds anything back
      AppendResult kept = store.append(connection, "kept-" + UUID.randomUUID(), ExpectedVersion.noStream(),
          List.of(NewEvent.of(new Noted("kept"))));
      connection.commit();
      Position last = append("after the commit").lastPosition();
      awaitDelivered(last);

      List<RecordedEvent> all = assertLogIsTheFinalOrder();
      assertThat(all).hasSize(22);
      assertThat(all).extracting(RecordedEvent::eventId).contains(kept.events().get(0).eventId())
          .doesNotContain(undone.events().get(0).eventId());
      assertThat(kept.lastPosition()).isGreaterThan(behind);
    }
  }
}
