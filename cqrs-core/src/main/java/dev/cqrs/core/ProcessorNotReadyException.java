package dev.cqrs.core;

/**
 * Thrown by {@link TrackingProcessor#awaitProcessed} when a processor has not processed a position in time; the
 * message says why (failed, stopped, standing by, or behind). Transient unless the processor failed: waiting longer,
 * or starting the processor, may help.
 *
 * <p>Safe to read from any thread once thrown.
 */
public class ProcessorNotReadyException extends CqrsException {

  private static final long serialVersionUID = 1L;

  /** Whether the processor had failed, so that waiting again cannot help. */
  private final boolean failed;

  /**
   * Creates the exception.
   *
   * @param message what was awaited and why it was not reached
   * @param cause the processor's failure, or another cause, or {@code null}
   */
  public ProcessorNotReadyException(String message, Throwable cause) {
    super(message, cause);
    this.failed = cause != null && !(cause instanceof InterruptedException);
  }

  /**
   * Tells whether waiting again may help: {@code false} when the processor failed.
   *
   * @return whether retrying may help
   */
  @Override
  public boolean isTransient() {
    return !failed;
  }
}
