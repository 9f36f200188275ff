package dev.cqrs.spring.boot;

import dev.cqrs.jdbc.spi.JdbcTransactions;
import java.sql.Connection;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Lets the JDBC store join Spring-managed transactions ({@code @Transactional}, {@code TransactionTemplate}) on one
 * {@link DataSource}: an append inside such a transaction writes through its connection and commits or rolls back with
 * the application's own writes; wake-up hints go out after the commit. Outside one, each append runs its own
 * transaction. Thread-safe.
 */
public final class SpringTransactions implements JdbcTransactions {

  private final DataSource dataSource;

  private SpringTransactions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Returns the bridge for a data source: the one Spring's transaction manager manages.
   *
   * @param dataSource the data source
   * @return the bridge
   */
  public static SpringTransactions of(DataSource dataSource) {
    return new SpringTransactions(Objects.requireNonNull(dataSource, "dataSource must not be null"));
  }

  @Override
  public Optional<Connection> currentTransaction() {
    if (!TransactionSynchronizationManager.isActualTransactionActive()
        || TransactionSynchronizationManager.getResource(dataSource) == null) {
      return Optional.empty(); // no transaction, or one on another resource: the store runs its own
    }
    return Optional.of(DataSourceUtils.getConnection(dataSource));
  }

  @Override
  public void release(Connection connection) {
    DataSourceUtils.releaseConnection(connection, dataSource);
  }

  @Override
  public void afterCommit(Runnable action) {
    Objects.requireNonNull(action, "action must not be null");
    TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
      @Override
      public void afterCommit() {
        action.run();
      }
    });
  }

  @Override
  public String toString() {
    return "Spring-managed transactions on " + dataSource;
  }
}
