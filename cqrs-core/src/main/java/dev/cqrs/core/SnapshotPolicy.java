package dev.cqrs.core;

/**
 * Decides when a handler saves a snapshot after an append. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface SnapshotPolicy {

  /**
   * Tells whether to snapshot after an append moved a stream from one version to another.
   *
   * @param versionBefore the stream's version before the append
   * @param versionAfter the stream's version after it
   * @return {@code true} to save a snapshot of the new state
   */
  boolean shouldSnapshot(long versionBefore, long versionAfter);

  /**
   * Snapshots whenever an append crosses a multiple of {@code n} events.
   *
   * @param n the interval, 1 or more
   * @return the policy
   * @throws IllegalArgumentException if {@code n} is below 1
   */
  static SnapshotPolicy everyNEvents(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("snapshot interval must be 1 or more events, but was " + n);
    }
    return (before, after) -> before / n != after / n;
  }
}
