package dev.cqrs.core.spi;

import dev.cqrs.core.CheckpointStore;
import dev.cqrs.core.Projection;
import java.util.Objects;

/**
 * What one segment of a segmented processor runs with, made by a backend for each segment (see
 * {@link dev.cqrs.core.TrackingProcessor.Builder#segmentParts}): a backend that coordinates instances gives each
 * segment a lease of its own, and a backend with transactions a projection and checkpoint store bound to that
 * segment's transactions. Immutable.
 *
 * @param projection the projection the segment applies its events to
 * @param checkpoints where the segment's checkpoint is kept
 * @param coordinator the segment's coordinator
 */
public record ProcessorParts(Projection projection, CheckpointStore checkpoints, ProcessingCoordinator coordinator) {

  /**
   * Checks that every part is there.
   *
   * @param projection the projection the segment applies its events to
   * @param checkpoints where the segment's checkpoint is kept
   * @param coordinator the segment's coordinator
   * @throws NullPointerException if a part is null
   */
  public ProcessorParts {
    Objects.requireNonNull(projection, "projection must not be null");
    Objects.requireNonNull(checkpoints, "checkpoints must not be null");
    Objects.requireNonNull(coordinator, "coordinator must not be null");
  }
}
