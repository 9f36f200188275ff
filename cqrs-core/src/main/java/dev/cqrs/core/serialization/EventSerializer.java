package dev.cqrs.core.serialization;

import dev.cqrs.core.Event;

/**
 * Turns events into bytes and back. A serializer only ever creates instances of the class it is asked for, which is
 * always a class registered in {@link dev.cqrs.core.EventTypes}; it must not read class names from the data.
 *
 * <p>Implementations must be thread-safe.
 */
public interface EventSerializer {

  /**
   * Serializes an event.
   *
   * @param event the event
   * @return its bytes
   * @throws RuntimeException any failure; {@link EventCodec} reports it with the type and stream
   */
  byte[] serialize(Event event);

  /**
   * Deserializes bytes of the current revision into an instance of {@code type}.
   *
   * @param data the bytes, already upcast to the current revision
   * @param type the registered class to create
   * @param <E> the event type
   * @return the event
   * @throws RuntimeException any failure; {@link EventCodec} reports it with the type, stream, version and position
   */
  <E extends Event> E deserialize(byte[] data, Class<E> type);
}
