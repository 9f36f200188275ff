package dev.cqrs.core.internal;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes message ids: version 7 UUIDs (time-ordered, so database indexes on them stay compact) from a thread-local
 * random source, which is far cheaper than {@link UUID#randomUUID()}'s secure random and does not contend between
 * threads. Message ids need to be unique, not unguessable. Thread-safe.
 */
public final class Ids {

  private Ids() {
  }

  /**
   * Returns a new version 7 UUID.
   *
   * @return the id
   */
  public static UUID newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long millis = System.currentTimeMillis();
    long high = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low);
  }
}
