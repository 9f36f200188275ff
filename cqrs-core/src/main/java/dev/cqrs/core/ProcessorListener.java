package dev.cqrs.core;

import java.time.Duration;
import java.util.Optional;

/**
 * Hears what a {@link TrackingProcessor} does, for metrics and monitoring: batches committed, retries, events parked
 * as dead letters, and changes of status. Every method does nothing by default; override what you need.
 *
 * <p>The processor calls these on its worker thread, after the fact (a batch is reported once it committed), so a
 * listener must return quickly and never block. An exception from a listener is logged and ignored; it never changes
 * what the processor does. Implementations must be thread-safe when one listener serves several processors.
 *
 * <pre>{@code
 * TrackingProcessor processor = TrackingProcessor.builder("order-views", store, views, checkpoints)
 *     .listener(new ProcessorListener() {
 *       public void retrying(String processor, Position at, int attempt, Throwable failure) {
 *         alerts.warn(processor + " retries at " + at, failure);
 *       }
 *     })
 *     .build();
 * }</pre>
 */
public interface ProcessorListener {

  /** A listener that hears nothing. */
  ProcessorListener NONE = new ProcessorListener() {
  };

  /**
   * A batch committed: its events are applied and the checkpoint moved past them.
   *
   * @param processor the processor's name
   * @param events how many events the batch moved over (handled by the projection or skipped as not handled)
   * @param checkpoint the checkpoint after the batch
   * @param took how long the batch took, from the start of its unit of work to its commit
   */
  default void batchCommitted(String processor, int events, Position checkpoint, Duration took) {
  }

  /**
   * The processor failed and will try again after a pause: an event that failed, or a read or commit that failed.
   *
   * @param processor the processor's name
   * @param at the checkpoint it will try again from
   * @param attempt how many attempts in a row have failed, from 1
   * @param failure what failed
   */
  default void retrying(String processor, Position at, int attempt, Throwable failure) {
  }

  /**
   * An event that kept failing was parked as a dead letter, and the checkpoint moved past it.
   *
   * @param processor the processor's name
   * @param letter the dead letter
   */
  default void parked(String processor, DeadLetter letter) {
  }

  /**
   * The processor's status changed.
   *
   * @param processor the processor's name
   * @param status the new status
   * @param failure the cause, present exactly when the status is {@link ProcessorStatus#FAILED}
   */
  default void statusChanged(String processor, ProcessorStatus status, Optional<Throwable> failure) {
  }
}
