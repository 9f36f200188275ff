package dev.cqrs.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Metadata;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.jdbc.internal.Jdbc;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A quick first read of JDBC append and catch-up speed on PostgreSQL with durable settings (fsync and
 * synchronous_commit on), as ratios against plain batched JDBC inserts and reads of the same rows measured in the same
 * run. Not a test: run it with
 * {@code mvn -pl cqrs-jdbc -am test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.cqrs.jdbc.QuickJdbcBench}
 * (after {@code mvn install -DskipTests}). The benchmark module gives the real figures.
 */
public final class QuickJdbcBench {

  record Placed(String orderId, String customer, long amount, String note) implements Event {
  }

  private static final EventTypes TYPES = EventTypes.builder().register(Placed.class, "Placed", 1).build();
  private static final int EVENTS = 20_000;
  private static final int BATCH = 10;

  private QuickJdbcBench() {
  }

  public static void main(String[] args) throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
        .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").start()) {
      HikariConfig pool = new HikariConfig();
      pool.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
      pool.setUsername("postgres");
      pool.setMaximumPoolSize(16);
      try (HikariDataSource dataSource = new HikariDataSource(pool)) {
        JdbcConfig config = JdbcConfig.builder(dataSource).build();
        JdbcSchema.create(config);
        Jdbc.withConnection(dataSource, "plain table", c -> {
          try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE plain_events (LIKE cqrs_events INCLUDING DEFAULTS)");
            s.execute("ALTER TABLE plain_events ADD PRIMARY KEY (position)");
            s.execute("CREATE SEQUENCE plain_seq");
          }
          return null;
        });
        JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES));
        System.out.println("PostgreSQL " + Jdbc.withConnection(dataSource, "version", c -> {
          try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SHOW server_version")) {
            r.next();
            return r.getString(1);
          }
        }) + ", fsync on, synchronous_commit on; " + EVENTS + " events per run, " + BATCH + " per append");
        for (int round = 0; round < 2; round++) {
          for (int writers : new int[] {1, 8}) {
            double plain = run(writers, () -> plainInsert(dataSource));
            double ours = run(writers, () -> storeAppend(store));
            System.out.printf("round %d, %d writer(s): store %.0f events/s, plain batched JDBC %.0f events/s,"
                + " ratio %.2f%n", round, writers, ours, plain, ours / plain);
          }
        }
        for (int round = 0; round < 2; round++) {
          long start = System.nanoTime();
          long read = 0;
          Position after = Position.START;
          List<RecordedEvent> page;
          while (!(page = store.readAll(after, 1000)).isEmpty()) {
            read += page.size();
            after = page.get(page.size() - 1).position();
          }
          double ours = read / ((System.nanoTime() - start) / 1e9);
          long startPlain = System.nanoTime();
          long plainRead = plainRead(dataSource);
          double plain = plainRead / ((System.nanoTime() - startPlain) / 1e9);
          System.out.printf("round %d, catch-up: store %.0f events/s (%d decoded), plain JDBC read %.0f rows/s"
              + " (%d rows, not decoded), ratio %.2f%n", round, ours, read, plain, plainRead, ours / plain);
        }
        store.close();
      }
    }
  }

  private interface Work {
    void run(int writer, int appends) throws Exception;
  }

  private static double run(int writers, Supplier<Work> factory) throws Exception {
    Work work = factory.get();
    int appendsPerWriter = EVENTS / BATCH / writers;
    CountDownLatch start = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      Thread thread = new Thread(() -> {
        try {
          start.await();
          work.run(writer, appendsPerWriter);
        } catch (Throwable e) {
          failure.set(e);
        }
      });
      thread.start();
      threads.add(thread);
    }
    long begin = System.nanoTime();
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    if (failure.get() != null) {
      throw new IllegalStateException(failure.get());
    }
    return (double) appendsPerWriter * writers * BATCH / ((System.nanoTime() - begin) / 1e9);
  }

  private static Placed payload(int writer, int i) {
    return new Placed("order-" + writer + "-" + i, "customer-" + (i % 100), i * 7L, "a note of some length");
  }

  private static Work storeAppend(JdbcEventStore store) {
    return (writer, appends) -> {
      for (int a = 0; a < appends; a++) {
        List<NewEvent> events = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
          events.add(NewEvent.of(payload(writer, a * BATCH + i)));
        }
        store.append("bench-" + UUID.randomUUID(), ExpectedVersion.noStream(), events);
      }
    };
  }

  private static Work plainInsert(HikariDataSource dataSource) {
    String json = "{\"orderId\":\"order-1-1\",\"customer\":\"customer-1\",\"amount\":7,\"note\":\"a note of some length\"}";
    return (writer, appends) -> {
      for (int a = 0; a < appends; a++) {
        String stream = "plain-" + UUID.randomUUID();
        int base = a;
        Jdbc.inTransaction(dataSource, "plain insert", c -> {
          try (PreparedStatement insert = c.prepareStatement("INSERT INTO plain_events (position, transaction_id, stream_id,"
              + " version, event_id, type_name, type_revision, payload, message_id, correlation_id, causation_id,"
              + " created_at, headers) VALUES (nextval('plain_seq'), pg_current_xact_id(), ?, ?, ?, 'Placed', 1, ?::jsonb, ?, ?, ?, ?,"
              + " '{}'::jsonb)")) {
            for (int i = 0; i < BATCH; i++) {
              Metadata metadata = Metadata.create();
              insert.setString(1, stream);
              insert.setLong(2, i + 1);
              insert.setObject(3, UUID.randomUUID());
              insert.setString(4, json);
              insert.setObject(5, metadata.messageId());
              insert.setObject(6, metadata.correlationId());
              insert.setObject(7, metadata.causationId());
              insert.setObject(8, OffsetDateTime.ofInstant(metadata.timestamp(), ZoneOffset.UTC));
              insert.addBatch();
            }
            insert.executeBatch();
          }
          return base;
        });
      }
    };
  }

  private static long plainRead(HikariDataSource dataSource) {
    return Jdbc.inTransaction(dataSource, "plain read", c -> {
      long rows = 0;
      try (PreparedStatement select = c.prepareStatement("SELECT position, stream_id, version, event_id, type_name,"
          + " type_revision, payload::text, message_id, correlation_id, causation_id, created_at, headers::text"
          + " FROM cqrs_events ORDER BY transaction_id, position")) {
        select.setFetchSize(1000);
        try (ResultSet result = select.executeQuery()) {
          while (result.next()) {
            result.getString(7);
            rows++;
          }
        }
      }
      return rows;
    });
  }
}
