package dev.cqrs.core;

import java.util.OptionalLong;

/**
 * What an appender expects of a stream's version, checked atomically with the write.
 *
 * <p>Stream versions count a stream's events: a stream that does not exist has version 0, its first event has version
 * 1. Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * store.append("order-42", ExpectedVersion.noStream(), List.of(new OrderPlaced("42")));
 * store.append("order-42", ExpectedVersion.exactly(1), List.of(new OrderConfirmed("42")));
 * }</pre>
 */
public final class ExpectedVersion {

  private static final long ANY = -1;
  private static final long EXISTS = -2;

  private static final ExpectedVersion ANY_VERSION = new ExpectedVersion(ANY);
  private static final ExpectedVersion NO_STREAM = new ExpectedVersion(0);
  private static final ExpectedVersion STREAM_EXISTS = new ExpectedVersion(EXISTS);

  private final long value;

  private ExpectedVersion(long value) {
    this.value = value;
  }

  /**
   * Accepts the append whatever the stream's version.
   *
   * @return the expectation that always holds
   */
  public static ExpectedVersion any() {
    return ANY_VERSION;
  }

  /**
   * Accepts the append only when the stream has no events yet.
   *
   * @return the expectation of version 0
   */
  public static ExpectedVersion noStream() {
    return NO_STREAM;
  }

  /**
   * Accepts the append only when the stream has at least one event.
   *
   * @return the expectation that the stream exists
   */
  public static ExpectedVersion streamExists() {
    return STREAM_EXISTS;
  }

  /**
   * Accepts the append only when the stream's version is exactly {@code version}; {@code exactly(0)} is
   * {@link #noStream()}.
   *
   * @param version the version the stream must have, 0 or more
   * @return the expectation
   * @throws IllegalArgumentException if {@code version} is negative
   */
  public static ExpectedVersion exactly(long version) {
    if (version < 0) {
      throw new IllegalArgumentException("expected version must be 0 or more, but was " + version);
    }
    return version == 0 ? NO_STREAM : new ExpectedVersion(version);
  }

  /**
   * Tells whether a stream at {@code actualVersion} satisfies this expectation.
   *
   * @param actualVersion the stream's current version, 0 when it does not exist
   * @return {@code true} when an append may go ahead
   */
  public boolean isSatisfiedBy(long actualVersion) {
    if (value == ANY) {
      return true;
    }
    if (value == EXISTS) {
      return actualVersion > 0;
    }
    return value == actualVersion;
  }

  /**
   * Returns the exact version this expectation names, if it names one ({@link #noStream()} names 0).
   *
   * @return the version, or empty for {@link #any()} and {@link #streamExists()}
   */
  public OptionalLong version() {
    return value >= 0 ? OptionalLong.of(value) : OptionalLong.empty();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ExpectedVersion that && that.value == value;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(value);
  }

  /**
   * Returns {@code any}, {@code noStream}, {@code streamExists} or {@code exactly(n)}.
   *
   * @return a readable form
   */
  @Override
  public String toString() {
    if (value == ANY) {
      return "any";
    }
    if (value == EXISTS) {
      return "streamExists";
    }
    return value == 0 ? "noStream" : "exactly(" + value + ")";
  }
}
