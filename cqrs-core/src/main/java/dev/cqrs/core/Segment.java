package dev.cqrs.core;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One part of a processor split by stream: segment {@code index} of {@code count} handles the streams whose id hashes
 * to it, so that the events of one stream stay in order in one segment while different streams are handled in
 * parallel. The hash is FNV-1a (32 bits) over the stream id's UTF-8 bytes, taken modulo the count; it is part of the
 * stored state of segmented processors and never changes between releases.
 *
 * <p>A segment's checkpoint and lease are kept under {@link #processorName(String)}: {@code name[index/count]}, or the
 * processor's own name when the count is 1. Immutable and thread-safe.
 *
 * @param index the segment's number, from 0 to {@code count - 1}
 * @param count how many segments the processor has, 1 to {@value #MAX_COUNT}
 */
public record Segment(int index, int count) {

  /** The most segments a processor may have. */
  public static final int MAX_COUNT = 64;

  /**
   * Checks the numbers.
   *
   * @param index the segment's number, from 0 to {@code count - 1}
   * @param count how many segments the processor has
   * @throws IllegalArgumentException if the count is not 1 to {@value #MAX_COUNT} or the index not 0 to count - 1
   */
  public Segment {
    if (count < 1 || count > MAX_COUNT) {
      throw new IllegalArgumentException("segment count must be between 1 and " + MAX_COUNT + ", but was " + count);
    }
    if (index < 0 || index >= count) {
      throw new IllegalArgumentException("segment index must be between 0 and " + (count - 1) + ", but was "
          + index);
    }
  }

  /**
   * Returns the segment of {@code count} that handles a stream.
   *
   * @param streamId the stream
   * @param count how many segments there are, 1 to {@value #MAX_COUNT}
   * @return the segment
   */
  public static Segment of(String streamId, int count) {
    Objects.requireNonNull(streamId, "streamId must not be null");
    int hash = 0x811c9dc5;
    for (byte b : streamId.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x01000193;
    }
    return new Segment(Integer.remainderUnsigned(hash, count), count);
  }

  /**
   * Tells whether this segment handles a stream.
   *
   * @param streamId the stream
   * @return {@code true} when the stream hashes to this segment
   */
  public boolean contains(String streamId) {
    return of(streamId, count).index == index;
  }

  /**
   * Returns the name under which this segment of a processor keeps its checkpoint, lease and dead letters.
   *
   * @param processor the processor's name
   * @return {@code processor[index/count]}, or {@code processor} when the count is 1
   */
  public String processorName(String processor) {
    return count == 1 ? processor : processor + "[" + index + "/" + count + "]";
  }
}
