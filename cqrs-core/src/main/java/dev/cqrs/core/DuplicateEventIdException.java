package dev.cqrs.core;

import java.util.UUID;

/**
 * An append carried an event id that is already stored, and the append was not an exact repeat of the earlier one
 * (an exact repeat is accepted and returns the earlier result). Nothing of the rejected append was stored.
 *
 * <p>Safe to read from any thread once thrown.
 */
public class DuplicateEventIdException extends CqrsException {

  private static final long serialVersionUID = 1L;

  /** The event id that is stored already. */
  private final UUID eventId;
  /** The stream of the rejected append. */
  private final String streamId;

  /**
   * Creates the exception.
   *
   * @param eventId the event id that is already stored
   * @param streamId the stream of the rejected append
   * @param detail what differs from the earlier append
   */
  public DuplicateEventIdException(UUID eventId, String streamId, String detail) {
    super("append to stream '" + streamId + "' carries event id " + eventId + ", which is already stored: " + detail);
    this.eventId = eventId;
    this.streamId = streamId;
  }

  /**
   * Returns the event id that is already stored.
   *
   * @return the event id
   */
  public UUID eventId() {
    return eventId;
  }

  /**
   * Returns the stream of the rejected append.
   *
   * @return the stream id
   */
  public String streamId() {
    return streamId;
  }
}
