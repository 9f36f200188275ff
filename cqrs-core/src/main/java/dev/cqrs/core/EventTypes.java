package dev.cqrs.core;

import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The registry of event classes and the stable {@link EventType} (name and current revision) that each is stored under.
 * A store only accepts events of registered classes and only reads back registered type names.
 *
 * <pre>{@code
 * EventTypes types = EventTypes.builder()
 *     .register(OrderPlaced.class, "OrderPlaced", 2)
 *     .register(OrderShipped.class, "OrderShipped", 1)
 *     .build();
 * }</pre>
 *
 * <p>A registration may carry a <em>tag function</em> that derives tags from the payload ({@link NewEvent#tags()}),
 * so that every append of such an event carries them, whoever appends it (a stream's decider, a state-stored entity, a
 * {@link QueryDecidingHandler}); the store adds them to the tags the caller gave:
 *
 * <pre>{@code
 * EventTypes types = EventTypes.builder()
 *     .register(PromotionRedeemed.class, "PromotionRedeemed", 1, e -> Set.of("promotion:" + e.code()))
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe once built (a tag function must be thread-safe too); the builder is not thread-safe.
 */
public final class EventTypes {

  private final Map<Class<? extends Event>, EventType> typesByClass;
  private final Map<String, Class<? extends Event>> classesByName;
  private final Map<Class<? extends Event>, Function<Event, ? extends Collection<String>>> tagFunctions;

  private EventTypes(Builder builder) {
    this.typesByClass = Map.copyOf(builder.typesByClass);
    this.classesByName = Map.copyOf(builder.classesByName);
    this.tagFunctions = Map.copyOf(builder.tagFunctions);
  }

  /**
   * Starts an empty registry.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the type that events of {@code eventClass} are stored under.
   *
   * @param eventClass a registered event class
   * @return its type name and current revision
   * @throws UnknownEventTypeException if the class is not registered
   */
  public EventType typeOf(Class<? extends Event> eventClass) {
    EventType type = typesByClass.get(eventClass);
    if (type == null) {
      throw new UnknownEventTypeException(eventClass.getName(), "event class " + eventClass.getName()
          + " is not registered; register it with EventTypes.builder().register(" + eventClass.getSimpleName()
          + ".class, name, revision)");
    }
    return type;
  }

  /**
   * Returns the type that events of {@code eventClass} are stored under, if the class is registered.
   *
   * @param eventClass an event class
   * @return its type, or empty when it is not registered
   */
  public Optional<EventType> find(Class<? extends Event> eventClass) {
    return Optional.ofNullable(typesByClass.get(eventClass));
  }

  /**
   * Returns the class registered under a type name, if any.
   *
   * @param typeName a stored type name
   * @return the class, or empty when no class has that name
   */
  public Optional<Class<? extends Event>> classOf(String typeName) {
    return Optional.ofNullable(classesByName.get(typeName));
  }

  /**
   * Returns the current type (name and revision) registered under a type name, if any.
   *
   * @param typeName a stored type name
   * @return the registered type, or empty when no class has that name
   */
  public Optional<EventType> typeNamed(String typeName) {
    return classOf(typeName).map(typesByClass::get);
  }

  /**
   * Returns every registered class.
   *
   * @return an unmodifiable set of the registered classes
   */
  public Set<Class<? extends Event>> classes() {
    return typesByClass.keySet();
  }

  /**
   * Returns the tags that the registered tag function derives from an event, checked like {@link NewEvent#tags()}.
   *
   * @param event an event of a registered class
   * @return the tags, sorted; empty when its class has no tag function
   * @throws UnknownEventTypeException if the event's class is not registered
   * @throws NullPointerException if the tag function returns null or a null tag
   * @throws IllegalArgumentException if the tag function returns a malformed tag; the message names the event type
   */
  public Set<String> tagsOf(Event event) {
    Objects.requireNonNull(event, "event must not be null");
    EventType type = typeOf(event.getClass());
    Function<Event, ? extends Collection<String>> tags = tagFunctions.get(event.getClass());
    if (tags == null) {
      return Set.of();
    }
    String where = "from the tag function of event type '" + type.name() + "'";
    Collection<String> derived = Objects.requireNonNull(tags.apply(event), "the tag function of event type '"
        + type.name() + "' returned null; return an empty set for no tags");
    return NewEvent.checkTags(derived instanceof Set<String> set ? set : new java.util.HashSet<>(derived), where);
  }

  /**
   * Tells whether any registered class has a tag function.
   *
   * @return {@code true} when some events get tags from their type
   */
  public boolean hasTagFunctions() {
    return !tagFunctions.isEmpty();
  }

  @Override
  public String toString() {
    return "EventTypes" + typesByClass.values();
  }

  /**
   * Collects registrations and checks each at once. Not thread-safe.
   */
  public static final class Builder {

    private final Map<Class<? extends Event>, EventType> typesByClass = new LinkedHashMap<>();
    private final Map<String, Class<? extends Event>> classesByName = new HashMap<>();
    private final Map<Class<? extends Event>, Function<Event, ? extends Collection<String>>> tagFunctions =
        new HashMap<>();

    private Builder() {
    }

    /**
     * Registers an event class under a type name and its current revision, with a function that derives the tags of
     * each such event from its payload; the store adds them to the tags the appender gave ({@link NewEvent#tags()}).
     * The function must be pure: the tags are derived again when an append is repeated.
     *
     * @param eventClass a concrete event class, typically a record
     * @param name the stable type name
     * @param revision the current revision of the class's shape, 1 or more
     * @param tags the tags of one event, for example {@code e -> Set.of("course:" + e.course())}; an empty collection
     *     for none
     * @param <E> the event class
     * @return this builder
     * @throws IllegalArgumentException if the name or revision is invalid, the class is abstract, or the class or the
     *     name is registered already
     */
    public <E extends Event> Builder register(Class<E> eventClass, String name, int revision,
                                              Function<? super E, ? extends Collection<String>> tags) {
      Objects.requireNonNull(tags, "tags must not be null");
      register(eventClass, EventType.of(name, revision));
      tagFunctions.put(eventClass, event -> tags.apply(eventClass.cast(event)));
      return this;
    }

    /**
     * Registers an event class under a type name and its current revision.
     *
     * @param eventClass a concrete event class, typically a record
     * @param name the stable type name
     * @param revision the current revision of the class's shape, 1 or more
     * @return this builder
     * @throws IllegalArgumentException if the name or revision is invalid, the class is abstract, or the class or the
     *     name is registered already
     */
    public Builder register(Class<? extends Event> eventClass, String name, int revision) {
      return register(eventClass, EventType.of(name, revision));
    }

    /**
     * Registers an event class under its simple class name, at revision 1. Renaming the class later changes the
     * stored name, so prefer {@link #register(Class, String, int)} for events that outlive a refactoring.
     *
     * @param eventClass a concrete event class, typically a record
     * @return this builder
     * @throws IllegalArgumentException if the class is abstract or registered already
     */
    public Builder register(Class<? extends Event> eventClass) {
      Objects.requireNonNull(eventClass, "eventClass must not be null");
      return register(eventClass, EventType.of(eventClass.getSimpleName(), 1));
    }

    /**
     * Registers an event class under a type.
     *
     * @param eventClass a concrete event class
     * @param type its stable name and current revision
     * @return this builder
     * @throws IllegalArgumentException if the class is abstract, or the class or the name is registered already
     */
    public Builder register(Class<? extends Event> eventClass, EventType type) {
      Objects.requireNonNull(eventClass, "eventClass must not be null");
      Objects.requireNonNull(type, "type must not be null");
      if (eventClass.isInterface() || Modifier.isAbstract(eventClass.getModifiers())) {
        throw new IllegalArgumentException("event class " + eventClass.getName()
            + " must be concrete (a record or a final class), but is an interface or abstract");
      }
      EventType existing = typesByClass.get(eventClass);
      if (existing != null) {
        throw new IllegalArgumentException("event class " + eventClass.getName()
            + " is registered already, as " + existing);
      }
      Class<? extends Event> holder = classesByName.get(type.name());
      if (holder != null) {
        throw new IllegalArgumentException("event type name '" + type.name() + "' is registered already, for "
            + holder.getName() + "; each name belongs to one class");
      }
      typesByClass.put(eventClass, type);
      classesByName.put(type.name(), eventClass);
      return this;
    }

    /**
     * Builds the immutable registry.
     *
     * @return the registry
     */
    public EventTypes build() {
      return new EventTypes(this);
    }
  }
}
