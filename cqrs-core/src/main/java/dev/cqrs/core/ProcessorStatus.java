package dev.cqrs.core;

/** The life cycle of a {@link TrackingProcessor}. */
public enum ProcessorStatus {
  /** Not processing: never started, or stopped. */
  STOPPED,
  /** Processing events, or waiting for new ones. */
  RUNNING,
  /**
   * Started, but not (yet) allowed to process: just starting, or another instance holds the processor's lease; this
   * one takes over when the lease is free.
   */
  STANDBY,
  /** Stopped by an event that kept failing while the failure policy is to stop; see the processor's failure. */
  FAILED
}
