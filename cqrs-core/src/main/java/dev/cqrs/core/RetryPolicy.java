package dev.cqrs.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and how patiently a {@link TrackingProcessor} applies an event that fails: up to {@code maxAttempts}
 * attempts, waiting {@code initialBackoff} after the first failure and {@code multiplier} times longer after each
 * further one, never more than {@code maxBackoff}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param maxAttempts attempts per event, 1 to 1000
 * @param initialBackoff the wait after the first failure, 0 or more
 * @param maxBackoff the longest wait, at least {@code initialBackoff}
 * @param multiplier how much longer each wait is than the one before, 1.0 or more
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {

  /**
   * Validates each setting.
   *
   * @param maxAttempts attempts per event, 1 to 1000
   * @param initialBackoff the wait after the first failure
   * @param maxBackoff the longest wait
   * @param multiplier the growth factor of the waits
   * @throws IllegalArgumentException naming the setting that is out of range
   */
  public RetryPolicy {
    if (maxAttempts < 1 || maxAttempts > 1000) {
      throw new IllegalArgumentException("maxAttempts must be between 1 and 1000, but was " + maxAttempts);
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff must not be null");
    Objects.requireNonNull(maxBackoff, "maxBackoff must not be null");
    if (initialBackoff.isNegative()) {
      throw new IllegalArgumentException("initialBackoff must not be negative, but was " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff must be at least initialBackoff (" + initialBackoff
          + "), but was " + maxBackoff);
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be 1.0 or more, but was " + multiplier);
    }
  }

  /**
   * Returns exponential backoff that doubles each wait.
   *
   * @param maxAttempts attempts per event
   * @param initialBackoff the wait after the first failure
   * @param maxBackoff the longest wait
   * @return the policy
   */
  public static RetryPolicy exponential(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, 2.0);
  }

  /**
   * Returns the default: 5 attempts, waiting 100 ms, then 200 ms, 400 ms and 800 ms.
   *
   * @return the default policy
   */
  public static RetryPolicy defaults() {
    return exponential(5, Duration.ofMillis(100), Duration.ofSeconds(10));
  }

  /**
   * Returns how long to wait after a number of failed attempts.
   *
   * @param failedAttempts how many attempts failed so far, 1 or more
   * @return the wait
   */
  public Duration backoffAfter(int failedAttempts) {
    double nanos = initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, failedAttempts - 1));
    return nanos >= maxBackoff.toNanos() ? maxBackoff : Duration.ofNanos((long) nanos);
  }
}
