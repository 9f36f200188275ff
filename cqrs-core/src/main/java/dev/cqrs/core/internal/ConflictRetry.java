package dev.cqrs.core.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The retry budget of a command handler after a {@link dev.cqrs.core.ConcurrencyConflictException}: retries until a
 * deadline (and at most a number of times), each after a random pause drawn from zero to a bound that doubles per
 * attempt up to 20 ms ("full jitter"). Spreading the writers of a hot stream at random is what lets each of them win
 * in turn; a fixed count of retries runs out under a burst long before the stream is free. Immutable and thread-safe.
 */
public final class ConflictRetry {

  /** The default most retries of one command. */
  public static final int DEFAULT_MAX_RETRIES = 1_000;
  /** The default time a command keeps retrying. */
  public static final Duration DEFAULT_RETRY_FOR = Duration.ofSeconds(10);

  private static final long BASE_NANOS = 100_000L;
  private static final long MAX_PAUSE_NANOS = 20_000_000L;

  private final int maxRetries;
  private final long retryForNanos;

  /**
   * Creates a budget.
   *
   * @param maxRetries the most retries
   * @param retryFor how long after the first attempt a retry may still start
   */
  public ConflictRetry(int maxRetries, Duration retryFor) {
    this.maxRetries = maxRetries;
    this.retryForNanos = retryFor.toNanos();
  }

  /**
   * Checks a builder's retry count.
   *
   * @param maxRetries the value
   * @return the value
   * @throws IllegalArgumentException if it is not between 0 and 100000
   */
  public static int checkMaxRetries(int maxRetries) {
    if (maxRetries < 0 || maxRetries > 100_000) {
      throw new IllegalArgumentException("maxRetries must be between 0 and 100000, but was " + maxRetries);
    }
    return maxRetries;
  }

  /**
   * Checks a builder's retry time.
   *
   * @param retryFor the value
   * @return the value
   * @throws IllegalArgumentException if it is negative or above one hour
   */
  public static Duration checkRetryFor(Duration retryFor) {
    if (retryFor == null) {
      throw new NullPointerException("retryFor must not be null");
    }
    if (retryFor.isNegative() || retryFor.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("retryFor must be between 0 and 1 hour, but was " + retryFor);
    }
    return retryFor;
  }

  /**
   * After a conflict: waits a random pause and returns {@code true} when the budget allows another attempt, or
   * returns {@code false} at once when it is spent.
   *
   * @param failedAttempts the attempts that conflicted so far, 1 or more
   * @param startedNanos {@link System#nanoTime()} at the first attempt
   * @return whether to try again
   */
  public boolean pauseBeforeRetry(int failedAttempts, long startedNanos) {
    long left = retryForNanos - (System.nanoTime() - startedNanos);
    if (failedAttempts > maxRetries || left <= 0) {
      return false;
    }
    long bound = Math.min(MAX_PAUSE_NANOS, BASE_NANOS << Math.min(failedAttempts, 20));
    LockSupport.parkNanos(Math.min(left, ThreadLocalRandom.current().nextLong(bound + 1)));
    return true;
  }

  @Override
  public String toString() {
    return "at most " + maxRetries + " retries within " + Duration.ofNanos(retryForNanos);
  }
}
