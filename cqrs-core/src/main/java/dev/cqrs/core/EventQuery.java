package dev.cqrs.core;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Selects events by type and tag, for {@link EventStore#read(EventQuery, Position)} and {@link AppendCondition}: an
 * event matches when any {@linkplain Item item} matches it. An item matches an event whose class is one of the item's
 * types (any class when it names none) and that carries every one of the item's tags (any tags when it names none).
 *
 * <pre>{@code
 * EventQuery seats = EventQuery.of(
 *     EventQuery.Item.types(CourseDefined.class, StudentSubscribed.class).withTags("course:" + courseId));
 * }</pre>
 *
 * <p>Immutable and thread-safe; equal to another query of the same items in the same order.
 */
// a class, not a record: JDK 17's javadoc fails on a record whose component's type is its own nested type
public final class EventQuery {

  private static final EventQuery ALL = new EventQuery(List.of(new Item(Set.of(), Set.of())));

  private final List<Item> items;

  private EventQuery(List<Item> items) {
    Objects.requireNonNull(items, "items must not be null");
    this.items = List.copyOf(items);
  }

  /**
   * Returns the items, any of which selects an event; none selects nothing.
   *
   * @return the items, unmodifiable
   */
  public List<Item> items() {
    return items;
  }

  /**
   * Returns the query that matches every event.
   *
   * @return the query
   */
  public static EventQuery all() {
    return ALL;
  }

  /**
   * Returns a query of items.
   *
   * @param items the items, any of which selects an event
   * @return the query
   */
  public static EventQuery of(Item... items) {
    Objects.requireNonNull(items, "items must not be null");
    return new EventQuery(Arrays.asList(items));
  }

  /**
   * Returns a query that matches what this one or the other one matches.
   *
   * @param other the other query
   * @return the union
   */
  public EventQuery or(EventQuery other) {
    Objects.requireNonNull(other, "other must not be null");
    Set<Item> union = new LinkedHashSet<>(items);
    union.addAll(other.items);
    return new EventQuery(List.copyOf(union));
  }

  /**
   * Tells whether an event matches.
   *
   * @param event the event
   * @return {@code true} when an item matches it
   */
  public boolean matches(RecordedEvent event) {
    Objects.requireNonNull(event, "event must not be null");
    for (Item item : items) {
      if (item.matches(event.payload().getClass(), event.tags())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof EventQuery query && items.equals(query.items);
  }

  @Override
  public int hashCode() {
    return items.hashCode();
  }

  @Override
  public String toString() {
    return items.stream().map(Item::toString).collect(Collectors.joining(" or ", "[", "]"));
  }

  /**
   * One item of a query: event types (one of which the event's must be) and tags (all of which it must carry).
   *
   * <p>Immutable and thread-safe.
   *
   * @param types the event classes; empty for any
   * @param tags the tags the event must all carry; empty for any
   */
  public record Item(Set<Class<? extends Event>> types, Set<String> tags) {

    /**
     * Validates the parts.
     *
     * @param types the event classes; empty for any
     * @param tags the tags the event must all carry; empty for any
     * @throws NullPointerException if a set, a type or a tag is null
     * @throws IllegalArgumentException if a tag is malformed
     */
    public Item {
      Objects.requireNonNull(types, "types must not be null");
      types.forEach(type -> Objects.requireNonNull(type, "a type of a query item is null"));
      types = Set.copyOf(types);
      tags = NewEvent.checkTags(tags, "of a query item");
    }

    /**
     * Returns an item of event types, with no tag.
     *
     * @param types the types, one of which the event's must be
     * @return the item
     */
    @SafeVarargs
    public static Item types(Class<? extends Event>... types) {
      Objects.requireNonNull(types, "types must not be null");
      Set<Class<? extends Event>> copy = new LinkedHashSet<>();
      for (Class<? extends Event> type : types) {
        copy.add(type);
      }
      return new Item(copy, Set.of());
    }

    /**
     * Returns an item of tags, of any event type.
     *
     * @param tags the tags the event must all carry
     * @return the item
     */
    public static Item tags(String... tags) {
      Objects.requireNonNull(tags, "tags must not be null");
      return new Item(Set.of(), new LinkedHashSet<>(Arrays.asList(tags)));
    }

    /**
     * Returns this item with more tags the event must carry.
     *
     * @param more the tags
     * @return the item
     */
    public Item withTags(String... more) {
      Objects.requireNonNull(more, "tags must not be null");
      Set<String> all = new LinkedHashSet<>(tags);
      all.addAll(Arrays.asList(more));
      return new Item(types, all);
    }

    /**
     * Tells whether an event of a class with tags matches.
     *
     * @param type the event's class
     * @param eventTags its tags
     * @return {@code true} when the type is allowed and every tag is carried
     */
    public boolean matches(Class<?> type, Set<String> eventTags) {
      return (types.isEmpty() || types.contains(type)) && eventTags.containsAll(tags);
    }

    @Override
    public String toString() {
      return "(types " + (types.isEmpty() ? "any" : types.stream().map(Class::getSimpleName).sorted()
          .collect(Collectors.joining(", "))) + ", tags " + (tags.isEmpty() ? "any" : String.join(", ", tags)) + ")";
    }
  }
}
