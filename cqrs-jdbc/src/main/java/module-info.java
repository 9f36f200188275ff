/**
 * The JDBC backend for PostgreSQL and H2: the event store, the checkpoint, snapshot, dead-letter and state stores,
 * leases and transactional processors ({@code dev.cqrs.jdbc}), and the transaction bridge a framework implements to
 * let appends join its transactions ({@code dev.cqrs.jdbc.spi}). The schema's migration files lie outside any package
 * ({@code cqrs-migrations/postgresql} and {@code cqrs-migrations/h2}), so Flyway reads them on the module path too.
 */
module dev.cqrs.jdbc {
  requires transitive dev.cqrs.core;
  requires transitive java.sql;
  requires org.slf4j;

  exports dev.cqrs.jdbc;
  exports dev.cqrs.jdbc.spi;
}
