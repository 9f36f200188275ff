package dev.cqrs.core.serialization;

import dev.cqrs.core.EventType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Applies {@link Upcaster}s one revision at a time until a stored event reaches the registered revision of its type.
 *
 * <p>Immutable and thread-safe once built.
 */
public final class UpcasterChain {

  private static final UpcasterChain EMPTY = new UpcasterChain(Map.of());

  private final Map<String, Upcaster> byTypeAndRevision;

  private UpcasterChain(Map<String, Upcaster> byTypeAndRevision) {
    this.byTypeAndRevision = byTypeAndRevision;
  }

  /**
   * Returns the chain without upcasters, for applications whose events have only ever had one revision.
   *
   * @return the empty chain
   */
  public static UpcasterChain empty() {
    return EMPTY;
  }

  /**
   * Builds a chain from upcasters, at most one per type name and source revision.
   *
   * @param upcasters the upcasters
   * @return the chain
   * @throws IllegalArgumentException if two upcasters convert the same type from the same revision
   */
  public static UpcasterChain of(List<? extends Upcaster> upcasters) {
    Map<String, Upcaster> map = new HashMap<>();
    for (Upcaster upcaster : upcasters) {
      Objects.requireNonNull(upcaster, "upcaster must not be null");
      String key = key(upcaster.typeName(), upcaster.fromRevision());
      Upcaster previous = map.putIfAbsent(key, upcaster);
      if (previous != null) {
        throw new IllegalArgumentException("two upcasters convert " + upcaster.typeName() + " from revision "
            + upcaster.fromRevision() + ": " + previous + " and " + upcaster);
      }
    }
    return new UpcasterChain(Map.copyOf(map));
  }

  /**
   * Upcasts a stored event to {@code target}'s revision.
   *
   * @param event the stored event
   * @param target the registered type and current revision
   * @return the event at the target revision ({@code event} itself when it is current)
   * @throws IllegalStateException if the stored revision is newer than the target, an upcaster is missing for a step,
   *     or an upcaster returns another type or revision than the next one
   */
  public SerializedEvent upcast(SerializedEvent event, EventType target) {
    SerializedEvent current = event;
    if (current.type().revision() > target.revision()) {
      throw new IllegalStateException("stored event " + current.type() + " has a newer revision than the registered "
          + target + "; was it written by a newer version of the application?");
    }
    while (current.type().revision() < target.revision()) {
      EventType from = current.type();
      Upcaster upcaster = byTypeAndRevision.get(key(from.name(), from.revision()));
      if (upcaster == null) {
        throw new IllegalStateException("no upcaster converts " + from + " to revision " + (from.revision() + 1)
            + " (registered revision is " + target.revision() + ")");
      }
      SerializedEvent next = Objects.requireNonNull(upcaster.upcast(current), () -> upcaster + " returned null");
      EventType expected = EventType.of(from.name(), from.revision() + 1);
      if (!next.type().equals(expected)) {
        throw new IllegalStateException(upcaster + " returned " + next.type() + " instead of " + expected);
      }
      current = next;
    }
    return current;
  }

  private static String key(String typeName, int revision) {
    return typeName + '@' + revision;
  }
}
