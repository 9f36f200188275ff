package dev.cqrs.core.spi;

import dev.cqrs.core.CqrsException;

/**
 * Thrown by a projection adapter to abort the current batch so that the processor runs it again at once, for example
 * after a failure left a database transaction unusable; the adapter then applies the repeated batch more carefully
 * (one savepoint per event). Nothing of the aborted batch is kept. Processors do not count it as a failure of the
 * event.
 *
 * <p>Safe to read from any thread once thrown.
 */
public class BatchRetryException extends CqrsException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message why the batch is run again
   * @param cause the failure that aborted it
   */
  public BatchRetryException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Always {@code true}: running the batch again is the point.
   *
   * @return {@code true}
   */
  @Override
  public boolean isTransient() {
    return true;
  }
}
