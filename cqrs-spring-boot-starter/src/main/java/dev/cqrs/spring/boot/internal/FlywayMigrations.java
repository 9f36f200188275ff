package dev.cqrs.spring.boot.internal;

import dev.cqrs.jdbc.JdbcConfig;
import dev.cqrs.jdbc.JdbcSchema;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * Applies the library's migration files with Flyway, keeping their history in a table of their own ({@code
 * <prefix>flyway_history}): the library's versions (V1, V2, ...) would collide with the application's in one history.
 * Loaded only when Flyway is on the class path. Stateless and thread-safe.
 */
public final class FlywayMigrations {

  private FlywayMigrations() {
  }

  /**
   * Brings the library's tables up to this release's version.
   *
   * @param config where they are
   */
  public static void migrate(JdbcConfig config) {
    Flyway flyway;
    try {
      flyway = configure(config);
    } catch (FlywayException e) {
      if (String.valueOf(e.getMessage()).contains("Unsupported Database")) {
        throw new IllegalStateException("Flyway is on the class path but cannot work on " + config.database()
            + " (" + e.getMessage() + "): add org.flywaydb:flyway-database-postgresql, or set"
            + " cqrs.jdbc.initialize-schema=never and run JdbcSchema.migrate yourself", e);
      }
      throw e;
    }
    flyway.migrate();
  }

  private static Flyway configure(JdbcConfig config) {
    return Flyway.configure()
        .dataSource(config.dataSource())
        .schemas(config.schema())
        .table(config.tablePrefix() + "flyway_history")
        .locations("classpath:" + JdbcSchema.migrationFolder(config))
        .placeholders(Map.of("schema", config.schema(), "prefix", config.tablePrefix()))
        // the schema usually holds the application's tables already; the library's history starts before its V1
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load();
  }
}
