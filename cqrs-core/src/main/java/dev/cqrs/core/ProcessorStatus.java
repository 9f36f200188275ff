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
  /**
   * Started and allowed to process, but its last attempt failed and it waits to try again: an event that failed and has
   * attempts left, or the store briefly unreachable. It goes back to {@link #RUNNING} once an attempt succeeds, or to
   * {@link #FAILED} when the failure cannot pass.
   */
  RETRYING,
  /** Stopped by an event that kept failing while the failure policy is to stop; see the processor's failure. */
  FAILED
}
