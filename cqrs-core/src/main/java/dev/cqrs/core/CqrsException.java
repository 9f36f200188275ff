package dev.cqrs.core;

/**
 * The root of every exception that cqrs raises for a failed operation. It is unchecked.
 *
 * <p>{@link #isTransient()} tells whether trying the same operation again may succeed: it is {@code true} for
 * {@link TransientException} (a store that is briefly unavailable) and for {@link ConcurrencyConflictException}
 * (another writer was first; deciding again on fresh state may succeed), and {@code false} for everything else.
 * Invalid arguments are reported with the JDK's own {@link NullPointerException} and
 * {@link IllegalArgumentException}, before anything is written.
 *
 * <p>Instances are not meant to be shared between threads while being modified; like all exceptions they are safe to
 * read from any thread once thrown.
 */
public class CqrsException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that says what went wrong and where.
   *
   * @param message the detail message
   */
  public CqrsException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the exception that caused it.
   *
   * @param message the detail message
   * @param cause the underlying failure
   */
  public CqrsException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Tells whether trying the failed operation again may succeed.
   *
   * @return {@code false} here; subtypes that describe passing conditions return {@code true}
   */
  public boolean isTransient() {
    return false;
  }
}
