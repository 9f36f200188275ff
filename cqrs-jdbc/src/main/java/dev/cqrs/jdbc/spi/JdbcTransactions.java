package dev.cqrs.jdbc.spi;

import java.sql.Connection;
import java.util.Objects;
import java.util.Optional;

/**
 * Tells the JDBC backend about the transaction the application runs on the calling thread, so that appends, state
 * saves and inline projections join it instead of opening their own: where its connection comes from, whether one is
 * active, and how to run something after it commits (the wake-up hints for readers, which must never come before the
 * events are visible).
 *
 * <p>When a transaction is active, the backend writes through its connection under a savepoint: a refused append (a
 * conflict, a repeat) rolls back to that savepoint and leaves the transaction usable; it never commits, rolls back or
 * changes the auto-commit mode of that connection. When none is active, the backend opens, commits and closes a
 * transaction of its own on the configured {@link javax.sql.DataSource}, restoring the connection's auto-commit mode
 * before it goes back to the pool.
 *
 * <p>A bridge to Spring's transaction manager is a few lines:
 * <pre>{@code
 * JdbcTransactions spring = new JdbcTransactions() {
 *   public Optional<Connection> currentTransaction() {
 *     return TransactionSynchronizationManager.isActualTransactionActive()
 *         ? Optional.of(DataSourceUtils.getConnection(dataSource)) : Optional.empty();
 *   }
 *   public void release(Connection connection) {
 *     DataSourceUtils.releaseConnection(connection, dataSource);
 *   }
 *   public void afterCommit(Runnable action) {
 *     TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
 *       public void afterCommit() { action.run(); }
 *     });
 *   }
 * };
 * }</pre>
 *
 * <p>Implementations must be thread-safe; each method concerns the calling thread's transaction.
 */
public interface JdbcTransactions {

  /**
   * Returns the connection of the transaction the application runs on the calling thread, if one is active. The
   * backend hands it back with {@link #release} when it is done with it.
   *
   * @return the connection, with auto-commit off, or empty when no transaction is active
   */
  Optional<Connection> currentTransaction();

  /**
   * Hands back a connection that {@link #currentTransaction()} returned; it must stay open for its transaction.
   *
   * @param connection the connection
   */
  default void release(Connection connection) {
  }

  /**
   * Runs an action once the calling thread's current transaction has committed, and never if it rolls back; called only
   * while {@link #currentTransaction()} is present. The action must not fail the commit: implementations run it after
   * the commit is durable and may log and ignore its failures.
   *
   * @param action what to run, for example the wake-up of readers
   */
  void afterCommit(Runnable action);

  /**
   * Returns the default: the application runs no transactions the backend should join, so each write opens its own.
   *
   * @return transactions that are never active
   */
  static JdbcTransactions none() {
    return None.INSTANCE;
  }

  /** The default of {@link #none()}. */
  enum None implements JdbcTransactions {
    /** The only instance. */
    INSTANCE;

    @Override
    public Optional<Connection> currentTransaction() {
      return Optional.empty();
    }

    @Override
    public void afterCommit(Runnable action) {
      Objects.requireNonNull(action, "action must not be null");
      throw new IllegalStateException("no transaction is active; afterCommit needs a current transaction");
    }

    @Override
    public String toString() {
      return "no application transactions";
    }
  }
}
