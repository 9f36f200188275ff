package dev.cqrs.core.spi;

import dev.cqrs.core.TransientException;

/**
 * A processor instance lost its lease to another instance (for example after a long pause); the batch it was running
 * was rolled back, and it goes back to standby. Retrying makes sense only after acquiring the lease again.
 *
 * <p>Safe to read from any thread once thrown.
 */
public class LeaseLostException extends TransientException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which processor lost which lease
   */
  public LeaseLostException(String message) {
    super(message);
  }
}
