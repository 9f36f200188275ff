package dev.cqrs.core;

/**
 * A failure that may pass if the operation is tried again later, such as a database that is briefly unreachable.
 * Nothing of the failed operation was stored.
 *
 * <p>Safe to read from any thread once thrown.
 */
public class TransientException extends CqrsException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that says what went wrong and where.
   *
   * @param message the detail message
   */
  public TransientException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the exception that caused it.
   *
   * @param message the detail message
   * @param cause the underlying failure
   */
  public TransientException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Always {@code true}: retrying may help.
   *
   * @return {@code true}
   */
  @Override
  public boolean isTransient() {
    return true;
  }
}
