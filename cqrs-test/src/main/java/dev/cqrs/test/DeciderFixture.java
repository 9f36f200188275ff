package dev.cqrs.test;

import dev.cqrs.core.Command;
import dev.cqrs.core.Decider;
import dev.cqrs.core.Event;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Tests a {@link Decider} with given/when/then, without any store:
 *
 * <pre>{@code
 * DeciderFixture.of(orders)
 *     .given(new OrderPlaced("42", "alice"), new OrderConfirmed("42"))
 *     .when(new AddItem("42", "book", 1))
 *     .thenThrows(CommandRejectedException.class, "confirmed");
 * }</pre>
 *
 * <p>Each {@code given} starts a new scenario, so one fixture can run many. Not thread-safe.
 *
 * @param <C> the command type
 * @param <S> the state type
 * @param <E> the event type
 */
public final class DeciderFixture<C extends Command, S, E extends Event> {

  private final Decider<C, S, E> decider;

  private DeciderFixture(Decider<C, S, E> decider) {
    this.decider = Objects.requireNonNull(decider, "decider must not be null");
  }

  /**
   * Creates a fixture for a decider.
   *
   * @param decider the decider under test
   * @param <C> the command type
   * @param <S> the state type
   * @param <E> the event type
   * @return the fixture
   */
  public static <C extends Command, S, E extends Event> DeciderFixture<C, S, E> of(Decider<C, S, E> decider) {
    return new DeciderFixture<>(decider);
  }

  /**
   * Starts a scenario from the events that already happened.
   *
   * @param history the past events, oldest first; none for a new stream
   * @return the scenario
   */
  @SafeVarargs
  @SuppressWarnings("varargs") // the array is only read
  public final Given given(E... history) {
    return given(Arrays.asList(history));
  }

  /**
   * Starts a scenario from the events that already happened.
   *
   * @param history the past events, oldest first
   * @return the scenario
   */
  public Given given(List<? extends E> history) {
    S state = decider.initialState();
    for (E event : history) {
      state = decider.evolve(state, Objects.requireNonNull(event, "given events must not be null"));
    }
    return new Given(List.copyOf(history), state);
  }

  /** A scenario after its history: send it a command. Not thread-safe. */
  public final class Given {

    private final List<E> history;
    private final S state;

    private Given(List<E> history, S state) {
      this.history = history;
      this.state = state;
    }

    /**
     * Decides a command in the state the history led to.
     *
     * @param command the command
     * @return the outcome to check
     */
    public When when(C command) {
      Objects.requireNonNull(command, "command must not be null");
      if (decider.isTerminal(state)) {
        return new When(command, null, new IllegalStateException("the state after the given events is terminal: "
            + state));
      }
      try {
        List<E> decided = new ArrayList<>(decider.decide(command, state));
        return new When(command, decided, null);
      } catch (RuntimeException failure) {
        return new When(command, null, failure);
      }
    }

    /**
     * Checks the state the history led to.
     *
     * @param assertion assertions on the state
     */
    public void thenState(Consumer<? super S> assertion) {
      assertion.accept(state);
    }

    /**
     * The outcome of one command: the decided events or the failure. Not thread-safe.
     */
    public final class When {

      private final C command;
      private final List<E> decided;
      private final RuntimeException failure;

      private When(C command, List<E> decided, RuntimeException failure) {
        this.command = command;
        this.decided = decided;
        this.failure = failure;
      }

      /**
       * Asserts that the command decided exactly these events, in this order.
       *
       * @param expected the expected events; none means the command changes nothing
       * @return this outcome, for state checks
       */
      @SafeVarargs
      @SuppressWarnings("varargs") // the array is only read
      public final When then(E... expected) {
        if (failure != null) {
          throw new AssertionError("given " + history + "\nwhen " + command + "\nexpected events "
              + Arrays.asList(expected) + "\nbut the decider threw " + EventComparison.describe(failure), failure);
        }
        EventComparison.assertSameEvents("given " + history + "\nwhen " + command + "\nthe decider decided",
            Arrays.asList(expected), decided);
        return this;
      }

      /**
       * Asserts that the command decided no events.
       *
       * @return this outcome
       */
      public When thenNothing() {
        return then();
      }

      /**
       * Asserts that the command was rejected with an exception of a type.
       *
       * @param type the expected exception type
       * @param <X> the exception type
       * @return the exception, for further checks
       */
      public <X extends Throwable> X thenThrows(Class<X> type) {
        if (failure == null) {
          throw new AssertionError("given " + history + "\nwhen " + command + "\nexpected " + type.getName()
              + "\nbut the decider decided " + decided);
        }
        if (!type.isInstance(failure)) {
          throw new AssertionError("given " + history + "\nwhen " + command + "\nexpected " + type.getName()
              + "\nbut the decider threw " + EventComparison.describe(failure), failure);
        }
        return type.cast(failure);
      }

      /**
       * Asserts that the command was rejected with an exception of a type whose message contains a text.
       *
       * @param type the expected exception type
       * @param messagePart text the message must contain
       * @param <X> the exception type
       * @return the exception
       */
      public <X extends Throwable> X thenThrows(Class<X> type, String messagePart) {
        X thrown = thenThrows(type);
        if (thrown.getMessage() == null || !thrown.getMessage().contains(messagePart)) {
          throw new AssertionError("given " + history + "\nwhen " + command + "\nexpected " + type.getName()
              + " with a message containing '" + messagePart + "'\nbut its message was '" + thrown.getMessage()
              + "'", thrown);
        }
        return thrown;
      }

      /**
       * Checks the state after the history and the decided events.
       *
       * @param assertion assertions on the new state
       */
      public void thenState(Consumer<? super S> assertion) {
        if (failure != null) {
          throw new AssertionError("when " + command + " the decider threw " + EventComparison.describe(failure),
              failure);
        }
        S after = state;
        for (E event : decided) {
          after = decider.evolve(after, event);
        }
        assertion.accept(after);
      }
    }
  }
}
