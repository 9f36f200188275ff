package dev.cqrs.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the wake-up notification for other instances after appends commit, from its own thread and outside the
 * appends' transactions. PostgreSQL serializes the commits of notifying transactions on one queue lock, and each of
 * them takes a transaction id and flushes its commit to disk, so a notification inside every append would make
 * concurrent appends wait for each other's flush. Here appends are coalesced: at most one notification per
 * {@value #INTERVAL_MILLIS} ms, sent as soon as the interval allows after an append; other instances wake up at most
 * that much later (and poll meanwhile). Thread-safe.
 */
public final class PostgresNotifier implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresNotifier.class);
  /** The least time between two notifications. */
  static final long INTERVAL_MILLIS = 5;

  private final DataSource dataSource;
  private final String channel;
  private final Semaphore pending = new Semaphore(0);
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * Starts the notifier thread.
   *
   * @param dataSource where connections come from
   * @param channel the channel, a plain identifier
   * @param threads makes its thread
   */
  public PostgresNotifier(DataSource dataSource, String channel, java.util.concurrent.ThreadFactory threads) {
    this.dataSource = dataSource;
    this.channel = channel;
    this.thread = threads.newThread(this::run);
    thread.start();
  }

  /** Asks for a notification soon; cheap and never blocking. */
  public void appended() {
    if (pending.availablePermits() == 0) {
      pending.release();
    }
  }

  private void run() {
    while (running) {
      try {
        if (!pending.tryAcquire(1, TimeUnit.SECONDS)) {
          continue;
        }
        pending.drainPermits();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, '')")) {
          if (!connection.getAutoCommit()) {
            connection.setAutoCommit(true);
          }
          notify.setString(1, channel);
          notify.execute();
        }
        Thread.sleep(INTERVAL_MILLIS); // appends meanwhile are told by the next notification
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        if (running) {
          LOG.warn("could not notify channel '{}'; other instances poll meanwhile", channel, e);
        }
      }
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
