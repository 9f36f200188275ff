package dev.cqrs.core;

/**
 * Marker for an event: a fact that happened, stored in an {@link EventStore} under a stable type name and revision
 * registered in {@link EventTypes}.
 *
 * <p>Write events as records: {@code record OrderPlaced(String orderId, String customer) implements Event {}}.
 * Implementations should be immutable, which makes them safe to share between threads.
 */
public interface Event {
}
