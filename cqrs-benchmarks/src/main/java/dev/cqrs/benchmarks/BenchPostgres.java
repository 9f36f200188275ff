package dev.cqrs.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cqrs.core.serialization.EventCodec;
import dev.cqrs.core.serialization.UpcasterChain;
import dev.cqrs.jackson.JacksonSerializer;
import dev.cqrs.jdbc.JdbcConfig;
import dev.cqrs.jdbc.JdbcEventStore;
import dev.cqrs.jdbc.JdbcSchema;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/** What the database benchmarks set up alike: a pool on the embedded server, and a store on a migrated schema. */
final class BenchPostgres {

  private BenchPostgres() {
  }

  /** A pool of connections to the embedded server's {@code postgres} database. */
  static HikariDataSource pool(EmbeddedPostgres postgres, int size) {
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
    pool.setUsername("postgres");
    pool.setMaximumPoolSize(size);
    return new HikariDataSource(pool);
  }

  /** Migrates the schema and opens a store of the benchmark payloads on it. */
  static JdbcEventStore store(JdbcConfig config) {
    JdbcSchema.migrate(config);
    return JdbcEventStore.create(config, EventCodec.of(Payloads.TYPES, JacksonSerializer.create(),
        UpcasterChain.empty()));
  }
}
