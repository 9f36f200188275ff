package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Registration;
import dev.cqrs.jdbc.internal.Jdbc;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

class JdbcConfigAndNotificationsTest {

  record Pinged(String id) implements Event {
  }

  private static final EventTypes TYPES = EventTypes.builder().register(Pinged.class, "Pinged", 1).build();

  private static DataSource h2DataSource() {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:config-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    return dataSource;
  }

  @Test
  void rejects_schema_names_and_table_prefixes_that_are_not_plain_identifiers() {
    JdbcConfig.Builder builder = JdbcConfig.builder(h2DataSource());
    for (String bad : new String[] {"cqrs; DROP TABLE users; --", "a b", "1abc", "x\"y", "", "a".repeat(41)}) {
      assertThatThrownBy(() -> builder.schema(bad))
          .as("schema '%s'", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("schema must be a plain SQL identifier");
    }
    for (String bad : new String[] {"x'); DROP TABLE cqrs_events; --", "pre-fix", "9_", "a".repeat(21)}) {
      assertThatThrownBy(() -> builder.tablePrefix(bad))
          .as("prefix '%s'", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tablePrefix must be empty or a plain SQL identifier");
    }
    for (String reserved : new String[] {"select", "order", "user", "USER", "Table", "group"}) {
      assertThatThrownBy(() -> builder.schema(reserved))
          .as("schema '%s'", reserved)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("reserve").hasMessageContaining(reserved);
    }
    assertThat(builder.schema("orders").tablePrefix("").build().table("events")).isEqualTo("orders.events");
    assertThat(builder.schema("app_1").tablePrefix("").build().table("events")).isEqualTo("app_1.events");
  }

  @Test
  void refuses_an_h2_file_database_that_acknowledges_commits_before_writing_them(@org.junit.jupiter.api.io.TempDir
                                                                                java.nio.file.Path dir) {
    JdbcDataSource delayed = new JdbcDataSource();
    delayed.setURL("jdbc:h2:file:" + dir.resolve("delayed"));
    assertThatThrownBy(() -> JdbcConfig.builder(delayed).build())
        .isInstanceOf(dev.cqrs.core.CqrsException.class)
        .hasMessageContaining("WRITE_DELAY=500").hasMessageContaining(";WRITE_DELAY=0");
    JdbcDataSource durable = new JdbcDataSource();
    durable.setURL("jdbc:h2:file:" + dir.resolve("durable") + ";WRITE_DELAY=0");
    assertThat(JdbcConfig.builder(durable).build().database()).isEqualTo(Database.H2);
    assertThat(JdbcConfig.builder(h2DataSource()).build().database()).as("in memory, nothing to lose on disk")
        .isEqualTo(Database.H2);
  }

  @Test
  void an_h2_append_waits_for_the_counter_lock_longer_than_h2s_default_lock_timeout() throws Exception {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:lock-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"); // H2's default: 1 s
    PlainTransactions transactions = PlainTransactions.create(dataSource);
    JdbcConfig config = JdbcConfig.builder(dataSource).transactions(transactions).build();
    JdbcSchema.migrate(config);
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES))) {
      java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
      Thread holder = new Thread(() -> {
        try {
          transactions.inTransaction(connection -> {
            store.append("held-" + UUID.randomUUID(), ExpectedVersion.noStream(), new Pinged("a"));
            holding.countDown();
            Thread.sleep(3_000); // a slow transaction holds the counter lock past H2's default timeout (2 s)
            return null;
          });
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      holder.start();
      assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
      String waiting = "waiting-" + UUID.randomUUID();
      store.append(waiting, ExpectedVersion.noStream(), new Pinged("b"));
      holder.join();
      assertThat(store.readStream(waiting)).hasSize(1);
      assertThat(store.readAll(dev.cqrs.core.Position.START, 10)).hasSize(2);
    }
  }

  @Test
  void a_query_that_hangs_ends_at_the_configured_timeout() throws Exception {
    JdbcConfig shared = TestDatabases.postgres();
    JdbcConfig config = JdbcConfig.builder(shared.dataSource()).tablePrefix(shared.tablePrefix())
        .queryTimeout(java.time.Duration.ofSeconds(1)).build();
    assertThat(config.queryTimeoutSeconds()).isEqualTo(1);
    assertThatThrownBy(() -> JdbcConfig.builder(shared.dataSource()).queryTimeout(java.time.Duration.ofMillis(10)))
        .hasMessageContaining("queryTimeout must be zero or between 1 second and 1 hour");
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES));
         java.sql.Connection holder = shared.dataSource().getConnection()) {
      String stream = "locked-" + UUID.randomUUID();
      store.append(stream, ExpectedVersion.noStream(), new Pinged("a"));
      holder.setAutoCommit(false);
      try (java.sql.Statement lock = holder.createStatement()) {
        // another session keeps every insert out of the events table: the append waits for it
        lock.execute("LOCK TABLE " + shared.table("events") + " IN EXCLUSIVE MODE");
      }
      // without the timeout the append would wait for the other session for ever; with it, it is cancelled
      assertThatThrownBy(() -> store.append(stream, ExpectedVersion.any(), new Pinged("b")))
          .isInstanceOf(dev.cqrs.core.TransientException.class).hasMessageContaining("57014");
      holder.rollback();
      assertThat(store.readStream(stream)).hasSize(1);
    }
  }

  @Test
  void detects_the_database_and_rejects_unsupported_ones() {
    assertThat(JdbcConfig.builder(h2DataSource()).build().database()).isEqualTo(Database.H2);
    assertThat(TestDatabases.postgres().database()).isEqualTo(Database.POSTGRESQL);
    assertThatThrownBy(() -> Database.fromProductName("MySQL"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'MySQL' is not supported");
  }

  @Test
  void creating_the_schema_twice_changes_nothing_and_the_migration_files_fill_their_placeholders() {
    JdbcConfig config = JdbcConfig.builder(h2DataSource()).schema("ORDERS").tablePrefix("app_").build();
    JdbcSchema.migrate(config);
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES))) {
      store.append("s", ExpectedVersion.noStream(), new Pinged("1"));
      JdbcSchema.migrate(config);
      assertThat(store.readStream("s")).hasSize(1);
    }
    assertThat(JdbcSchema.sql(config, 1)).doesNotContain("${").contains("ORDERS.app_events");
    assertThat(JdbcSchema.sql(TestDatabases.postgres(), 1)).contains("transaction_id  bigint NOT NULL").contains("payload         json NOT NULL").doesNotContain("${");
  }

  @Test
  void a_store_hears_appends_made_through_another_instance_by_listen_and_notify() throws Exception {
    JdbcConfig config = TestDatabases.postgres();
    Semaphore hints = new Semaphore(0);
    try (JdbcEventStore listening = JdbcEventStore.create(config, TestDatabases.codec(TYPES));
         JdbcEventStore writing = JdbcEventStore.create(config, TestDatabases.codec(TYPES))) {
      Registration registration = listening.onAppend(hints::release);
      awaitListener(config);
      hints.drainPermits();

      for (int i = 0; i < 5; i++) {
        writing.append("ping-" + UUID.randomUUID(), ExpectedVersion.noStream(), new Pinged("x"));
        assertThat(hints.tryAcquire(10, TimeUnit.SECONDS)).as("hint for append %d from another instance", i)
            .isTrue();
        hints.drainPermits();
      }
      registration.close();
    }
  }

  @Test
  void a_closed_store_refuses_work_and_its_threads_come_from_the_factory_and_end() throws Exception {
    JdbcConfig config = TestDatabases.postgres();
    java.util.List<Thread> made = new java.util.concurrent.CopyOnWriteArrayList<>();
    JdbcEventStore store = JdbcEventStore.builder(config, TestDatabases.codec(TYPES)).threadFactory(runnable -> {
      Thread thread = new Thread(runnable, "app-thread-" + made.size());
      thread.setDaemon(true);
      made.add(thread);
      return thread;
    }).build();
    store.onAppend(() -> { });
    store.append("closing-" + UUID.randomUUID(), ExpectedVersion.noStream(), new Pinged("x"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (made.size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(5); // the listener and the notifier start
    }
    assertThat(made).hasSize(2);

    store.close();
    store.close(); // closing twice does nothing
    String stream = "after-close-" + UUID.randomUUID();
    assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(), new Pinged("y")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> store.readAll(dev.cqrs.core.Position.START, 10))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> store.onAppend(() -> { })).isInstanceOf(IllegalStateException.class);
    for (Thread thread : made) {
      thread.join(TimeUnit.SECONDS.toMillis(10));
      assertThat(thread.isAlive()).as("%s ended", thread.getName()).isFalse();
    }
    assertThat(made).as("no thread started after close").hasSize(2);
    try (JdbcEventStore other = JdbcEventStore.create(config, TestDatabases.codec(TYPES))) {
      assertThat(other.readStream(stream)).isEmpty();
    }
  }

  /** Waits until the dedicated connection is listening, as seen in pg_stat_activity. */
  private static void awaitListener(JdbcConfig config) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      boolean listening = Jdbc.withConnection(config, "listeners", c -> {
        try (Statement statement = c.createStatement();
             ResultSet rows = statement.executeQuery(
                 "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN cqrs_events%'")) {
          rows.next();
          return rows.getInt(1) > 0;
        }
      });
      if (listening) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the store never started listening");
  }
}
