package dev.cqrs.jdbc.internal;

import dev.cqrs.jdbc.ReadFence;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Looks at the read fence from time to time (at most once per interval, when a reader has caught up) and reports a
 * fence older than a threshold once per episode: once per holding transaction, and again only after the fence has
 * been young again or another transaction holds it. Thread-safe.
 */
public final class FenceWatch {

  private final Supplier<Optional<ReadFence>> fence;
  private final Duration threshold;
  private final long intervalNanos;
  private final Consumer<ReadFence> report;
  private long lastLook;
  private long reported = -1;

  /**
   * Creates a watch.
   *
   * @param fence reads the fence
   * @param threshold the age from which a fence is reported
   * @param interval the least time between two looks
   * @param report what to do with a fence past the threshold
   */
  public FenceWatch(Supplier<Optional<ReadFence>> fence, Duration threshold, Duration interval,
                    Consumer<ReadFence> report) {
    this.fence = fence;
    this.threshold = threshold;
    this.intervalNanos = interval.toNanos();
    this.report = report;
    this.lastLook = System.nanoTime() - intervalNanos;
  }

  /** Called when a reader has caught up: looks at the fence if the interval has passed. */
  public void readerCaughtUp() {
    long now = System.nanoTime();
    synchronized (this) {
      if (now - lastLook < intervalNanos) {
        return;
      }
      lastLook = now;
    }
    look();
  }

  /** Looks at the fence now and reports it if it is old and not reported yet. */
  public void look() {
    Optional<ReadFence> current = fence.get();
    ReadFence old = current.filter(f -> f.age().compareTo(threshold) >= 0).orElse(null);
    synchronized (this) {
      if (old == null) {
        reported = -1; // the episode is over
        return;
      }
      if (old.transactionId() == reported) {
        return;
      }
      reported = old.transactionId();
    }
    report.accept(old);
  }
}
