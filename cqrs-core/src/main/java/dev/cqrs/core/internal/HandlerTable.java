package dev.cqrs.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Handlers registered by message class, found for a concrete class by assignability: the handler of the class itself,
 * else of its most specific registered supertype (a sealed interface of events, a base class). The match is resolved
 * once per concrete class and cached. Two registered supertypes of which neither is more specific make the match
 * ambiguous, which is an error naming both. Thread-safe: registration and lookups may run concurrently.
 *
 * @param <H> the handler type
 */
public final class HandlerTable<H> {

  private final Map<Class<?>, H> registered = new ConcurrentHashMap<>();
  private final Map<Class<?>, Optional<H>> resolved = new ConcurrentHashMap<>();
  private final String kind;

  /**
   * Creates an empty table.
   *
   * @param kind what the messages are, for messages ("command", "event")
   */
  public HandlerTable(String kind) {
    this.kind = kind;
  }

  /**
   * Registers a handler for a class and its subclasses.
   *
   * @param type the class
   * @param handler the handler
   * @return {@code false} when the class has a handler already (nothing changed)
   */
  public boolean register(Class<?> type, H handler) {
    Objects.requireNonNull(type, "type must not be null");
    Objects.requireNonNull(handler, "handler must not be null");
    if (registered.putIfAbsent(type, handler) != null) {
      return false;
    }
    resolved.clear(); // a new, more specific handler may change earlier matches
    return true;
  }

  /**
   * Finds the handler of a concrete class.
   *
   * @param type the message's class
   * @return the handler, or empty when neither the class nor a supertype has one
   * @throws IllegalStateException if two registered supertypes match and neither is more specific
   */
  public Optional<H> find(Class<?> type) {
    Optional<H> match = resolved.get(type);
    if (match == null) {
      match = resolve(type);
      resolved.put(type, match);
    }
    return match;
  }

  /**
   * Tells whether a class or one of its supertypes has a handler.
   *
   * @param type the message's class
   * @return whether {@link #find} finds one
   */
  public boolean handles(Class<?> type) {
    return find(type).isPresent();
  }

  /**
   * Returns the registered classes.
   *
   * @return a snapshot of them
   */
  public List<Class<?>> types() {
    return List.copyOf(registered.keySet());
  }

  private Optional<H> resolve(Class<?> type) {
    H exact = registered.get(type);
    if (exact != null) {
      return Optional.of(exact);
    }
    List<Class<?>> candidates = new ArrayList<>();
    for (Class<?> supertype : registered.keySet()) {
      if (supertype.isAssignableFrom(type)) {
        candidates.add(supertype);
      }
    }
    List<Class<?>> mostSpecific = candidates.stream()
        .filter(c -> candidates.stream().noneMatch(other -> other != c && c.isAssignableFrom(other)))
        .toList();
    if (mostSpecific.isEmpty()) {
      return Optional.empty();
    }
    if (mostSpecific.size() > 1) {
      throw new IllegalStateException("the " + kind + " " + type.getName() + " matches the handlers of "
          + mostSpecific.stream().map(Class::getName).sorted().collect(Collectors.joining(" and "))
          + ", and neither is more specific; register a handler for " + type.getName() + " itself");
    }
    return Optional.of(registered.get(mostSpecific.get(0)));
  }
}
