package dev.cqrs.core;

import java.util.Objects;

/**
 * The folded state of a stream at a version, so that loading can start there instead of at the first event. A snapshot
 * whose {@code stateRevision} differs from the one the loader expects is ignored: bump the revision whenever the
 * state's shape or meaning changes.
 *
 * <p>Immutable, and thread-safe when the state is; snapshot only immutable states.
 *
 * @param streamId the stream
 * @param version the stream version the state includes
 * @param stateRevision the revision of the state's shape, 1 or more
 * @param state the state
 * @param <S> the state type
 */
public record Snapshot<S>(String streamId, long version, int stateRevision, S state) {

  /**
   * Validates the parts.
   *
   * @param streamId the stream
   * @param version the stream version the state includes, 1 or more
   * @param stateRevision the revision of the state's shape, 1 or more
   * @param state the state
   * @throws NullPointerException if the stream id or the state is null
   * @throws IllegalArgumentException if the version or the revision is below 1
   */
  public Snapshot {
    Objects.requireNonNull(streamId, "streamId must not be null");
    Objects.requireNonNull(state, "state must not be null");
    if (version < 1) {
      throw new IllegalArgumentException("snapshot version of stream '" + streamId + "' must be 1 or more, but was "
          + version);
    }
    if (stateRevision < 1) {
      throw new IllegalArgumentException("stateRevision of the snapshot of stream '" + streamId
          + "' must be 1 or more, but was " + stateRevision);
    }
  }
}
