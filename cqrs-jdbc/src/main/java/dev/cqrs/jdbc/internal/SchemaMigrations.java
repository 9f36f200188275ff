package dev.cqrs.jdbc.internal;

import dev.cqrs.core.CqrsException;
import dev.cqrs.jdbc.Database;
import dev.cqrs.jdbc.JdbcConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ordered list of versioned migration files ({@code V1__name.sql}, {@code V2__name.sql}, ...), one folder per
 * database, and what applies them. Every file moves the version row in the {@code schema_version} table, so a schema
 * migrated by Flyway and one migrated here look the same. Immutable and thread-safe.
 */
public final class SchemaMigrations {

  private static final Pattern FILE = Pattern.compile(".*/V([1-9][0-9]*)__[A-Za-z0-9_]+\\.sql");
  private static final long POSTGRES_LOCK = 7343284701L;

  /** The files this release ships, in {@code cqrs-migrations/postgresql} and {@code cqrs-migrations/h2}. */
  public static final SchemaMigrations SHIPPED = new SchemaMigrations(List.of("cqrs-migrations/%s/V1__cqrs.sql",
      "cqrs-migrations/%s/V2__tags.sql"));

  private final List<String> resources;

  /**
   * Creates the list from classpath resources, one per version from 1 up, each with {@code %s} where the database's
   * folder goes.
   *
   * @param resources the resources, version 1 first
   */
  public SchemaMigrations(List<String> resources) {
    for (int i = 0; i < resources.size(); i++) {
      Matcher matcher = FILE.matcher(resources.get(i));
      if (!matcher.matches() || Integer.parseInt(matcher.group(1)) != i + 1) {
        throw new IllegalArgumentException("migration " + (i + 1) + " must be a file named V" + (i + 1)
            + "__name.sql, not " + resources.get(i));
      }
    }
    this.resources = List.copyOf(resources);
  }

  /**
   * Returns the newest version these files reach.
   *
   * @return the version
   */
  public int latest() {
    return resources.size();
  }

  /**
   * Returns the folder the files of a database lie in, for Flyway's {@code locations}.
   *
   * @param database the database
   * @return the classpath folder, such as {@code cqrs-migrations/postgresql}
   */
  public static String folder(Database database) {
    return "cqrs-migrations/" + database.folder();
  }

  /**
   * Returns the version a schema is at.
   *
   * @param config the schema
   * @return the version, empty when the schema has no version table (nothing was ever migrated)
   */
  public static OptionalInt installed(JdbcConfig config) {
    return Jdbc.withConnection(config, "reading the cqrs schema version", connection -> read(connection, config));
  }

  /**
   * Refuses a schema this library cannot work on, saying what to run.
   *
   * @param config the schema
   * @throws CqrsException if the schema is missing, older or newer than {@link #latest()}
   */
  public void requireSupported(JdbcConfig config) {
    OptionalInt installed = installed(config);
    String where = config.table("schema_version");
    String flyway = "or let Flyway apply the files in classpath:" + folder(config.database())
        + " with the placeholders schema=" + config.schema() + " and prefix=" + config.tablePrefix();
    if (installed.isEmpty()) {
      throw new CqrsException("there is no cqrs schema in " + config.schema() + " (no table " + where + "): run"
          + " JdbcSchema.migrate(config) at start-up, " + flyway);
    }
    int version = installed.getAsInt();
    if (version < latest()) {
      throw new CqrsException("the cqrs schema in " + config.schema() + " is at version " + version + ", but this"
          + " release needs version " + latest() + ": run JdbcSchema.migrate(config), which applies V"
          + (version + 1) + (version + 1 < latest() ? " to V" + latest() : "") + ", " + flyway);
    }
    if (version > latest()) {
      throw new CqrsException("the cqrs schema in " + config.schema() + " is at version " + version + ", newer than"
          + " this release supports (" + latest() + "): an instance of a newer release migrated it; run that"
          + " release here too (a schema is never migrated backwards)");
    }
  }

  /**
   * Applies, in one transaction, every file above the schema's version, and refuses a schema newer than these files.
   * Safe to run from several instances at once.
   *
   * @param config where to migrate
   * @return the version the schema was at before, 0 for a new one
   */
  public int migrate(JdbcConfig config) {
    if (config.database() == Database.H2) {
      synchronized (SchemaMigrations.class) { // H2 has no advisory locks; its embedded databases live in one JVM
        return migrateLocked(config);
      }
    }
    return migrateLocked(config);
  }

  private int migrateLocked(JdbcConfig config) {
    return Jdbc.inTransaction(config, "migrating the cqrs schema", connection -> {
      try (Statement statement = connection.createStatement()) {
        if (config.database() == Database.POSTGRESQL) {
          // Serialize concurrent migrations: CREATE ... IF NOT EXISTS alone can still collide in the catalog.
          statement.execute("SELECT pg_advisory_xact_lock(" + POSTGRES_LOCK + ")");
        }
        int before = read(connection, config).orElse(0);
        if (before > latest()) {
          throw new CqrsException("the cqrs schema in " + config.schema() + " is at version " + before
              + ", newer than this release's migrations reach (" + latest() + "); nothing was changed");
        }
        for (int version = before + 1; version <= latest(); version++) {
          for (String sql : statements(sql(config, version))) {
            statement.execute(sql);
          }
        }
        return before;
      }
    });
  }

  /**
   * Returns one migration file with its placeholders filled in from a configuration.
   *
   * @param config the configuration
   * @param version the file's version, from 1 to {@link #latest()}
   * @return the SQL text
   */
  public String sql(JdbcConfig config, int version) {
    if (version < 1 || version > latest()) {
      throw new IllegalArgumentException("no migration V" + version + "; there are V1 to V" + latest());
    }
    String resource = String.format(resources.get(version - 1), config.database().folder());
    ClassLoader loader = SchemaMigrations.class.getClassLoader();
    try (InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(resource)
        : loader.getResourceAsStream(resource)) {
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

  /** Splits a file into statements at semicolons that end a line outside dollar-quoted bodies. */
  static List<String> statements(String sql) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean inBody = false;
    for (String line : sql.split("\n")) {
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

  /** Reads the version row; a missing table (or schema) means no version, without spoiling a transaction. */
  private static OptionalInt read(Connection connection, JdbcConfig config) throws SQLException {
    Savepoint savepoint = connection.getAutoCommit() ? null : connection.setSavepoint();
    try (Statement statement = connection.createStatement();
         ResultSet row = statement.executeQuery("SELECT max(version) FROM " + config.table("schema_version"))) {
      row.next();
      int version = row.getInt(1);
      return row.wasNull() ? OptionalInt.empty() : OptionalInt.of(version);
    } catch (SQLException e) {
      if (!missingTable(e)) {
        throw e;
      }
      if (savepoint != null) {
        connection.rollback(savepoint);
      }
      return OptionalInt.empty();
    } finally {
      if (savepoint != null) {
        connection.releaseSavepoint(savepoint);
      }
    }
  }

  private static boolean missingTable(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    return state.equals("42P01") || state.equals("3F000") // PostgreSQL: undefined table, invalid schema name
        || state.startsWith("42S0") || e.getErrorCode() == 90079; // H2: table or schema not found
  }
}
