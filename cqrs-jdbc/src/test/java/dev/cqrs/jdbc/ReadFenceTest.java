package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.jdbc.internal.FenceWatch;
import dev.cqrs.jdbc.internal.Jdbc;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The read fence on PostgreSQL: which transaction holds readers back, for how long, reported once per episode. */
class ReadFenceTest {

  record Pinged(String id) implements Event {
  }

  private static final EventTypes TYPES = EventTypes.builder().register(Pinged.class, "Pinged", 1).build();

  @Test
  void names_the_appending_session_idle_in_a_transaction_and_not_the_one_that_wrote_other_tables() throws Exception {
    JdbcConfig config = TestDatabases.postgres("fence_");
    String table = "unrelated_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Jdbc.withConnection(config, "create", c -> {
      try (Statement statement = c.createStatement()) {
        statement.execute("CREATE TABLE " + table + " (x int)");
      }
      return null;
    });
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES));
         Connection report = config.dataSource().getConnection();
         Connection importer = config.dataSource().getConnection()) {
      try (Statement statement = report.createStatement()) {
        statement.execute("SET application_name = 'monthly-report'");
      }
      report.setAutoCommit(false);
      try (Statement statement = report.createStatement()) {
        statement.executeUpdate("INSERT INTO " + table + " VALUES (1)"); // takes a transaction id, then idles
      }
      Thread.sleep(150);
      assertThat(store.readFence()).as("a transaction that does not append holds no one back").isEmpty();

      try (Statement statement = importer.createStatement()) {
        statement.execute("SET application_name = 'nightly-import'");
      }
      importer.setAutoCommit(false);
      store.append(importer, "imported-" + UUID.randomUUID(), ExpectedVersion.noStream(),
          List.of(NewEvent.of(new Pinged("imported")))); // appends, then idles
      int pid = importer.unwrap(org.postgresql.PGConnection.class).getBackendPID();

      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      Optional<ReadFence> fence = store.readFence();
      while ((fence.isEmpty() || fence.get().pid() != pid || fence.get().age().toMillis() < 100)
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
        fence = store.readFence();
      }
      assertThat(fence).hasValueSatisfying(f -> {
        assertThat(f.pid()).isEqualTo(pid);
        assertThat(f.holder()).isEqualTo("nightly-import");
        assertThat(f.state()).isEqualTo("idle in transaction");
        assertThat(f.age()).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        assertThat(f.transactionId()).isPositive();
        assertThat(f.toString()).contains("nightly-import").contains("pid " + pid);
      });
      importer.rollback();
      report.rollback();
      assertThat(store.readFence()).isEmpty();
    }
  }

  @Test
  void has_no_fence_on_h2_and_checks_the_warning_threshold() {
    try (JdbcEventStore store = JdbcEventStore.create(TestDatabases.h2(), TestDatabases.codec(TYPES))) {
      assertThat(store.readFence()).isEmpty();
    }
    assertThatThrownBy(() -> JdbcEventStore.builder(TestDatabases.h2(), TestDatabases.codec(TYPES))
        .fenceWarning(Duration.ofMillis(10))).hasMessageContaining("fenceWarning must be between 1 second");
  }

  @Test
  void a_watch_reports_an_old_fence_once_per_episode() {
    AtomicReference<Optional<ReadFence>> now = new AtomicReference<>(Optional.empty());
    List<ReadFence> reported = new ArrayList<>();
    FenceWatch watch = new FenceWatch(now::get, Duration.ofSeconds(30), Duration.ZERO, reported::add);
    ReadFence young = new ReadFence(7, "app", "active", Duration.ofSeconds(5), 100);
    ReadFence old = new ReadFence(7, "app", "idle in transaction", Duration.ofSeconds(31), 100);
    ReadFence older = new ReadFence(7, "app", "idle in transaction", Duration.ofSeconds(90), 100);
    ReadFence another = new ReadFence(8, "batch", "active", Duration.ofSeconds(40), 120);

    now.set(Optional.of(young));
    watch.readerCaughtUp();
    now.set(Optional.of(old));
    watch.readerCaughtUp();
    now.set(Optional.of(older));
    watch.readerCaughtUp(); // the same episode
    now.set(Optional.of(another));
    watch.readerCaughtUp(); // another transaction holds it now
    now.set(Optional.empty());
    watch.readerCaughtUp(); // over
    now.set(Optional.of(old));
    watch.readerCaughtUp(); // a new episode

    assertThat(reported).containsExactly(old, another, old);
  }
}
