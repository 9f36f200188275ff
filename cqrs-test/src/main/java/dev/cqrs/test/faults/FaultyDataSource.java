package dev.cqrs.test.faults;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLRecoverableException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} around a real one that injects the faults production combines: a commit that succeeds and then
 * reports a lost connection (the acknowledgement is lost), a commit that fails and rolls back, a slow commit, and a
 * statement that fails as if the connection dropped, before or after it ran. Faults are armed by count ("the next n
 * commits") or by a filter on the SQL text, and each fault that fires is counted, so a test can check that its attack
 * happened.
 *
 * <pre>{@code
 * FaultyDataSource faulty = FaultyDataSource.wrap(dataSource);
 * faulty.loseAcknowledgementOfNextCommits(3);   // the next 3 commits succeed, then throw
 * ... run the code under test on faulty ...
 * assertThat(faulty.faultsInjected()).isEqualTo(3);
 * }</pre>
 *
 * <p>Thread-safe: faults are armed and fire atomically across threads.
 */
public final class FaultyDataSource implements DataSource {

  private final DataSource target;
  private final AtomicInteger lostAcknowledgements = new AtomicInteger();
  private final AtomicInteger failedCommits = new AtomicInteger();
  private final AtomicReference<Duration> commitDelay = new AtomicReference<>(Duration.ZERO);
  private final AtomicReference<StatementFault> statementFault = new AtomicReference<>();
  private final AtomicLong injected = new AtomicLong();
  private final AtomicReference<Predicate<String>> killBefore = new AtomicReference<>();

  private FaultyDataSource(DataSource target) {
    this.target = Objects.requireNonNull(target, "target must not be null");
  }

  /**
   * Wraps a data source; no fault is armed yet.
   *
   * @param target the real data source
   * @return the faulty data source
   */
  public static FaultyDataSource wrap(DataSource target) {
    return new FaultyDataSource(target);
  }

  /**
   * Arms the next {@code count} commits to succeed and then throw a {@link SQLRecoverableException}, as when the
   * connection drops before the acknowledgement arrives: the caller cannot tell that its transaction committed.
   *
   * @param count how many commits, 0 to disarm
   * @return this data source
   */
  public FaultyDataSource loseAcknowledgementOfNextCommits(int count) {
    lostAcknowledgements.set(requireCount(count));
    return this;
  }

  /**
   * Arms the next {@code count} commits to roll back instead and throw a {@link SQLRecoverableException}, as when the
   * connection drops before the commit reaches the server.
   *
   * @param count how many commits, 0 to disarm
   * @return this data source
   */
  public FaultyDataSource failNextCommits(int count) {
    failedCommits.set(requireCount(count));
    return this;
  }

  /**
   * Makes every commit wait this long before it runs, as on a slow disk; {@link Duration#ZERO} to disarm.
   *
   * @param delay the delay
   * @return this data source
   */
  public FaultyDataSource delayCommits(Duration delay) {
    Objects.requireNonNull(delay, "delay must not be null");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, but was " + delay);
    }
    commitDelay.set(delay);
    return this;
  }

  /**
   * Arms the next {@code count} statements whose SQL matches {@code sql} to fail with a
   * {@link SQLRecoverableException} as if the connection dropped: before they run ({@code afterExecution} false: the
   * statement did nothing) or after ({@code afterExecution} true: it ran, and then the transaction it ran in is rolled
   * back, as the server does when a connection drops).
   *
   * @param sql which statements, by their SQL text
   * @param count how many, 0 to disarm
   * @param afterExecution whether the statement runs before the failure
   * @return this data source
   */
  public FaultyDataSource dropConnectionOnStatements(Predicate<String> sql, int count, boolean afterExecution) {
    Objects.requireNonNull(sql, "sql must not be null");
    statementFault.set(count == 0 ? null : new StatementFault(sql, new AtomicInteger(requireCount(count)),
        afterExecution));
    return this;
  }

  /**
   * Arms the process to be killed (halted at once: no shutdown hooks, no rollback, no commit) just before the first
   * statement whose SQL matches {@code sql}, as a {@code kill -9} would land there; for a child JVM of a crash test.
   *
   * @param sql which statement, by its SQL text
   * @return this data source
   */
  public FaultyDataSource killProcessBeforeStatement(Predicate<String> sql) {
    Objects.requireNonNull(sql, "sql must not be null");
    killBefore.set(sql);
    return this;
  }

  /**
   * Returns how many faults fired so far.
   *
   * @return the count
   */
  public long faultsInjected() {
    return injected.get();
  }

  private static int requireCount(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative, but was " + count);
    }
    return count;
  }

  private static boolean take(AtomicInteger armed) {
    return armed.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return faulty(target.getConnection());
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return faulty(target.getConnection(username, password));
  }

  private Connection faulty(Connection connection) {
    return (Connection) Proxy.newProxyInstance(FaultyDataSource.class.getClassLoader(),
        new Class<?>[] {Connection.class}, new ConnectionHandler(connection));
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return target.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    target.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    target.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return target.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return target.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    return target.unwrap(type);
  }

  @Override
  public boolean isWrapperFor(Class<?> type) throws SQLException {
    return type.isInstance(this) || target.isWrapperFor(type);
  }

  @Override
  public String toString() {
    return "FaultyDataSource[" + target + "]";
  }

  /** A statement fault: which SQL, how many more, before or after execution. */
  private record StatementFault(Predicate<String> sql, AtomicInteger remaining, boolean afterExecution) {
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Injects commit faults and wraps the statements it prepares. */
  private final class ConnectionHandler implements InvocationHandler {
    private final Connection connection;

    ConnectionHandler(Connection connection) {
      this.connection = connection;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "commit":
          commit();
          return null;
        case "unwrap":
          if (((Class<?>) args[0]).isInstance(proxy)) {
            return proxy;
          }
          return connection.unwrap((Class<?>) args[0]);
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        case "toString":
          return "faulty " + connection;
        default:
          break;
      }
      Object result = FaultyDataSource.invoke(connection, method, args);
      if (result instanceof Statement statement) {
        String sql = args != null && args.length > 0 && args[0] instanceof String text ? text : "";
        Class<?> type = result instanceof CallableStatement ? CallableStatement.class
            : result instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
        return Proxy.newProxyInstance(FaultyDataSource.class.getClassLoader(), new Class<?>[] {type},
            new StatementHandler(connection, statement, sql));
      }
      return result;
    }

    private void commit() throws SQLException {
      Duration delay = commitDelay.get();
      if (!delay.isZero()) {
        try {
          Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SQLRecoverableException("interrupted during an injected commit delay", "08006", e);
        }
      }
      if (take(failedCommits)) {
        injected.incrementAndGet();
        connection.rollback();
        throw new SQLRecoverableException("injected fault: the connection dropped before the commit; rolled back",
            "08006");
      }
      connection.commit();
      if (take(lostAcknowledgements)) {
        injected.incrementAndGet();
        throw new SQLRecoverableException("injected fault: the commit succeeded, then the connection dropped before"
            + " its acknowledgement", "08006");
      }
    }
  }

  /** Fails armed statements before or after they run. */
  private final class StatementHandler implements InvocationHandler {
    private final Connection connection;
    private final Statement statement;
    private final String preparedSql;

    StatementHandler(Connection connection, Statement statement, String preparedSql) {
      this.connection = connection;
      this.statement = statement;
      this.preparedSql = preparedSql;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      if (!name.startsWith("execute")) {
        if (name.equals("unwrap") && ((Class<?>) args[0]).isInstance(proxy)) {
          return proxy;
        }
        if (name.equals("getConnection")) {
          return statement.getConnection();
        }
        return FaultyDataSource.invoke(statement, method, args);
      }
      String sql = args != null && args.length > 0 && args[0] instanceof String text ? text : preparedSql;
      Predicate<String> kill = killBefore.get();
      if (kill != null && kill.test(sql)) {
        Runtime.getRuntime().halt(137); // as SIGKILL: nothing after this line runs, in this thread or any other
      }
      StatementFault fault = statementFault.get();
      boolean fire = fault != null && fault.sql().test(sql) && take(fault.remaining());
      if (fire && !fault.afterExecution()) {
        injected.incrementAndGet();
        throw new SQLRecoverableException("injected fault: the connection dropped before: " + sql, "08006");
      }
      Object result = FaultyDataSource.invoke(statement, method, args);
      if (fire) {
        injected.incrementAndGet();
        if (!connection.getAutoCommit()) {
          connection.rollback();
        }
        throw new SQLRecoverableException("injected fault: the connection dropped after: " + sql, "08006");
      }
      return result;
    }
  }
}
