package dev.cqrs.core;

/**
 * An event could not be turned into stored form, or its stored form could not be turned back into an event. The
 * message names the type and revision and, on read, the stream, version and position.
 *
 * <p>Safe to read from any thread once thrown.
 */
public class SerializationException extends CqrsException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and where
   * @param cause the serializer's own exception
   */
  public SerializationException(String message, Throwable cause) {
    super(message, cause);
  }
}
