package dev.cqrs.core.internal;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * A short random pause before deciding again after a conflict, growing with each attempt (up to 10 ms). Without it,
 * writers of one hot stream keep loading while another writer holds the append, and lose again and again. Thread-safe.
 */
final class ConflictBackoff {

  private static final long MAX_NANOS = 10_000_000L;

  private ConflictBackoff() {
  }

  static void pause(int failedAttempts) {
    long bound = Math.min(MAX_NANOS, 50_000L << Math.min(failedAttempts, 20));
    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(bound / 2, bound));
  }
}
