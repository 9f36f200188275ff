package dev.cqrs.jdbc.internal;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens for the events table's notifications on a dedicated connection and runs a callback for each batch of them.
 * The notifications are only hints; when the connection fails, it reconnects after a pause, and readers keep polling
 * meanwhile. pgjdbc is reached through reflection, so that this module does not depend on it. Thread-safe.
 */
public final class PostgresNotifications implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresNotifications.class);

  private final DataSource dataSource;
  private final String channel;
  private final Runnable onNotification;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Connection connection;

  /**
   * Starts listening.
   *
   * @param dataSource where the dedicated connection comes from
   * @param channel the channel name, a plain identifier
   * @param onNotification what to run when notifications arrive
   * @param threads makes its thread
   */
  public PostgresNotifications(DataSource dataSource, String channel, Runnable onNotification, java.util.concurrent.ThreadFactory threads) {
    this.dataSource = dataSource;
    this.channel = channel;
    this.onNotification = onNotification;
    this.thread = threads.newThread(this::run);
    thread.start();
  }

  private void run() {
    while (running) {
      try (Connection listening = dataSource.getConnection()) {
        connection = listening;
        listening.setAutoCommit(true);
        try (Statement statement = listening.createStatement()) {
          statement.execute("LISTEN " + channel);
        }
        Class<?> pgConnectionType = Class.forName("org.postgresql.PGConnection", false,
            listening.getClass().getClassLoader());
        Object pgConnection = listening.unwrap(pgConnectionType);
        Method getNotifications = pgConnectionType.getMethod("getNotifications", int.class);
        onNotification.run(); // anything appended while we were not listening
        while (running) {
          Object notifications = getNotifications.invoke(pgConnection, 500);
          if (notifications != null && Array.getLength(notifications) > 0) {
            onNotification.run();
          }
        }
      } catch (Exception e) {
        if (running) {
          LOG.warn("listening on channel '{}' failed; readers poll until it is back", channel, e);
          pause();
        }
      } finally {
        connection = null;
      }
    }
  }

  private void pause() {
    try {
      TimeUnit.SECONDS.sleep(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    Connection current = connection;
    if (current != null) {
      try {
        current.close();
      } catch (Exception ignored) {
        // closing only unblocks the listener thread
      }
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
