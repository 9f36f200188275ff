package dev.cqrs.core.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes message ids: version 7 UUIDs (time-ordered, so database indexes on them stay compact) from a thread-local
 * random source, which is far cheaper than {@link UUID#randomUUID()}'s secure random and does not contend between
 * threads. Message ids need to be unique, not unguessable. Thread-safe.
 */
public final class Ids {

  /** One digest per thread: getting a new one per derived id costs a provider look-up on every event appended. */
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  });

  private Ids() {
  }

  /**
   * Returns the id derived from a parent id and a name: the same for the same two, so that a message sent again (a
   * command resent after a failure, a process manager's command sent again after a crash) gets the ids it had. The
   * first 48 bits are the parent's (the time of a version 7 id, keeping indexes compact); the rest come from a SHA-256
   * hash of both; it is marked as a version 8 (custom) UUID.
   *
   * @param parent the id it derives from
   * @param name what distinguishes it among the parent's derived ids
   * @return the derived id
   */
  public static UUID derived(UUID parent, String name) {
    MessageDigest sha = SHA_256.get(); // digest() below resets it for the next call on this thread
    sha.update(ByteBuffer.allocate(16).putLong(parent.getMostSignificantBits())
        .putLong(parent.getLeastSignificantBits()).array());
    ByteBuffer hash = ByteBuffer.wrap(sha.digest(name.getBytes(StandardCharsets.UTF_8)));
    long high = (parent.getMostSignificantBits() & 0xFFFFFFFFFFFF0000L) | 0x8000L | (hash.getLong() & 0x0FFFL);
    long low = (hash.getLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low);
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
