package dev.cqrs.core;

/**
 * A command or query was sent for which no handler is registered. The exception names the message type.
 *
 * <p>Safe to read from any thread once thrown.
 */
public class NoHandlerException extends CqrsException {

  private static final long serialVersionUID = 1L;

  /** The class that had no handler. */
  private final String messageType;

  /**
   * Creates the exception for a message type.
   *
   * @param kind "command" or "query"
   * @param messageType the class of the message that had no handler
   */
  public NoHandlerException(String kind, Class<?> messageType) {
    super("no handler is registered for " + kind + " type " + messageType.getName());
    this.messageType = messageType.getName();
  }

  /**
   * Returns the name of the message class that had no handler.
   *
   * @return the fully qualified class name
   */
  public String messageType() {
    return messageType;
  }
}
