package dev.cqrs.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.CommandHandler;
import dev.cqrs.core.CommandResult;
import dev.cqrs.core.DecisionModel;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventQuery;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.Metadata;
import dev.cqrs.core.Position;
import dev.cqrs.core.QueryDecidingHandler;
import dev.cqrs.core.RecordedEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Deciders over queries: two decision models combined (a course's seats and a student's course limit) decide each
 * subscription, and the append is conditional on both queries. Under 8 threads sending commands at once, both rules
 * hold on the final events; a decision to do nothing appends nothing; a command sent again returns its earlier append.
 */
class QueryDecidingHandlerTest {

  record Subscribe(String course, String student) implements Command {
  }

  record StudentSubscribed(String course, String student) implements Event {
  }

  private static final int SEATS = 3;
  private static final int LIMIT = 2;

  private final InMemoryEventStore store = InMemoryEventStore.create(
      EventTypes.builder().register(StudentSubscribed.class, "StudentSubscribed", 1).build());

  private static DecisionModel<Integer> seatsTaken(String course) {
    return DecisionModel.of(EventQuery.of(EventQuery.Item.types(StudentSubscribed.class).withTags("course:" + course)),
        0, (taken, event) -> taken + 1);
  }

  private static DecisionModel<Set<String>> coursesOf(String student) {
    return DecisionModel.of(
        EventQuery.of(EventQuery.Item.types(StudentSubscribed.class).withTags("student:" + student)),
        Set.of(), (courses, event) -> {
          Set<String> more = new HashSet<>(courses);
          more.add(event.payloadAs(StudentSubscribed.class).course());
          return more;
        });
  }

  private final CommandHandler<Subscribe> subscribe = QueryDecidingHandler.builder(
          (Subscribe c) -> seatsTaken(c.course()).and(coursesOf(c.student())),
          (Subscribe c, DecisionModel.Both<Integer, Set<String>> state) ->
              state.first() < SEATS && state.second().size() < LIMIT && !state.second().contains(c.course())
                  ? List.of(new StudentSubscribed(c.course(), c.student())) : List.of(),
          c -> "subscription-" + c.course() + "-" + c.student())
      .tags(event -> event instanceof StudentSubscribed s
          ? Set.of("course:" + s.course(), "student:" + s.student()) : Set.of())
      .build();

  private final CommandBus bus = CommandBus.builder().eventStore(store).build().register(Subscribe.class, subscribe);

  @Test
  void both_rules_hold_under_eight_threads_subscribing_at_once() throws Exception {
    int courses = 5;
    int students = 10;
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread = new Thread(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
          go.await();
          for (int i = 0; i < 40; i++) {
            bus.send(new Subscribe("c" + random.nextInt(courses), "s" + random.nextInt(students)));
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(failures).isEmpty();

    Map<String, Integer> perCourse = new HashMap<>();
    Map<String, Integer> perStudent = new HashMap<>();
    Set<String> pairs = new HashSet<>();
    List<RecordedEvent> all = store.readAll(Position.START, 10_000);
    for (RecordedEvent event : all) {
      StudentSubscribed subscribed = event.payloadAs(StudentSubscribed.class);
      perCourse.merge(subscribed.course(), 1, Integer::sum);
      perStudent.merge(subscribed.student(), 1, Integer::sum);
      assertThat(pairs.add(subscribed.course() + "/" + subscribed.student())).as("subscribed twice").isTrue();
      assertThat(event.tags()).containsExactlyInAnyOrder("course:" + subscribed.course(),
          "student:" + subscribed.student());
    }
    assertThat(all).isNotEmpty();
    assertThat(perCourse.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(SEATS));
    assertThat(perStudent.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(LIMIT));
  }

  @Test
  void a_decision_to_do_nothing_appends_nothing_and_a_repeated_command_returns_its_earlier_append() {
    Metadata message = Metadata.create();
    CommandResult first = bus.send(new Subscribe("c1", "s1"), message);
    assertThat(first.events()).hasSize(1);
    CommandResult again = bus.send(new Subscribe("c1", "s1"), message);
    assertThat(again.appends()).singleElement().satisfies(append -> assertThat(append.repeated()).isTrue());
    assertThat(again.lastPosition()).isEqualTo(first.lastPosition());

    bus.send(new Subscribe("c1", "s2"));
    bus.send(new Subscribe("c1", "s3"));
    CommandResult full = bus.send(new Subscribe("c1", "s4"));
    assertThat(full.events()).as("the course is full: nothing is appended").isEmpty();
    assertThat(store.readAll(Position.START, 100)).hasSize(3);
  }
}
