package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.jdbc.internal.Jdbc;
import java.io.File;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A child JVM is killed with SIGKILL in the middle of a transactional processor's catch-up into a same-database read
 * model; after a restart here, the read model equals a fresh full replay: every event exactly once.
 */
class PostgresCrashTest {

  /**
   * The event of this test.
   *
   * @param order an order
   */
  public record Shipped(String order) implements Event {
  }

  static final EventTypes TYPES = EventTypes.builder().register(Shipped.class, "Shipped", 1).build();

  @Test
  void a_killed_processor_resumes_without_losing_or_repeating_an_event() throws Exception {
    JdbcConfig config = TestDatabases.postgres("crash_");
    String table = "crash_sink_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String name = "crash-" + UUID.randomUUID();
    Jdbc.withConnection(config, "create", c -> {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE " + table + " (event_id uuid NOT NULL)");
      }
      return null;
    });
    JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES));
    JdbcCheckpointStore.create(config).save(name, store.head());
    List<UUID> expected = new ArrayList<>();
    Position last = Position.START;
    for (int batch = 0; batch < 40; batch++) {
      List<NewEvent> events = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        events.add(NewEvent.of(new Shipped("o-" + batch + "-" + i)));
      }
      last = store.append("crash-" + UUID.randomUUID(), ExpectedVersion.noStream(), events).lastPosition();
      events.forEach(e -> expected.add(e.eventId()));
    }

    String[] connection = TestDatabases.postgresConnection();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process child = new ProcessBuilder(System.getProperty("java.home") + File.separator + "bin" + File.separator
        + "java", "-cp", classpath, CrashChild.class.getName(), connection[0], connection[1], connection[2], name,
        table).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (rows(config, table) < 300) {
      assertThat(child.isAlive()).as("child still running").isTrue();
      assertThat(System.nanoTime()).as("child made progress in time").isLessThan(deadline);
      Thread.sleep(10);
    }
    child.destroyForcibly(); // SIGKILL: no shutdown hooks, no rollback from the child's side
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    int atKill = rows(config, table);
    assertThat(atKill).as("killed in the middle of the catch-up").isLessThan(expected.size());

    TrackingProcessor restarted = JdbcProcessors.transactional(config, name, store, new JdbcProjection() {
      @Override
      public boolean handles(Class<? extends Event> type) {
        return type == Shipped.class;
      }

      @Override
      public void apply(RecordedEvent event, Connection c) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " (event_id) VALUES (?)")) {
          insert.setObject(1, event.eventId());
          insert.executeUpdate();
        }
      }
    }, "restarted", Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).build();
    restarted.start();
    try {
      assertThat(restarted.awaitPosition(last, Duration.ofSeconds(60))).isTrue();
    } finally {
      restarted.stop();
      store.close();
    }

    Map<UUID, Integer> applied = new HashMap<>();
    Jdbc.withConnection(config, "read", c -> {
      try (Statement s = c.createStatement(); ResultSet rows = s.executeQuery("SELECT event_id FROM " + table)) {
        while (rows.next()) {
          applied.merge(rows.getObject(1, UUID.class), 1, Integer::sum);
        }
      }
      return null;
    });
    assertThat(applied.keySet()).as("the read model equals a full replay").containsExactlyInAnyOrderElementsOf(expected);
    assertThat(applied.values()).as("no event applied twice").containsOnly(1);
  }

  private static int rows(JdbcConfig config, String table) {
    return Jdbc.withConnection(config, "count", c -> {
      try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM " + table)) {
        r.next();
        return r.getInt(1);
      }
    });
  }
}
