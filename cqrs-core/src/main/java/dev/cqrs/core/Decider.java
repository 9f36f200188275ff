package dev.cqrs.core;

import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A write model as three pure functions: the state before any event, the events a command causes in a state, and the
 * state after an event. Deciders hold no resources and are trivial to test with {@code cqrs-test}'s fixtures; an
 * {@link EventSourcedHandler} runs one against an event store.
 *
 * <pre>{@code
 * Decider<OrderCommand, Order, OrderEvent> orders = Decider.of(
 *     Order.NONE,
 *     (command, order) -> order.decide(command), // the events, or CommandRejectedException
 *     Order::apply);                              // the next immutable Order
 * }</pre>
 *
 * <p>Implementations must be thread-safe; pure functions over immutable states are.
 *
 * @param <C> the command type
 * @param <S> the state type, ideally an immutable record
 * @param <E> the event type
 */
public interface Decider<C extends Command, S, E extends Event> {

  /**
   * Returns the state of a stream that has no events yet.
   *
   * @return the initial state
   */
  S initialState();

  /**
   * Decides which events a command causes in a state. Rejects the command by throwing, typically
   * {@link CommandRejectedException}.
   *
   * @param command the command
   * @param state the current state
   * @return the new events, possibly none
   */
  List<? extends E> decide(C command, S state);

  /**
   * Returns the state after an event.
   *
   * @param state the state before
   * @param event the event
   * @return the state after
   */
  S evolve(S state, E event);

  /**
   * Tells whether a state is final: a stream in a terminal state accepts no more commands, and its handler rejects them
   * with {@link CommandRejectedException} without calling {@link #decide}.
   *
   * @param state a state
   * @return {@code true} when no command may change it any more; {@code false} by default
   */
  default boolean isTerminal(S state) {
    return false;
  }

  /**
   * Returns a decider made of functions.
   *
   * @param initialState the initial state
   * @param decide the decision function
   * @param evolve the evolution function
   * @param <C> the command type
   * @param <S> the state type
   * @param <E> the event type
   * @return the decider
   */
  static <C extends Command, S, E extends Event> Decider<C, S, E> of(
      S initialState, BiFunction<? super C, ? super S, ? extends List<? extends E>> decide,
      BiFunction<? super S, ? super E, ? extends S> evolve) {
    return of(() -> initialState, decide, evolve, state -> false);
  }

  /**
   * Returns a decider made of functions, with a fresh initial state per load (for mutable states) and a terminal test.
   *
   * @param initialState supplies the initial state
   * @param decide the decision function
   * @param evolve the evolution function
   * @param isTerminal tells whether a state is final
   * @param <C> the command type
   * @param <S> the state type
   * @param <E> the event type
   * @return the decider
   */
  static <C extends Command, S, E extends Event> Decider<C, S, E> of(
      Supplier<? extends S> initialState, BiFunction<? super C, ? super S, ? extends List<? extends E>> decide,
      BiFunction<? super S, ? super E, ? extends S> evolve, Predicate<? super S> isTerminal) {
    Objects.requireNonNull(initialState, "initialState must not be null");
    Objects.requireNonNull(decide, "decide must not be null");
    Objects.requireNonNull(evolve, "evolve must not be null");
    Objects.requireNonNull(isTerminal, "isTerminal must not be null");
    return new Decider<>() {
      @Override
      public S initialState() {
        return initialState.get();
      }

      @Override
      public List<? extends E> decide(C command, S state) {
        return decide.apply(command, state);
      }

      @Override
      public S evolve(S state, E event) {
        return evolve.apply(state, event);
      }

      @Override
      public boolean isTerminal(S state) {
        return isTerminal.test(state);
      }
    };
  }
}
