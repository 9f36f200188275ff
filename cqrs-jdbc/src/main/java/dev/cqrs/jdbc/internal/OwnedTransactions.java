package dev.cqrs.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.ResultSet;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The transactions the library opened itself on the current thread, which it commits or rolls back and so knows the
 * end of; and the JVM locks that H2 appends hold until such a transaction ends.
 *
 * <p>Why: on an H2 file database with {@code WRITE_DELAY=0}, a transaction that rolls back after updating a row while
 * others wait for that row's lock can make H2 lose an update of the row (measured on H2 2.3.232 and 2.5.252; none
 * in memory, none without rollbacks). H2 appends take their positions from one counter row, and a refused append
 * rolls back, so two appends could take the same position. Appends in the library's own transactions therefore also
 * take a JVM lock per database, held until their transaction ends, so that H2 never sees them wait for each other.
 * Appends in transactions the library does not end (the caller's) rely on H2's row lock alone.
 *
 * <p>Thread-safe; the per-thread state is confined to its thread.
 */
public final class OwnedTransactions {

  private static final ThreadLocal<Deque<Owned>> CURRENT = ThreadLocal.withInitial(ArrayDeque::new);
  private static final Map<String, ReentrantLock> GATES = new ConcurrentHashMap<>();

  private OwnedTransactions() {
  }

  /** A transaction the library opened on this thread. */
  public static final class Owned implements AutoCloseable {
    private final Connection connection;
    private final List<ReentrantLock> held = new ArrayList<>(1);

    private Owned(Connection connection) {
      this.connection = connection;
    }

    /** Ends the entry after the transaction was committed or rolled back: releases the locks it took. */
    @Override
    public void close() {
      for (ReentrantLock lock : held) {
        lock.unlock();
      }
      held.clear();
      CURRENT.get().remove(this);
    }
  }

  /**
   * Records that the library opened a transaction on a connection; close the result after the commit or roll back.
   *
   * @param connection the connection, as the work sees it
   * @return the entry to close when the transaction has ended
   */
  public static Owned begin(Connection connection) {
    Owned owned = new Owned(connection);
    CURRENT.get().push(owned);
    return owned;
  }

  /**
   * Takes the append gate of the connection's H2 database and holds it until the library's transaction on that
   * connection ends; does nothing when the transaction is not the library's own.
   *
   * @param connection the connection of the append
   * @param database the database's identity, from {@link #databaseOf}
   * @param timeoutNanos how long to wait for the gate
   * @throws SQLException (as a lock timeout) if the gate was not free in time, or the wait was interrupted
   */
  static void holdAppendGate(Connection connection, String database, long timeoutNanos) throws SQLException {
    Owned owned = null;
    for (Owned candidate : CURRENT.get()) {
      if (candidate.connection == connection) {
        owned = candidate;
        break;
      }
    }
    if (owned == null) {
      return;
    }
    ReentrantLock gate = GATES.computeIfAbsent(database, key -> new ReentrantLock());
    if (owned.held.contains(gate)) {
      return;
    }
    try {
      if (!gate.tryLock(timeoutNanos, TimeUnit.NANOSECONDS)) {
        throw new SQLTransientException("timed out waiting for the other appends to this H2 database"
            + " in this JVM", "HYT00");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLTransientException("interrupted while waiting for the other appends to this H2 database",
          "HYT00", e);
    }
    owned.held.add(gate);
  }

  /**
   * Names the H2 database of a connection: its file path, or its name for an in-memory database.
   *
   * @param connection a connection to H2
   * @return the identity
   * @throws SQLException on a database failure
   */
  static String databaseOf(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
         ResultSet result = statement.executeQuery("SELECT DATABASE_PATH(), DATABASE()")) {
      result.next();
      String path = result.getString(1);
      return path != null ? "file:" + path : "mem:" + result.getString(2);
    }
  }
}
