package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.RetryPolicy;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.core.TransientException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stops and starts again while a writer appends and a transactional processor runs. Appends fail with a
 * transient exception and leave nothing half-written; retried with the same event ids they are stored once; the
 * processor backs off, resumes on its own, and applies every event exactly once.
 */
class PostgresOutageTest {

  record Paid(String order, int part) implements Event {
  }

  private static final EventTypes TYPES = EventTypes.builder().register(Paid.class, "Paid", 1).build();

  private static EmbeddedPostgres start(Path data, int port) throws IOException {
    return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
  }

  @Test
  void appends_fail_transiently_and_processing_resumes_after_the_database_returns(@TempDir Path data)
      throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    EmbeddedPostgres postgres = start(data, port);
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
    pool.setUsername("postgres");
    pool.setMaximumPoolSize(6);
    pool.setConnectionTimeout(1000);
    pool.setInitializationFailTimeout(-1);
    try (HikariDataSource dataSource = new HikariDataSource(pool)) {
      JdbcConfig config = JdbcConfig.builder(dataSource).database(Database.POSTGRESQL).build();
      JdbcSchema.migrate(config);
      try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE payments (event_id uuid NOT NULL, order_id text NOT NULL)");
      }
      JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES));
      JdbcProjection payments = new JdbcProjection() {
        @Override
        public boolean handles(Class<? extends Event> type) {
          return type == Paid.class;
        }

        @Override
        public void apply(RecordedEvent event, Connection connection) throws SQLException {
          try (PreparedStatement insert = connection.prepareStatement(
              "INSERT INTO payments (event_id, order_id) VALUES (?, ?)")) {
            insert.setObject(1, event.eventId());
            insert.setString(2, event.payloadAs(Paid.class).order());
            insert.executeUpdate();
          }
        }
      };
      TrackingProcessor processor = JdbcProcessors.transactional(config, "payments", store, payments)
          .pollInterval(Duration.ofMillis(20))
          .retryPolicy(RetryPolicy.exponential(5, Duration.ofMillis(50), Duration.ofMillis(500)))
          .build();
      processor.start();

      int appends = 150;
      List<NewEvent> stored = new CopyOnWriteArrayList<>();
      AtomicInteger transientFailures = new AtomicInteger();
      AtomicReference<Throwable> unexpected = new AtomicReference<>();
      AtomicReference<Position> last = new AtomicReference<>(Position.START);
      Thread writer = new Thread(() -> {
        for (int i = 0; i < appends && unexpected.get() == null; i++) {
          String order = "order-" + i;
          List<NewEvent> batch = List.of(NewEvent.of(new Paid(order, 1)), NewEvent.of(new Paid(order, 2)),
              NewEvent.of(new Paid(order, 3)));
          long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
          while (true) {
            try {
              last.set(store.append(order, ExpectedVersion.noStream(), batch).lastPosition());
              stored.addAll(batch);
              break;
            } catch (TransientException outage) {
              transientFailures.incrementAndGet(); // same ids on retry: if it did commit, the retry is idempotent
              if (System.nanoTime() > deadline) {
                unexpected.set(outage);
                return;
              }
              sleep(50);
            } catch (Throwable e) {
              unexpected.set(e);
              return;
            }
          }
          sleep(10);
        }
      });
      writer.start();
      while (stored.size() < 60 * 3) {
        assertThat(unexpected.get()).as("a failure before the outage").isNull();
        Thread.sleep(5);
      }
      postgres.close(); // the outage
      Thread.sleep(1500);
      postgres = start(data, port);
      writer.join(Duration.ofMinutes(2).toMillis());

      assertThat(unexpected.get()).isNull();
      assertThat(transientFailures.get()).as("appends refused during the outage").isPositive();
      assertThat(processor.awaitPosition(last.get(), Duration.ofSeconds(60))).as("processor resumed").isTrue();
      processor.stop();

      Map<String, Integer> perStream = new HashMap<>();
      Position after = Position.START;
      List<RecordedEvent> page;
      List<UUID> all = new ArrayList<>();
      while (!(page = store.readAll(after, 1000)).isEmpty()) {
        for (RecordedEvent event : page) {
          perStream.merge(event.streamId(), 1, Integer::sum);
          all.add(event.eventId());
        }
        after = page.get(page.size() - 1).position();
      }
      assertThat(perStream).hasSize(appends);
      assertThat(perStream.values()).as("no half-written append").containsOnly(3);
      assertThat(all).containsExactlyInAnyOrderElementsOf(stored.stream().map(NewEvent::eventId).toList());
      Map<UUID, Integer> applied = new HashMap<>();
      try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
           ResultSet rows = s.executeQuery("SELECT event_id FROM payments")) {
        while (rows.next()) {
          applied.merge(rows.getObject(1, UUID.class), 1, Integer::sum);
        }
      }
      assertThat(applied.keySet()).containsExactlyInAnyOrderElementsOf(all);
      assertThat(applied.values()).as("each event applied once").containsOnly(1);
      store.close();
    } finally {
      postgres.close();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
