package dev.cqrs.core.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor a bus makes for its asynchronous sends when it is given none: a pool of daemon threads, made on first
 * use, sized for handlers that block on a database (never the common fork-join pool, whose few threads blocking
 * handlers would starve). Idle threads end after a minute. {@link #close()} lets queued work finish and refuses new
 * work. Thread-safe.
 */
public final class OwnedExecutor implements Executor, AutoCloseable {

  private static final AtomicInteger THREADS = new AtomicInteger();

  private final String prefix;
  private ExecutorService pool;
  private boolean closed;

  /**
   * Creates the executor; no thread starts yet.
   *
   * @param prefix the threads' name prefix, for example {@code cqrs-command}
   */
  public OwnedExecutor(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public void execute(Runnable task) {
    pool().execute(task);
  }

  private synchronized ExecutorService pool() {
    if (closed) {
      throw new RejectedExecutionException("the bus is closed; its executor takes no more work");
    }
    if (pool == null) {
      int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
      ThreadPoolExecutor made = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
          });
      made.allowCoreThreadTimeOut(true);
      pool = made;
    }
    return pool;
  }

  /** Refuses new work and lets what was queued finish on the pool's threads, which then end. */
  @Override
  public synchronized void close() {
    closed = true;
    if (pool != null) {
      pool.shutdown();
    }
  }
}
