package dev.cqrs.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cqrs.core.Event;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.TrackingProcessor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The child JVM of {@link PostgresCrashTest}: runs a transactional processor into a table, slowly, until it is killed.
 * Arguments: JDBC URL, user, password, processor name, table.
 */
public final class CrashChild {

  private CrashChild() {
  }

  /**
   * Runs until killed.
   *
   * @param args URL, user, password, processor name, table
   * @throws Exception never in practice: the parent kills this JVM
   */
  public static void main(String[] args) throws Exception {
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(args[0]);
    pool.setUsername(args[1]);
    pool.setPassword(args[2]);
    pool.setMaximumPoolSize(4);
    HikariDataSource dataSource = new HikariDataSource(pool);
    JdbcConfig config = JdbcConfig.builder(dataSource).tablePrefix("crash_").build();
    JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(PostgresCrashTest.TYPES));
    String table = args[4];
    JdbcProjection slowSink = new JdbcProjection() {
      @Override
      public boolean handles(Class<? extends Event> type) {
        return type == PostgresCrashTest.Shipped.class;
      }

      @Override
      public void apply(RecordedEvent event, Connection connection) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO " + table + " (event_id) VALUES (?)")) {
          insert.setObject(1, event.eventId());
          insert.executeUpdate();
        }
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    TrackingProcessor processor = JdbcProcessors.transactional(config, args[3], store, slowSink, "child",
        Duration.ofSeconds(1)).batchSize(20).build();
    processor.start();
    System.out.println("started");
    Thread.sleep(Duration.ofMinutes(5).toMillis());
  }
}
