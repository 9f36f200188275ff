/**
 * How the JDBC backend joins transactions that the application runs (SPI): implement
 * {@link dev.cqrs.jdbc.spi.JdbcTransactions} to bridge a transaction manager (Spring's, jOOQ's, your own); applications
 * that do not run transactions of their own never need this package.
 */
package dev.cqrs.jdbc.spi;
