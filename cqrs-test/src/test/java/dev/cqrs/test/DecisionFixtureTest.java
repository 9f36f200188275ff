package dev.cqrs.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandHandler;
import dev.cqrs.core.CommandRejectedException;
import dev.cqrs.core.DecisionModel;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventQuery;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.QueryDecidingHandler;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The command handler fixture on a handler that decides over queries: tags, interference and retries. */
class DecisionFixtureTest {

  record CourseDefined(String course, int seats) implements Event {
  }

  record StudentSubscribed(String course, String student) implements Event {
  }

  record Subscribe(String course, String student) implements Command {
  }

  static final EventTypes TYPES = EventTypes.builder()
      .register(CourseDefined.class, "CourseDefined", 1, e -> Set.of("course:" + e.course()))
      .register(StudentSubscribed.class, "StudentSubscribed", 1,
          e -> Set.of("course:" + e.course(), "student:" + e.student()))
      .build();

  /** Seats left in a course: its capacity minus its subscriptions. */
  static DecisionModel<Integer> seatsLeft(String course) {
    return DecisionModel.of(EventQuery.of(EventQuery.Item.tags("course:" + course)), 0,
        (left, event) -> event.payload() instanceof CourseDefined defined ? defined.seats() : left - 1);
  }

  static final CommandHandler<Subscribe> SUBSCRIBE = QueryDecidingHandler.builder(
          (Subscribe c) -> seatsLeft(c.course()),
          (Subscribe c, Integer left) -> {
            if (left <= 0) {
              throw new CommandRejectedException("course " + c.course() + " is full");
            }
            return List.of(new StudentSubscribed(c.course(), c.student()));
          },
          c -> "subscription-" + c.course() + "-" + c.student())
      .build();

  private final CommandHandlerFixture fixture =
      CommandHandlerFixture.of(TYPES, bus -> bus.register(Subscribe.class, SUBSCRIBE));

  @Test
  void appends_with_the_tags_the_types_derive_and_decides_once_without_interference() {
    CommandHandlerFixture.Given.When when = fixture.given("course-c1", new CourseDefined("c1", 1))
        .when(new Subscribe("c1", "alice"))
        .then(new StudentSubscribed("c1", "alice"))
        .thenTagged(new StudentSubscribed("c1", "alice"), "course:c1", "student:alice");
    assertThat(when.decisions()).isEqualTo(1);
  }

  @Test
  void a_matching_append_meanwhile_makes_the_handler_decide_again_on_what_it_did_not_see() {
    CommandHandlerFixture.Given.When when = fixture.given("course-c1", new CourseDefined("c1", 1))
        .meanwhile("subscription-c1-bob", new StudentSubscribed("c1", "bob"))
        .when(new Subscribe("c1", "alice"));
    when.thenThrows(CommandRejectedException.class, "course c1 is full");
    assertThat(when.decisions()).isEqualTo(2);
  }

  @Test
  void an_append_meanwhile_outside_the_query_is_no_conflict() {
    CommandHandlerFixture.Given.When when = fixture.given("course-c1", new CourseDefined("c1", 1))
        .meanwhile("subscription-c2-bob", new StudentSubscribed("c2", "bob"))
        .when(new Subscribe("c1", "alice"))
        .then(new StudentSubscribed("c1", "alice"));
    assertThat(when.decisions()).isEqualTo(1);
  }

  @Test
  void history_with_tags_of_its_own_is_read_by_the_query() {
    fixture.given("course-c1", new CourseDefined("c1", 2))
        .andTagged("legacy-import", new StudentSubscribed("old-course-name", "carol"), "course:c1")
        .and("subscription-c1-dave", new StudentSubscribed("c1", "dave"))
        .when(new Subscribe("c1", "alice"))
        .thenThrows(CommandRejectedException.class, "full");
  }

  @Test
  void fails_with_the_scenario_when_tags_differ_or_the_handler_never_reads_by_query() {
    assertThatThrownBy(() -> fixture.given("course-c1", new CourseDefined("c1", 1))
        .when(new Subscribe("c1", "alice"))
        .thenTagged(new StudentSubscribed("c1", "alice"), "course:c1"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected StudentSubscribed[course=c1, student=alice] tagged [course:c1]")
        .hasMessageContaining("but it was tagged [course:c1, student:alice]");
    CommandHandlerFixture plain = CommandHandlerFixture.of(TYPES,
        bus -> bus.register(Subscribe.class, (command, context) -> { }));
    assertThatThrownBy(() -> plain.givenNothing().meanwhile("x", new CourseDefined("c1", 1))
        .when(new Subscribe("c1", "alice")))
        .isInstanceOf(AssertionError.class).hasMessageContaining("made no read by query");
  }
}
