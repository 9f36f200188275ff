package dev.cqrs.test;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.CommandResult;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.inmemory.InMemoryEventStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Tests command handlers with given/when/then on a fresh in-memory store and command bus per scenario:
 *
 * <pre>{@code
 * CommandHandlerFixture fixture = CommandHandlerFixture.of(types,
 *     bus -> bus.register(ConfirmOrder.class, orderHandler));
 * fixture.given("order-42", new OrderPlaced("42", "alice"))
 *     .when(new ConfirmOrder("42"))
 *     .then(new OrderConfirmed("42"));
 * }</pre>
 *
 * <p>Not thread-safe.
 */
public final class CommandHandlerFixture {

  private final EventTypes types;
  private final Consumer<CommandBus> registrations;

  private CommandHandlerFixture(EventTypes types, Consumer<CommandBus> registrations) {
    this.types = Objects.requireNonNull(types, "types must not be null");
    this.registrations = Objects.requireNonNull(registrations, "registrations must not be null");
  }

  /**
   * Creates a fixture.
   *
   * @param types the registry of the events involved
   * @param registrations registers the handlers under test on each scenario's bus
   * @return the fixture
   */
  public static CommandHandlerFixture of(EventTypes types, Consumer<CommandBus> registrations) {
    return new CommandHandlerFixture(types, registrations);
  }

  /**
   * Starts a scenario on an empty store.
   *
   * @return the scenario
   */
  public Given givenNothing() {
    return new Given();
  }

  /**
   * Starts a scenario whose store holds these events in one stream.
   *
   * @param streamId the stream
   * @param history its events, oldest first
   * @return the scenario
   */
  public Given given(String streamId, Event... history) {
    return new Given().and(streamId, history);
  }

  /** A scenario's store before the command. Not thread-safe. */
  public final class Given {

    private final InMemoryEventStore store = InMemoryEventStore.create(types);
    private final CommandBus bus = CommandBus.builder().eventStore(store).build();
    private final List<String> history = new ArrayList<>();

    private Given() {
      registrations.accept(bus);
    }

    /**
     * Adds events of another stream to the history.
     *
     * @param streamId the stream
     * @param events its events, oldest first
     * @return this scenario
     */
    public Given and(String streamId, Event... events) {
      if (events.length > 0) {
        store.append(streamId, ExpectedVersion.any(), events);
        history.add(streamId + " " + Arrays.asList(events));
      }
      return this;
    }

    /**
     * Sends a command through the bus.
     *
     * @param command the command
     * @return the outcome to check
     */
    public When when(Command command) {
      try {
        return new When(command, bus.send(command), null);
      } catch (RuntimeException failure) {
        return new When(command, null, failure);
      }
    }

    /** The outcome of one command. Not thread-safe. */
    public final class When {

      private final Command command;
      private final CommandResult result;
      private final RuntimeException failure;

      private When(Command command, CommandResult result, RuntimeException failure) {
        this.command = command;
        this.result = result;
        this.failure = failure;
      }

      private String scenario() {
        return "given " + (history.isEmpty() ? "no events" : String.join(", ", history)) + "\nwhen " + command;
      }

      /**
       * Asserts that handling the command appended exactly these events, in this order, in any streams.
       *
       * @param expected the expected events; none means nothing was appended
       * @return this outcome
       */
      public When then(Event... expected) {
        requireSuccess();
        List<Event> appended = new ArrayList<>();
        for (RecordedEvent event : result.events()) {
          appended.add(event.payload());
        }
        EventComparison.assertSameEvents(scenario() + "\nthe handler appended", Arrays.asList(expected), appended);
        return this;
      }

      /**
       * Asserts that a stream holds exactly these events after the command, history included.
       *
       * @param streamId the stream
       * @param expected its expected events, oldest first
       * @return this outcome
       */
      public When thenStream(String streamId, Event... expected) {
        requireSuccess();
        List<Event> stored = new ArrayList<>();
        for (RecordedEvent event : store.readStream(streamId)) {
          stored.add(event.payload());
        }
        EventComparison.assertSameEvents(scenario() + "\nstream '" + streamId + "' holds", Arrays.asList(expected),
            stored);
        return this;
      }

      /**
       * Returns the command's result, for checks on metadata and positions.
       *
       * @return the result
       */
      public CommandResult result() {
        requireSuccess();
        return result;
      }

      /**
       * Asserts that the command failed with an exception of a type and stored nothing.
       *
       * @param type the expected exception type
       * @param <X> the exception type
       * @return the exception
       */
      public <X extends Throwable> X thenThrows(Class<X> type) {
        if (failure == null) {
          throw new AssertionError(scenario() + "\nexpected " + type.getName() + "\nbut the handler appended "
              + result.events());
        }
        if (!type.isInstance(failure)) {
          throw new AssertionError(scenario() + "\nexpected " + type.getName() + "\nbut the handler threw "
              + EventComparison.describe(failure), failure);
        }
        return type.cast(failure);
      }

      /**
       * Asserts that the command failed with an exception of a type whose message contains a text.
       *
       * @param type the expected exception type
       * @param messagePart text the message must contain
       * @param <X> the exception type
       * @return the exception
       */
      public <X extends Throwable> X thenThrows(Class<X> type, String messagePart) {
        X thrown = thenThrows(type);
        if (thrown.getMessage() == null || !thrown.getMessage().contains(messagePart)) {
          throw new AssertionError(scenario() + "\nexpected " + type.getName() + " with a message containing '"
              + messagePart + "'\nbut its message was '" + thrown.getMessage() + "'", thrown);
        }
        return thrown;
      }

      private void requireSuccess() {
        if (failure != null) {
          throw new AssertionError(scenario() + "\nthe handler threw " + EventComparison.describe(failure), failure);
        }
      }
    }
  }
}
