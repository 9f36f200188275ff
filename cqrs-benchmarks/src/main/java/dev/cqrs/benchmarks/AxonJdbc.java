package dev.cqrs.benchmarks;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;

/**
 * Axon's JDBC plumbing without Spring: a transaction manager that binds one pooled connection to the thread for the
 * length of a transaction, and a connection provider that hands out that connection (protected from Axon's close)
 * inside a transaction and a fresh pooled one outside. This is what Spring's {@code DataSourceTransactionManager} and
 * {@code SpringDataSourceConnectionProvider} do for Axon applications; without it every statement would commit on its
 * own, which would be unfair to Axon.
 */
final class AxonJdbc implements ConnectionProvider, TransactionManager {

  private final DataSource dataSource;
  private final ThreadLocal<Connection> current = new ThreadLocal<>();

  AxonJdbc(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection bound = current.get();
    if (bound == null) {
      return dataSource.getConnection();
    }
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          if (method.getName().equals("close")) {
            return null;
          }
          try {
            return method.invoke(bound, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Override
  public Transaction startTransaction() {
    if (current.get() != null) {
      return new Transaction() {
        @Override
        public void commit() {
        }

        @Override
        public void rollback() {
        }
      };
    }
    try {
      Connection connection = dataSource.getConnection();
      connection.setAutoCommit(false);
      current.set(connection);
      return new Transaction() {
        @Override
        public void commit() {
          finish(connection, true);
        }

        @Override
        public void rollback() {
          finish(connection, false);
        }
      };
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private void finish(Connection connection, boolean commit) {
    current.remove();
    try (connection) {
      if (commit) {
        connection.commit();
      } else {
        connection.rollback();
      }
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
