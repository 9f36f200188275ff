package dev.cqrs.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandRejectedException;
import dev.cqrs.core.Decider;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventSourcedHandler;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.Projection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class FixturesTest {

  interface CounterCommand extends Command {
    String id();
  }

  record Increment(String id, int by) implements CounterCommand {
  }

  record Close(String id) implements CounterCommand {
  }

  interface CounterEvent extends Event {
  }

  record Incremented(String id, int by) implements CounterEvent {
  }

  record Closed(String id) implements CounterEvent {
  }

  record Counter(int value, boolean closed) {
  }

  static final Decider<CounterCommand, Counter, CounterEvent> COUNTER = Decider.of(new Counter(0, false),
      (command, counter) -> {
        if (counter.closed()) {
          throw new CommandRejectedException("counter " + command.id() + " is closed");
        }
        if (command instanceof Increment increment) {
          if (increment.by() <= 0) {
            throw new CommandRejectedException("increment must be positive, but was " + increment.by());
          }
          return List.of(new Incremented(command.id(), increment.by()));
        }
        return List.of(new Closed(command.id()));
      },
      (counter, event) -> event instanceof Incremented incremented
          ? new Counter(counter.value() + incremented.by(), false) : new Counter(counter.value(), true));

  static final EventTypes TYPES = EventTypes.builder()
      .register(Incremented.class, "Incremented", 1).register(Closed.class, "Closed", 1).build();

  private final DeciderFixture<CounterCommand, Counter, CounterEvent> decider = DeciderFixture.of(COUNTER);

  @Test
  void decider_fixture_passes_when_the_events_match_and_checks_state() {
    decider.given(new Incremented("c", 2))
        .when(new Increment("c", 3))
        .then(new Incremented("c", 3))
        .thenState(counter -> assertThat(counter.value()).isEqualTo(5));
    decider.given().when(new Close("c")).then(new Closed("c"));
    decider.given(new Incremented("c", 1), new Incremented("c", 1)).thenState(c -> assertThat(c.value()).isEqualTo(2));
  }

  @Test
  void decider_fixture_shows_expected_and_actual_events_side_by_side() {
    assertThatThrownBy(() -> decider.given(new Incremented("c", 2)).when(new Increment("c", 3))
        .then(new Incremented("c", 4), new Closed("c")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("when Increment[id=c, by=3]")
        .hasMessageContaining("expected")
        .hasMessageContaining("actual")
        .hasMessageContaining("≠ 1   Incremented[id=c, by=4]")
        .hasMessageContaining("| Incremented[id=c, by=3]")
        .hasMessageContaining("≠ 2   Closed[id=c]")
        .hasMessageContaining("| (none)");
  }

  @Test
  void decider_fixture_checks_rejections_and_their_messages() {
    CommandRejectedException rejected = decider.given(new Closed("c")).when(new Increment("c", 1))
        .thenThrows(CommandRejectedException.class, "is closed");
    assertThat(rejected).hasMessage("counter c is closed");

    assertThatThrownBy(() -> decider.given().when(new Increment("c", 0)).thenThrows(CommandRejectedException.class,
        "negative"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("with a message containing 'negative'")
        .hasMessageContaining("increment must be positive, but was 0");
    assertThatThrownBy(() -> decider.given().when(new Increment("c", 1)).thenThrows(IllegalStateException.class))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected java.lang.IllegalStateException")
        .hasMessageContaining("but the decider decided [Incremented[id=c, by=1]]");
    assertThatThrownBy(() -> decider.given().when(new Increment("c", -1)).then(new Incremented("c", -1)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("but the decider threw dev.cqrs.core.CommandRejectedException");
  }

  @Test
  void command_handler_fixture_runs_the_handler_on_a_real_store() {
    CommandHandlerFixture fixture = CommandHandlerFixture.of(TYPES, bus -> {
      var handler = EventSourcedHandler.builder(COUNTER, command -> "counter-" + command.id()).build();
      bus.register(Increment.class, handler).register(Close.class, handler);
    });

    fixture.given("counter-a", new Incremented("a", 1))
        .when(new Increment("a", 2))
        .then(new Incremented("a", 2))
        .thenStream("counter-a", new Incremented("a", 1), new Incremented("a", 2));
    fixture.givenNothing().when(new Close("b")).then(new Closed("b"));
    fixture.given("counter-c", new Closed("c")).when(new Increment("c", 1))
        .thenThrows(CommandRejectedException.class, "closed");
    assertThat(fixture.givenNothing().when(new Increment("d", 1)).result().events()).hasSize(1);

    assertThatThrownBy(() -> fixture.givenNothing().when(new Increment("e", 1)).then())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("given no events")
        .hasMessageContaining("(none)")
        .hasMessageContaining("Incremented[id=e, by=1]");
  }

  @Test
  void projection_fixture_resets_applies_and_compares_the_read_model() {
    Map<String, Integer> totals = new ConcurrentHashMap<>();
    List<String> closed = new ArrayList<>();
    Projection projection = Projection.builder()
        .on(Incremented.class, (event, recorded) -> totals.merge(recorded.streamId(), event.by(), Integer::sum))
        .on(Closed.class, event -> closed.add(event.id()))
        .onReset(() -> {
          totals.clear();
          closed.clear();
        })
        .build();
    ProjectionFixture fixture = ProjectionFixture.of(projection);

    fixture.given(new Incremented("a", 2), new Incremented("a", 3))
        .andIn("other", new Incremented("b", 7), new Closed("b"))
        .thenState(() -> totals.get("stream-1"), 5)
        .thenState(() -> totals.get("other"), 7)
        .thenList(() -> closed, "b");
    fixture.given(new Incremented("x", 1)).thenState(() -> totals.size(), 1);

    assertThatThrownBy(() -> fixture.given(new Incremented("a", 1)).thenState(() -> totals.get("stream-1"), 2))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("holds\n  1\nbut expected\n  2");
  }
}
