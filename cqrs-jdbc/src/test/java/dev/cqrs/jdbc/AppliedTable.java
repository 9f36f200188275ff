package dev.cqrs.jdbc;

import dev.cqrs.core.Event;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.jdbc.internal.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * A same-database read model for processor tests: a table with one row per application of an event, so that the
 * tests see every event applied twice or never.
 */
final class AppliedTable {

  private final JdbcConfig config;
  private final String table;

  private AppliedTable(JdbcConfig config, String table) {
    this.config = config;
    this.table = table;
  }

  /** Creates a new table with a random name. */
  static AppliedTable create(JdbcConfig config) {
    String table = "applied_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Jdbc.withConnection(config, "create", c -> {
      try (Statement statement = c.createStatement()) {
        statement.execute("CREATE TABLE " + table + " (event_id UUID NOT NULL, instance VARCHAR(100) NOT NULL)");
      }
      return null;
    });
    return new AppliedTable(config, table);
  }

  /** How often each event was applied, committed. */
  Map<UUID, Integer> applications() {
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

  /** Rows written by one instance. */
  int rowsOf(String instance) {
    return Jdbc.withConnection(config, "count", c -> {
      try (PreparedStatement count = c.prepareStatement("SELECT count(*) FROM " + table + " WHERE instance = ?")) {
        count.setString(1, instance);
        try (ResultSet rows = count.executeQuery()) {
          rows.next();
          return rows.getInt(1);
        }
      }
    });
  }

  /** Work a projection does for each event after writing its row, which may fail or wait. */
  interface Step {
    void after(RecordedEvent event) throws SQLException;
  }

  /** A projection that writes a row per event of the given type, then runs {@code step}. */
  JdbcProjection projection(Class<? extends Event> type, String instance, Step step) {
    return projection(type::isAssignableFrom, instance, step);
  }

  private JdbcProjection projection(Predicate<Class<? extends Event>> handles, String instance, Step step) {
    return new JdbcProjection() {
      @Override
      public boolean handles(Class<? extends Event> eventType) {
        return handles.test(eventType);
      }

      @Override
      public void apply(RecordedEvent event, Connection connection) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO " + table + " (event_id, instance) VALUES (?, ?)")) {
          insert.setObject(1, event.eventId());
          insert.setString(2, instance);
          insert.executeUpdate();
        }
        step.after(event);
      }

      @Override
      public void reset(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
          statement.execute("DELETE FROM " + table);
        }
      }

      @Override
      public String toString() {
        return "projection into " + table + " as " + instance;
      }
    };
  }
}
