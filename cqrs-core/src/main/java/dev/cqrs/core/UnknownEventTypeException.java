package dev.cqrs.core;

/**
 * An event's type is not in the {@link EventTypes} registry in use: on append, its class is not registered; on read,
 * its stored type name is not. The message names the type and, on read, the stream, version and position.
 *
 * <p>Safe to read from any thread once thrown.
 */
public class UnknownEventTypeException extends CqrsException {

  private static final long serialVersionUID = 1L;

  /** The unknown type name or class name. */
  private final String typeName;

  /**
   * Creates the exception.
   *
   * @param typeName the unknown type name, or the class name of an unregistered event class
   * @param message the full message, saying where the type was met
   */
  public UnknownEventTypeException(String typeName, String message) {
    super(message);
    this.typeName = typeName;
  }

  /**
   * Returns the unknown type name, or the name of the unregistered class.
   *
   * @return the type name
   */
  public String typeName() {
    return typeName;
  }
}
