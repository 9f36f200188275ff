package dev.cqrs.core;

/**
 * A command broke a rule of the write model ("an order cannot be shipped before it is confirmed"). Nothing was stored.
 * Retrying the same command will fail the same way, so {@link #isTransient()} is {@code false}.
 *
 * <p>Safe to read from any thread once thrown.
 */
public class CommandRejectedException extends CqrsException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception with the reason a person can read.
   *
   * @param reason why the command was rejected
   */
  public CommandRejectedException(String reason) {
    super(reason);
  }
}
