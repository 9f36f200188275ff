package dev.cqrs.core;

/**
 * A second handler was registered for a command or query type that already has one. The first registration stays.
 *
 * <p>Safe to read from any thread once thrown.
 */
public class DuplicateHandlerException extends CqrsException {

  private static final long serialVersionUID = 1L;

  /** The class that already had a handler. */
  private final String messageType;

  /**
   * Creates the exception for a message type.
   *
   * @param kind "command" or "query"
   * @param messageType the class that already had a handler
   */
  public DuplicateHandlerException(String kind, Class<?> messageType) {
    super("a handler is already registered for " + kind + " type " + messageType.getName()
        + "; each " + kind + " type has exactly one handler");
    this.messageType = messageType.getName();
  }

  /**
   * Returns the name of the message class that already had a handler.
   *
   * @return the fully qualified class name
   */
  public String messageType() {
    return messageType;
  }
}
