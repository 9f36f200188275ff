package dev.cqrs.core;

import java.util.Optional;

/**
 * Keeps the position each {@link TrackingProcessor} has processed up to. Checkpoints never move backwards except
 * through {@link #reset}. Implemented by backends and checked by the checkpoint store contract suite in
 * {@code cqrs-test}. Implementations must be thread-safe.
 */
public interface CheckpointStore {

  /**
   * Returns a processor's checkpoint.
   *
   * @param processor the processor's name
   * @return the last position it processed, or empty when it never saved one (or was reset)
   */
  Optional<Position> load(String processor);

  /**
   * Moves a processor's checkpoint forward; saving the stored position again does nothing.
   *
   * @param processor the processor's name
   * @param position the last position it processed
   * @throws IllegalArgumentException if {@code position} is before the stored checkpoint, which is left unchanged
   */
  void save(String processor, Position position);

  /**
   * Moves a processor's checkpoint from {@code expected} to {@code position} if, and only if, it still stands at
   * {@code expected}, checked atomically with the write. A processor saves each batch's checkpoint this way, so that a
   * batch that was applied already (a commit whose acknowledgement was lost, another instance that took over, a
   * reset) is never applied again on top of it.
   *
   * @param processor the processor's name
   * @param expected where the checkpoint must stand; {@link Position#START} when there is none
   * @param position the new checkpoint, after {@code expected}
   * @return {@code true} when moved; {@code false}, changing nothing, when the checkpoint is not at {@code expected}
   * @throws IllegalArgumentException if {@code position} is not after {@code expected}
   */
  boolean move(String processor, Position expected, Position position);

  /**
   * Forgets a processor's checkpoint, so that it starts again from the first event (a replay).
   *
   * @param processor the processor's name
   */
  void reset(String processor);
}
