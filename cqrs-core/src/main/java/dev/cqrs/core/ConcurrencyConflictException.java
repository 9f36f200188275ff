package dev.cqrs.core;

import java.util.Objects;

/**
 * An append was rejected because the stream's version did not match what the writer expected: another writer changed
 * the stream since it was read. Nothing of the rejected append was stored.
 *
 * <p>{@link #isTransient()} is {@code true}: reading the stream again and deciding on fresh state may succeed, while
 * repeating the same append with the same expected version will not.
 *
 * <p>Safe to read from any thread once thrown.
 */
public class ConcurrencyConflictException extends CqrsException {

  private static final long serialVersionUID = 1L;

  /** The stream that was appended to. */
  private final String streamId;
  /** What the writer expected. */
  private final transient ExpectedVersion expectedVersion;
  /** The stream's version when the append was checked. */
  private final long actualVersion;

  /**
   * Creates the exception for one rejected append.
   *
   * @param streamId the stream that was appended to
   * @param expectedVersion what the writer expected
   * @param actualVersion the stream's version when the append was checked ({@code 0} when it did not exist)
   */
  public ConcurrencyConflictException(String streamId, ExpectedVersion expectedVersion, long actualVersion) {
    super("append to stream '" + streamId + "' expected version " + expectedVersion
        + ", but the stream's version was " + (actualVersion == 0 ? "0 (no stream)" : actualVersion));
    this.streamId = Objects.requireNonNull(streamId, "streamId");
    this.expectedVersion = Objects.requireNonNull(expectedVersion, "expectedVersion");
    this.actualVersion = actualVersion;
  }

  /**
   * Returns the stream that was appended to.
   *
   * @return the stream id
   */
  public String streamId() {
    return streamId;
  }

  /**
   * Returns what the writer expected.
   *
   * @return the expected version of the rejected append
   */
  public ExpectedVersion expectedVersion() {
    return expectedVersion;
  }

  /**
   * Returns the stream's version when the append was checked.
   *
   * @return the actual version, {@code 0} when the stream did not exist
   */
  public long actualVersion() {
    return actualVersion;
  }

  /**
   * Always {@code true}: deciding again on fresh state may succeed.
   *
   * @return {@code true}
   */
  @Override
  public boolean isTransient() {
    return true;
  }
}
