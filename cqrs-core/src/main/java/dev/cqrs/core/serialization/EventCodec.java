package dev.cqrs.core.serialization;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventType;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.SerializationException;
import dev.cqrs.core.UnknownEventTypeException;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What a storing backend needs to turn events into stored form and back: the {@link EventTypes} registry, an
 * {@link EventSerializer} and an {@link UpcasterChain}. It names the type and the place (stream, version, position) in
 * every failure.
 *
 * <p>Immutable and thread-safe when its serializer is.
 */
public final class EventCodec {

  private final EventTypes types;
  private final EventSerializer serializer;
  private final UpcasterChain upcasters;

  private EventCodec(EventTypes types, EventSerializer serializer, UpcasterChain upcasters) {
    this.types = Objects.requireNonNull(types, "types must not be null");
    this.serializer = Objects.requireNonNull(serializer, "serializer must not be null");
    this.upcasters = Objects.requireNonNull(upcasters, "upcasters must not be null");
  }

  /**
   * Combines a registry, a serializer and upcasters.
   *
   * @param types the registry of event classes
   * @param serializer the serializer
   * @param upcasters the upcasters for older revisions
   * @return the codec
   */
  public static EventCodec of(EventTypes types, EventSerializer serializer, UpcasterChain upcasters) {
    return new EventCodec(types, serializer, upcasters);
  }

  /**
   * Returns the registry.
   *
   * @return the event types
   */
  public EventTypes types() {
    return types;
  }

  /**
   * Serializes an event under its registered type.
   *
   * @param event the event
   * @param where where the event is going, for messages, for example {@code "stream 'order-1'"}
   * @return the stored form
   * @throws UnknownEventTypeException if the event's class is not registered
   * @throws SerializationException if the serializer fails
   */
  public SerializedEvent encode(Event event, String where) {
    EventType type = types.typeOf(event.getClass());
    try {
      return new SerializedEvent(type, serializer.serialize(event));
    } catch (RuntimeException e) {
      throw new SerializationException("cannot serialize event " + type + " (" + event.getClass().getName()
          + ") for " + where + ": " + e.getMessage(), e);
    }
  }

  /**
   * Upcasts and deserializes a stored event.
   *
   * @param stored the stored form
   * @param where where the event was read, for messages, for example {@code "stream 'order-1' version 3 position 0/7"}
   * @return the event, as the registered class
   * @throws UnknownEventTypeException if the stored type name is not registered
   * @throws SerializationException if upcasting or deserialization fails
   */
  public DecodedEvent decode(SerializedEvent stored, String where) {
    return decode(stored, () -> where);
  }

  /**
   * Upcasts and deserializes a stored event, describing where it was read only when something fails (readers of
   * many events should not build a message for each).
   *
   * @param stored the stored form
   * @param where says where the event was read, for messages
   * @return the event, as the registered class
   * @throws UnknownEventTypeException if the stored type name is not registered
   * @throws SerializationException if upcasting or deserialization fails
   */
  public DecodedEvent decode(SerializedEvent stored, Supplier<String> where) {
    String name = stored.type().name();
    Class<? extends Event> eventClass = types.classOf(name).orElseThrow(() -> new UnknownEventTypeException(name,
        "stored event type '" + name + "' at " + where.get() + " is not registered in " + types));
    EventType current = types.typeOf(eventClass);
    try {
      SerializedEvent upcast = upcasters.upcast(stored, current);
      return new DecodedEvent(current, serializer.deserialize(upcast.bytes(), eventClass));
    } catch (RuntimeException e) {
      throw new SerializationException("cannot decode stored event " + stored.type() + " at " + where.get()
          + " into " + eventClass.getName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * A decoded event and the type it now has.
   *
   * @param type the registered type, at its current revision
   * @param event the event
   */
  public record DecodedEvent(EventType type, Event event) {
  }
}
