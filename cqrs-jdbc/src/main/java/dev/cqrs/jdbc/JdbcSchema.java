package dev.cqrs.jdbc;

import dev.cqrs.jdbc.internal.Jdbc;
import dev.cqrs.jdbc.internal.SchemaMigrations;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.OptionalInt;

/**
 * Creates and upgrades the backend's tables. The schema is versioned: the migration files ship in the jar, one per
 * version, in {@code cqrs-migrations/postgresql/} and {@code cqrs-migrations/h2/} ({@code V1__cqrs.sql}, later {@code
 * V2__...sql}), with {@code ${schema}} and {@code ${prefix}} placeholders (Flyway syntax). A released file never
 * changes; every change is a new file, and every file records its version in the table {@code
 * <prefix>schema_version}. There are two ways to apply them:
 * <ul>
 *   <li>{@link #migrate(JdbcConfig)} at start-up applies whatever is missing, in one transaction, and is safe to run
 *       from several instances at once;</li>
 *   <li>teams that run their own migrations point Flyway at the folder ({@code
 *       locations=classpath:cqrs-migrations/postgresql}, placeholders {@code schema} and {@code prefix}).</li>
 * </ul>
 * A {@link JdbcEventStore} refuses to start on a schema older or newer than
 * {@link #VERSION}, saying what to run. Stateless and thread-safe.
 */
public final class JdbcSchema {

  /** The schema version this release works on, and the highest its migration files reach. */
  public static final int VERSION = SchemaMigrations.SHIPPED.latest();

  private JdbcSchema() {
  }

  /**
   * Brings the schema up to {@link #VERSION}: creates it when it is missing, applies the later migration files when it
   * is older, and does nothing when it is current. Run it at start-up; instances may run it at the same time.
   *
   * @param config where the tables are
   * @return the version the schema was at before, 0 when there was none
   * @throws dev.cqrs.core.CqrsException if the schema is newer than this release (nothing is changed then)
   */
  public static int migrate(JdbcConfig config) {
    return SchemaMigrations.SHIPPED.migrate(config);
  }

  /**
   * Returns the version a schema is at.
   *
   * @param config where the tables are
   * @return the version, empty when no migration ever ran there
   */
  public static OptionalInt installedVersion(JdbcConfig config) {
    return SchemaMigrations.installed(config);
  }

  /**
   * Returns the classpath folder holding the migration files for a configuration's database, for Flyway.
   *
   * @param config the configuration
   * @return the folder, such as {@code cqrs-migrations/postgresql}
   */
  public static String migrationFolder(JdbcConfig config) {
    return SchemaMigrations.folder(config.database());
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
   * Returns one migration file with its placeholders filled in from a configuration, for review or for tools that
   * take plain SQL.
   *
   * @param config the configuration
   * @param version the file's version, from 1 to {@link #VERSION}
   * @return the SQL text
   */
  public static String sql(JdbcConfig config, int version) {
    return SchemaMigrations.SHIPPED.sql(config, version);
  }
}
