package dev.cqrs.jdbc.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** The default thread factory of the JDBC backend's background threads. Stateless apart from a counter; thread-safe. */
public final class Threads {

  private static final AtomicInteger COUNT = new AtomicInteger();

  private Threads() {
  }

  /**
   * Returns a factory of daemon threads named {@code prefix-N}.
   *
   * @param prefix the name prefix, for example {@code cqrs-read-ahead}
   * @return the factory
   */
  public static ThreadFactory daemon(String prefix) {
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + COUNT.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
