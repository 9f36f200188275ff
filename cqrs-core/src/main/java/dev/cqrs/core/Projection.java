package dev.cqrs.core;

import dev.cqrs.core.internal.AnnotatedHandlers;
import dev.cqrs.core.internal.HandlerTable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Keeps a read model up to date from events. Run it inline (in the append, so the read model is never stale) or in a
 * {@link TrackingProcessor} (asynchronously, from a checkpoint). Most projections are built from lambdas:
 *
 * <pre>{@code
 * Map<String, OrderView> views = new ConcurrentHashMap<>();
 * Projection orderViews = Projection.builder()
 *     .on(OrderPlaced.class, placed -> views.put(placed.orderId(), new OrderView(placed.orderId(), "placed")))
 *     .on(OrderShipped.class, shipped -> views.computeIfPresent(shipped.orderId(), (id, v) -> v.shipped()))
 *     .onReset(views::clear)
 *     .build();
 * }</pre>
 *
 * <p>The library calls a projection from one thread at a time; the read model it writes must be safe for the threads
 * that read it (queries).
 */
public interface Projection {

  /**
   * Tells whether this projection applies events of a class; events of other classes are skipped.
   *
   * @param eventType an event class
   * @return {@code true} when {@link #apply} handles it
   */
  boolean handles(Class<? extends Event> eventType);

  /**
   * Applies one event of a handled class.
   *
   * @param event the event as stored
   */
  void apply(RecordedEvent event);

  /**
   * Clears the read model before a replay from the first event. Does nothing by default.
   */
  default void reset() {
  }

  /**
   * Starts a projection made of lambdas.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Collects one handler per event class. Not thread-safe; the projection it builds calls handlers without locking.
   */
  final class Builder {

    private final Map<Class<? extends Event>, EventHandler<Event>> handlers = new LinkedHashMap<>();
    private Runnable reset = () -> { };

    private Builder() {
    }

    /**
     * Handles events of a class, and of its subclasses, with access to where they are stored. A handler registered for
     * a supertype (a sealed interface of events, a base class) handles every event of it that has no handler of a more
     * specific type; the match is found once per concrete class.
     *
     * @param eventType the event class
     * @param handler the handler
     * @param <E> the event type
     * @return this builder
     * @throws IllegalArgumentException if the class has a handler already
     */
    @SuppressWarnings("unchecked")
    public <E extends Event> Builder on(Class<E> eventType, EventHandler<? super E> handler) {
      Objects.requireNonNull(eventType, "eventType must not be null");
      Objects.requireNonNull(handler, "handler must not be null");
      if (handlers.putIfAbsent(eventType, (EventHandler<Event>) handler) != null) {
        throw new IllegalArgumentException("this projection has a handler for " + eventType.getName() + " already");
      }
      return this;
    }

    /**
     * Handles events of a class.
     *
     * @param eventType the event class
     * @param handler the handler
     * @param <E> the event type
     * @return this builder
     * @throws IllegalArgumentException if the class has a handler already
     */
    public <E extends Event> Builder on(Class<E> eventType, Consumer<? super E> handler) {
      Objects.requireNonNull(handler, "handler must not be null");
      return on(eventType, (E event, RecordedEvent recorded) -> handler.accept(event));
    }

    /**
     * Handles events with the {@link HandlesEvent} methods of a plain object, found once, here.
     *
     * @param target the read-model object
     * @return this builder
     * @throws IllegalArgumentException if a method has the wrong shape, an event class has a handler already, or the
     *     object has no annotated method
     */
    public Builder annotated(Object target) {
      AnnotatedHandlers.of(target).forEach(this::on);
      return this;
    }

    /**
     * Sets what clears the read model before a replay.
     *
     * @param reset the clearing action
     * @return this builder
     */
    public Builder onReset(Runnable reset) {
      this.reset = Objects.requireNonNull(reset, "reset must not be null");
      return this;
    }

    /**
     * Builds the projection.
     *
     * @return the projection
     */
    public Projection build() {
      HandlerTable<EventHandler<Event>> table = new HandlerTable<>("event");
      handlers.forEach(table::register);
      Runnable onReset = reset;
      return new Projection() {
        @Override
        public boolean handles(Class<? extends Event> eventType) {
          return table.handles(eventType);
        }

        @Override
        public void apply(RecordedEvent event) {
          table.find(event.payload().getClass()).ifPresent(handler -> handler.handle(event.payload(), event));
        }

        @Override
        public void reset() {
          onReset.run();
        }

        @Override
        public String toString() {
          return "Projection" + Set.copyOf(table.types());
        }
      };
    }
  }
}
