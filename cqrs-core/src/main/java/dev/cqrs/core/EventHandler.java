package dev.cqrs.core;

/**
 * Applies one type of event to a read model; registered with {@link Projection.Builder#on(Class, EventHandler)}.
 * A projection's handlers are called from one thread at a time.
 *
 * @param <E> the event type
 */
@FunctionalInterface
public interface EventHandler<E extends Event> {

  /**
   * Applies an event.
   *
   * @param event the event
   * @param recorded the event as stored, with its stream, version, position and metadata
   */
  void handle(E event, RecordedEvent recorded);
}
