package dev.cqrs.jdbc;

import dev.cqrs.jdbc.internal.Jdbc;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates the backend's tables. {@link #create(JdbcConfig)} is idempotent and safe to call from several instances at
 * once. The same DDL ships as versioned migration files in the jar, {@code dev/cqrs/jdbc/postgresql/V1__cqrs.sql} and
 * {@code dev/cqrs/jdbc/h2/V1__cqrs.sql}, with {@code ${schema}} and {@code ${prefix}} placeholders (Flyway syntax), for
 * teams that run their own migrations. Stateless and thread-safe.
 */
public final class JdbcSchema {

  private JdbcSchema() {
  }

  /**
   * Creates every table, index and trigger that is missing, in one transaction.
   *
   * @param config where to create them
   */
  public static void create(JdbcConfig config) {
    List<String> statements = statements(config);
    Jdbc.inTransaction(config, "creating the cqrs schema", connection -> {
      try (Statement statement = connection.createStatement()) {
        if (config.database() == Database.POSTGRESQL) {
          // Serialize concurrent creators: CREATE ... IF NOT EXISTS alone can still collide in the catalog.
          statement.execute("SELECT pg_advisory_xact_lock(7343284701)");
        }
        for (String sql : statements) {
          statement.execute(sql);
        }
      }
      return null;
    });
  }

  /**
   * Re-keys a PostgreSQL store whose events were restored from another cluster (a dump and restore, logical
   * replication), which {@link JdbcEventStore} refuses to open: the order keys are transaction ids of the old cluster,
   * and readers here would never see those above this cluster's. Each distinct key becomes its rank (1, 2, 3, ...), in
   * the events, the streams, the checkpoints and the dead letters, in one transaction that locks those tables: the
   * global order, and with it every checkpoint, stays exactly as it was, and the keys are below every transaction id
   * of this cluster, so everything is visible. Run it once after the restore, with no application writing or
   * processing; running it on a store that needs no re-key changes nothing.
   *
   * @param config where the tables are, on PostgreSQL
   * @return how many distinct order keys the events held
   * @throws IllegalArgumentException if the database is not PostgreSQL
   * @throws dev.cqrs.core.CqrsException if this cluster's transaction ids are still below the number of keys; the
   *     message says how far to advance them
   */
  public static long rekeyRestored(JdbcConfig config) {
    if (config.database() != Database.POSTGRESQL) {
      throw new IllegalArgumentException("only PostgreSQL stores have order keys from transaction ids, but this is "
          + config.database());
    }
    String events = config.table("events");
    return Jdbc.inTransaction(config, "re-key of " + events, connection -> {
      try (Statement statement = connection.createStatement()) {
        statement.execute("LOCK TABLE " + events + ", " + config.table("streams") + ", "
            + config.table("checkpoints") + ", " + config.table("dead_letters") + " IN EXCLUSIVE MODE");
        long keys;
        long current;
        try (ResultSet row = statement.executeQuery("SELECT count(DISTINCT transaction_id),"
            + " pg_current_xact_id()::text::bigint FROM " + events)) {
          row.next();
          keys = row.getLong(1);
          current = row.getLong(2);
        }
        if (keys >= current - 1) {
          throw new dev.cqrs.core.CqrsException("the events hold " + keys + " distinct order keys, but this"
              + " cluster's transaction ids are only at " + current + "; advance them first (run SELECT"
              + " pg_current_xact_id() in " + (keys - current + 2) + " separate transactions), then re-key");
        }
        statement.execute("CREATE TEMPORARY TABLE cqrs_rekey ON COMMIT DROP AS SELECT transaction_id AS old_key,"
            + " dense_rank() OVER (ORDER BY transaction_id) AS new_key FROM (SELECT DISTINCT transaction_id FROM "
            + events + ") k");
        statement.execute("CREATE UNIQUE INDEX ON cqrs_rekey (old_key)");
        statement.executeUpdate("UPDATE " + events + " e SET transaction_id = r.new_key FROM cqrs_rekey r"
            + " WHERE e.transaction_id = r.old_key AND e.transaction_id <> r.new_key");
        statement.executeUpdate("UPDATE " + config.table("streams") + " s SET last_transaction_id = coalesce((SELECT"
            + " max(e.transaction_id) FROM " + events + " e WHERE e.stream_id = s.stream_id), 0)");
        for (String table : List.of("checkpoints", "dead_letters")) {
          statement.executeUpdate("UPDATE " + config.table(table) + " c SET commit_id = r.new_key FROM cqrs_rekey r"
              + " WHERE c.commit_id = r.old_key AND c.commit_id <> r.new_key");
        }
        return keys;
      }
    });
  }

  /**
   * Returns the migration file for a configuration, with its placeholders filled in.
   *
   * @param config the configuration
   * @return the SQL text
   */
  public static String sql(JdbcConfig config) {
    String resource = "/dev/cqrs/jdbc/" + config.database().folder() + "/V1__cqrs.sql";
    try (InputStream in = JdbcSchema.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("${schema}", config.schema())
          .replace("${prefix}", config.tablePrefix());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Splits the file into statements at semicolons that end a line outside dollar-quoted bodies. */
  static List<String> statements(JdbcConfig config) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean inBody = false;
    for (String line : sql(config).split("\n")) {
      if (!inBody && (line.isBlank() || line.stripLeading().startsWith("--"))) {
        continue;
      }
      current.append(line).append('\n');
      if ((line.split("\\$\\$", -1).length - 1) % 2 == 1) {
        inBody = !inBody;
      }
      if (!inBody && line.stripTrailing().endsWith(";")) {
        String statement = current.toString().strip();
        statements.add(statement.substring(0, statement.length() - 1));
        current.setLength(0);
      }
    }
    return statements;
  }
}
