package dev.cqrs.test;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.CommandResult;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
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
 * <p>Handlers that decide over queries ({@code QueryDecidingHandler}) are tested the same way. The history's events
 * carry the tags their registered types derive, or tags given with {@code andTagged}; {@code meanwhile} appends events
 * as another writer would, right after the handler's first read by query, so that its conditional append is refused
 * and it must decide again; {@code thenTagged} checks an appended event's tags:
 *
 * <pre>{@code
 * CommandHandlerFixture.of(types, bus -> bus.register(Subscribe.class, subscribe))
 *     .given("course-c1", new CourseDefined("c1", 1))
 *     .meanwhile("subscription-c1-bob", new StudentSubscribed("c1", "bob"))
 *     .when(new Subscribe("c1", "alice"))
 *     .thenThrows(CommandRejectedException.class, "full");
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
    private final InterferingStore interfering = new InterferingStore(store);
    private final CommandBus bus = CommandBus.builder().eventStore(interfering).build();
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
     * Adds one event with tags of its own (besides those its type derives) to the history.
     *
     * @param streamId the stream
     * @param event the event
     * @param tags its tags
     * @return this scenario
     */
    public Given andTagged(String streamId, Event event, String... tags) {
      store.append(streamId, ExpectedVersion.any(), List.of(NewEvent.of(event).withTags(tags)));
      history.add(streamId + " [" + event + " tagged " + Arrays.asList(tags) + "]");
      return this;
    }

    /**
     * Appends events as another writer would while the command is handled: right after the handler's first read by
     * query, before its conditional append, which is then refused if the events match its query. The scenario fails
     * if the handler makes no read by query.
     *
     * @param streamId the other writer's stream
     * @param events its events
     * @return this scenario
     */
    public Given meanwhile(String streamId, Event... events) {
      interfering.meanwhile(streamId, List.of(events));
      history.add("meanwhile " + streamId + " " + Arrays.asList(events));
      return this;
    }

    /**
     * Sends a command through the bus.
     *
     * @param command the command
     * @return the outcome to check
     * @throws AssertionError if events were given {@code meanwhile} and the handler made no read by query
     */
    public When when(Command command) {
      When when;
      try {
        when = new When(command, bus.send(command), null);
      } catch (RuntimeException failure) {
        when = new When(command, null, failure);
      }
      if (interfering.pending()) {
        throw new AssertionError(when.scenario() + "\nthe handler made no read by query, so the events given"
            + " meanwhile were never appended");
      }
      return when;
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
       * Asserts that the command appended this event with exactly these tags (those its type derives included).
       *
       * @param expected the appended event
       * @param tags its expected tags
       * @return this outcome
       */
      public When thenTagged(Event expected, String... tags) {
        requireSuccess();
        for (RecordedEvent event : result.events()) {
          if (event.payload().equals(expected)) {
            if (!event.tags().equals(java.util.Set.of(tags))) {
              throw new AssertionError(scenario() + "\nexpected " + expected + " tagged "
                  + new java.util.TreeSet<>(Arrays.asList(tags)) + "\nbut it was tagged " + event.tags());
            }
            return this;
          }
        }
        throw new AssertionError(scenario() + "\nexpected the handler to append " + expected
            + "\nbut it appended " + result.events().stream().map(RecordedEvent::payload).toList());
      }

      /**
       * Returns how many times the handler read by query while handling the command: one more than the number of
       * decisions made again after a refused conditional append.
       *
       * @return the number of reads by query
       */
      public int decisions() {
        return interfering.queryReads();
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
