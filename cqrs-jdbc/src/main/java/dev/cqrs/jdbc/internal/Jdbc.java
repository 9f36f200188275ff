package dev.cqrs.jdbc.internal;

import dev.cqrs.core.CqrsException;
import dev.cqrs.core.TransientException;
import dev.cqrs.jdbc.JdbcConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Statement;

/** Connection and transaction handling, and the translation of SQL failures into library exceptions. Stateless. */
public final class Jdbc {

  private Jdbc() {
  }

  /**
   * Work on a connection that may throw {@link SQLException}.
   *
   * @param <T> the result type
   */
  @FunctionalInterface
  public interface SqlWork<T> {
    /**
     * Does the work.
     *
     * @param connection the connection
     * @return the result
     * @throws SQLException on a database failure
     */
    T apply(Connection connection) throws SQLException;
  }

  /**
   * Runs work in one transaction: commits when it returns, rolls back when it throws. Runtime exceptions of the work
   * pass through unchanged; SQL failures become {@link TransientException} or {@link CqrsException}.
   *
   * @param config where the connection comes from, and the query timeout
   * @param what what is being done, for messages
   * @param work the work
   * @param <T> the result type
   * @return the work's result
   */
  public static <T> T inTransaction(JdbcConfig config, String what, SqlWork<T> work) {
    try (Connection connection = open(config)) {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      OwnedTransactions.Owned owned = OwnedTransactions.begin(connection);
      try {
        T result = work.apply(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(connection, e);
        throw e;
      } finally {
        owned.close(); // after the commit or roll back: the appends' gate is held until then
        restoreAutoCommit(connection, autoCommit);
      }
    } catch (SQLException e) {
      throw translate(e, what);
    }
  }

  /**
   * Runs work on a connection in auto-commit mode, for single statements and reads.
   *
   * @param config where the connection comes from, and the query timeout
   * @param what what is being done, for messages
   * @param work the work
   * @param <T> the result type
   * @return the work's result
   */
  public static <T> T withConnection(JdbcConfig config, String what, SqlWork<T> work) {
    try (Connection connection = open(config)) {
      boolean autoCommit = connection.getAutoCommit();
      if (!autoCommit) {
        connection.setAutoCommit(true);
      }
      try {
        return work.apply(connection);
      } finally {
        if (!autoCommit) {
          restoreAutoCommit(connection, false); // the connection goes back to its pool as it came
        }
      }
    } catch (SQLException e) {
      throw translate(e, what);
    }
  }

  /**
   * Opens a connection of the configuration's data source; with a query timeout configured, every statement made on it
   * gets that timeout.
   */
  private static Connection open(JdbcConfig config) throws SQLException {
    Connection connection = config.dataSource().getConnection();
    int seconds = config.queryTimeoutSeconds();
    if (seconds == 0) {
      return connection;
    }
    return (Connection) Proxy.newProxyInstance(Jdbc.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          Object result;
          try {
            result = method.invoke(connection, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
          if (result instanceof Statement statement) { // createStatement, prepareStatement, prepareCall
            statement.setQueryTimeout(seconds);
          }
          return result;
        });
  }

  /**
   * Turns a SQL failure into the library's exception: transient when retrying may help (connection lost, deadlock,
   * serialization failure, lock timeout, server shutting down or full), permanent otherwise.
   *
   * @param e the failure
   * @param what what was being done
   * @return the exception to throw
   */
  public static CqrsException translate(SQLException e, String what) {
    String message = what + " failed: " + e.getMessage() + " (SQLState " + e.getSQLState() + ")";
    if (isTransient(e)) {
      return new TransientException(message, e);
    }
    return new CqrsException(message, e);
  }

  static boolean isTransient(SQLException e) {
    if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
      return true;
    }
    String state = e.getSQLState();
    if (state == null) {
      return false;
    }
    return state.startsWith("08") || state.startsWith("57P") || state.equals("40001") || state.equals("40P01")
        || state.equals("53300") || state.equals("55P03") || state.equals("HYT00") || state.equals("57014");
  }

  /**
   * Tells whether a failure is a unique-key violation.
   *
   * @param e the failure
   * @return {@code true} for SQLState 23505
   */
  public static boolean isUniqueViolation(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  private static void rollbackQuietly(Connection connection, Throwable cause) {
    try {
      connection.rollback();
    } catch (SQLException rollback) {
      cause.addSuppressed(rollback);
    }
  }

  private static void restoreAutoCommit(Connection connection, boolean autoCommit) {
    try {
      connection.setAutoCommit(autoCommit);
    } catch (SQLException ignored) {
      // the connection is closed next; a pool resets it
    }
  }
}
