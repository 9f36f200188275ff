package dev.cqrs.core;

/**
 * Marker for a command: a request to change state, handled by exactly one handler on a {@link CommandBus}.
 *
 * <p>Write commands as records: {@code record PlaceOrder(String orderId, String customer) implements Command {}}.
 * Implementations should be immutable, which makes them safe to share between threads.
 */
public interface Command {
}
