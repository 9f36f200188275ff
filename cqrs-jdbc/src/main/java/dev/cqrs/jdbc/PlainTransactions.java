package dev.cqrs.jdbc;

import dev.cqrs.jdbc.internal.Jdbc;
import dev.cqrs.jdbc.internal.OwnedTransactions;
import dev.cqrs.jdbc.spi.JdbcTransactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transactions of the application's own on a plain {@link DataSource}, for code that writes with plain JDBC or jOOQ
 * and wants its writes and the library's (appends, state saves, inline projections) to commit together. Pass it to
 * {@link JdbcConfig.Builder#transactions}; inside {@link #inTransaction}, the stores join the transaction, and readers
 * are woken only after it commits.
 *
 * <pre>{@code
 * PlainTransactions transactions = PlainTransactions.create(dataSource);
 * JdbcConfig config = JdbcConfig.builder(dataSource).transactions(transactions).build();
 * JdbcEventStore store = JdbcEventStore.create(config, codec);
 * transactions.inTransaction(connection -> {
 *   insertOutboxRow(connection, ...);                       // your own write
 *   return store.append("order-42", ExpectedVersion.noStream(), events); // joins the same transaction
 * });
 * }</pre>
 *
 * <p>The transaction is bound to the calling thread; a nested {@code inTransaction} joins the outer one. Thread-safe.
 */
public final class PlainTransactions implements JdbcTransactions {

  private static final Logger LOG = LoggerFactory.getLogger(PlainTransactions.class);

  private final DataSource dataSource;
  private final ThreadLocal<Bound> current = new ThreadLocal<>();

  private PlainTransactions(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
  }

  /**
   * Creates transactions on a data source; use the same data source for the {@link JdbcConfig}.
   *
   * @param dataSource where connections come from
   * @return the transactions
   */
  public static PlainTransactions create(DataSource dataSource) {
    return new PlainTransactions(dataSource);
  }

  /**
   * Work in a transaction, which may throw an exception of its own.
   *
   * @param <T> the result type
   * @param <X> the exception the work may throw
   */
  @FunctionalInterface
  public interface Work<T, X extends Exception> {
    /**
     * Does the work.
     *
     * @param connection the transaction's connection; do not commit, roll back or close it
     * @return the result
     * @throws X when the work fails; the transaction is rolled back
     */
    T run(Connection connection) throws X;
  }

  /**
   * Runs work in a transaction bound to the calling thread: commits when it returns, rolls back when it throws, then
   * runs what was registered with {@link #afterCommit} (the wake-up hints). The work's own exceptions pass through
   * unchanged; a failed commit is a {@link dev.cqrs.core.TransientException} when retrying may help. When the thread
   * already runs such a transaction, the work joins it.
   *
   * @param work the work
   * @param <T> the result type
   * @param <X> the exception the work may throw
   * @return the work's result, once committed
   * @throws X what the work threw
   */
  public <T, X extends Exception> T inTransaction(Work<T, X> work) throws X {
    Objects.requireNonNull(work, "work must not be null");
    Bound outer = current.get();
    if (outer != null) {
      return work.run(outer.connection);
    }
    Connection connection;
    try {
      connection = dataSource.getConnection();
    } catch (SQLException e) {
      throw Jdbc.translate(e, "start of a transaction");
    }
    boolean autoCommit = true;
    try {
      autoCommit = connection.getAutoCommit();
      if (autoCommit) {
        connection.setAutoCommit(false);
      }
    } catch (SQLException e) {
      close(connection, autoCommit);
      throw Jdbc.translate(e, "start of a transaction");
    }
    Bound bound = new Bound(connection);
    current.set(bound);
    OwnedTransactions.Owned owned = OwnedTransactions.begin(connection);
    T result;
    try {
      try {
        result = work.run(connection);
      } catch (Exception | Error e) {
        try {
          connection.rollback();
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        throw e;
      }
      try {
        connection.commit();
      } catch (SQLException e) {
        throw Jdbc.translate(e, "commit");
      }
    } finally {
      owned.close(); // after the commit or roll back
      current.remove();
      close(connection, autoCommit);
    }
    bound.committed();
    return result;
  }

  /** Restores the auto-commit mode the connection came with, and closes it (back to its pool). */
  private static void close(Connection connection, boolean autoCommit) {
    try (connection) {
      if (autoCommit) {
        connection.setAutoCommit(true);
      }
    } catch (SQLException ignored) {
      // a pool resets or discards a connection it cannot restore
    }
  }

  @Override
  public Optional<Connection> currentTransaction() {
    Bound bound = current.get();
    return bound == null ? Optional.empty() : Optional.of(bound.connection);
  }

  @Override
  public void afterCommit(Runnable action) {
    Objects.requireNonNull(action, "action must not be null");
    Bound bound = current.get();
    if (bound == null) {
      throw new IllegalStateException("no transaction of " + this + " is active on this thread");
    }
    bound.afterCommit.add(action);
  }

  @Override
  public String toString() {
    return "PlainTransactions[" + dataSource + "]";
  }

  /** The transaction bound to one thread. */
  private static final class Bound {
    final Connection connection;
    final List<Runnable> afterCommit = new ArrayList<>();

    Bound(Connection connection) {
      this.connection = connection;
    }

    void committed() {
      for (Runnable action : afterCommit) {
        try {
          action.run();
        } catch (RuntimeException e) {
          LOG.warn("after-commit action {} failed; the transaction is committed", action, e);
        }
      }
    }
  }
}
