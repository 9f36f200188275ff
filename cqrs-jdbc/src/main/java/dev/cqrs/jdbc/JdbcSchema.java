package dev.cqrs.jdbc;

import dev.cqrs.jdbc.internal.Jdbc;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
    Jdbc.inTransaction(config.dataSource(), "creating the cqrs schema", connection -> {
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
