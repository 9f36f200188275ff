/**
 * The JDBC backend (API): an {@link dev.cqrs.jdbc.JdbcEventStore} and checkpoint, snapshot and dead-letter stores on
 * PostgreSQL (15 and later) or H2 (2.x), configured by one {@link dev.cqrs.jdbc.JdbcConfig} around your
 * {@link javax.sql.DataSource}, with {@link dev.cqrs.jdbc.JdbcSchema} to create and upgrade the versioned tables.
 */
package dev.cqrs.jdbc;
