package dev.cqrs.core;

import dev.cqrs.core.internal.ConflictRetry;
import dev.cqrs.core.internal.EventSourcedCommandHandler;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs a {@link Decider} (or an {@link AggregateRoot}) as a {@link CommandHandler} on the bus's event store: load the
 * stream (from a snapshot when there is one), fold {@code evolve}, call {@code decide}, and append the new events
 * expecting the loaded version. On a {@link ConcurrencyConflictException} it loads fresh state and decides again after
 * a random pause, for up to 10 seconds by default ({@code retryFor}, {@code maxRetries}), then lets the last conflict
 * reach the sender; eight writers hammering one stream all succeed with the defaults.
 *
 * <pre>{@code
 * CommandHandler<OrderCommand> orders = EventSourcedHandler.builder(orderDecider, command -> "order-" + command.orderId())
 *     .retryFor(Duration.ofSeconds(5))
 *     .snapshots(snapshotStore, Order.class, 1, SnapshotPolicy.everyNEvents(100))
 *     .build();
 * bus.register(PlaceOrder.class, orders).register(ConfirmOrder.class, orders);
 * }</pre>
 *
 * <p>The handlers it builds are thread-safe when the decider is.
 */
public final class EventSourcedHandler {

  private EventSourcedHandler() {
  }

  /**
   * Starts configuring a handler for a decider.
   *
   * @param decider the write model
   * @param streamId gives the stream a command belongs to
   * @param <C> the command type
   * @param <S> the state type
   * @param <E> the event type
   * @return a new builder
   */
  public static <C extends Command, S, E extends Event> Builder<C, S, E> builder(
      Decider<C, S, E> decider, Function<? super C, String> streamId) {
    return new Builder<>(decider, streamId);
  }

  /**
   * Starts configuring a handler for an aggregate class: a fresh instance from {@code factory} replays the stream,
   * {@code action} calls its command method, and the events it recorded are appended.
   *
   * @param factory creates an aggregate in its initial state
   * @param streamId gives the stream a command belongs to
   * @param action calls the aggregate's command method for a command
   * @param <C> the command type
   * @param <A> the aggregate type
   * @param <E> the event type
   * @return a new builder
   */
  public static <C extends Command, A extends AggregateRoot<E>, E extends Event> Builder<C, A, E> forAggregate(
      Supplier<A> factory, Function<? super C, String> streamId, BiConsumer<? super A, ? super C> action) {
    Objects.requireNonNull(factory, "factory must not be null");
    Objects.requireNonNull(action, "action must not be null");
    Decider<C, A, E> decider = new AggregateDecider<>(factory, action);
    return new Builder<>(decider, streamId);
  }

  /**
   * A mutable aggregate as a decider: {@code decide} runs the command method, which applies its events to the
   * aggregate already, so the state after a command is the aggregate itself.
   */
  private static final class AggregateDecider<C extends Command, A extends AggregateRoot<E>, E extends Event>
      implements Decider<C, A, E> {
    private final Supplier<A> factory;
    private final BiConsumer<? super A, ? super C> action;

    AggregateDecider(Supplier<A> factory, BiConsumer<? super A, ? super C> action) {
      this.factory = factory;
      this.action = action;
    }

    @Override
    public A initialState() {
      return Objects.requireNonNull(factory.get(), "aggregate factory returned null");
    }

    @Override
    public List<? extends E> decide(C command, A aggregate) {
      action.accept(aggregate, command);
      return aggregate.takeRecorded();
    }

    @Override
    public A evolve(A aggregate, E event) {
      aggregate.replay(event);
      return aggregate;
    }
  }

  /**
   * Configures an event-sourced handler; each setting is checked when it is made. Not thread-safe.
   *
   * @param <C> the command type
   * @param <S> the state type
   * @param <E> the event type
   */
  public static final class Builder<C extends Command, S, E extends Event> {

    private final Decider<C, S, E> decider;
    private final Function<? super C, String> streamId;
    private int maxRetries = ConflictRetry.DEFAULT_MAX_RETRIES;
    private Duration retryFor = ConflictRetry.DEFAULT_RETRY_FOR;
    private SnapshotStore snapshotStore;
    private Class<S> stateType;
    private int stateRevision;
    private SnapshotPolicy snapshotPolicy;
    private Consumer<ConcurrencyConflictException> onConflict = conflict -> { };

    private Builder(Decider<C, S, E> decider, Function<? super C, String> streamId) {
      this.decider = Objects.requireNonNull(decider, "decider must not be null");
      this.streamId = Objects.requireNonNull(streamId, "streamId must not be null");
    }

    /**
     * Sets the most times a command is tried again after a conflict; the default is 1,000. Retries also stop once
     * {@link #retryFor} has passed, whichever comes first.
     *
     * @param maxRetries 0 to 100000
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder<C, S, E> maxRetries(int maxRetries) {
      this.maxRetries = ConflictRetry.checkMaxRetries(maxRetries);
      return this;
    }

    /**
     * Sets how long after its first attempt a command may still be tried again after a conflict; the default is 10
     * seconds. Each retry waits a random pause of up to a bound that doubles per attempt (up to 20 ms), which spreads
     * the writers of a hot stream so that each wins in turn.
     *
     * @param retryFor 0 to 1 hour
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder<C, S, E> retryFor(Duration retryFor) {
      this.retryFor = ConflictRetry.checkRetryFor(retryFor);
      return this;
    }

    /**
     * Loads from and saves snapshots. Snapshots with another {@code stateRevision} are ignored. A store that keeps the
     * state objects ({@link SnapshotStore#keepsStateObjects()}) suits immutable states only, and the handlers of
     * aggregates refuse it.
     *
     * @param store the snapshot store
     * @param stateType the state's class
     * @param stateRevision the revision of the state's shape, 1 or more; bump it when the shape or meaning changes
     * @param policy when to save a snapshot
     * @return this builder
     * @throws IllegalArgumentException if the revision is below 1, or the state is a mutable aggregate and the store
     *     keeps state objects
     */
    public Builder<C, S, E> snapshots(SnapshotStore store, Class<S> stateType, int stateRevision,
                                      SnapshotPolicy policy) {
      if (stateRevision < 1) {
        throw new IllegalArgumentException("stateRevision must be 1 or more, but was " + stateRevision);
      }
      Objects.requireNonNull(store, "snapshot store must not be null");
      if (decider instanceof AggregateDecider && store.keepsStateObjects()) {
        throw new IllegalArgumentException("aggregates are mutable, but the snapshot store " + store + " keeps the"
            + " state objects it saves, so commands would change stored snapshots; use a store that copies them"
            + " (InMemorySnapshotStore.serializing(serializer), JdbcSnapshotStore) or a decider with an immutable"
            + " state");
      }
      this.snapshotStore = store;
      this.stateType = Objects.requireNonNull(stateType, "stateType must not be null");
      this.snapshotPolicy = Objects.requireNonNull(policy, "snapshot policy must not be null");
      this.stateRevision = stateRevision;
      return this;
    }

    /**
     * Sets a listener told of each conflict that makes the handler decide again (for metrics or logs); it is not told
     * of the last conflict, which reaches the sender instead.
     *
     * @param listener the listener, called on the handling thread; it must not throw
     * @return this builder
     */
    public Builder<C, S, E> onConflict(Consumer<ConcurrencyConflictException> listener) {
      this.onConflict = Objects.requireNonNull(listener, "listener must not be null");
      return this;
    }

    /**
     * Builds the handler.
     *
     * @return a thread-safe command handler
     */
    public CommandHandler<C> build() {
      return new EventSourcedCommandHandler<>(decider, decider instanceof AggregateDecider, streamId,
          new ConflictRetry(maxRetries, retryFor),
          snapshotStore, stateType, stateRevision, snapshotPolicy, onConflict);
    }
  }
}
