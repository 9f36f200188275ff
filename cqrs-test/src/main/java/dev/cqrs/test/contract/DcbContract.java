package dev.cqrs.test.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.AppendCondition;
import dev.cqrs.core.AppendConditionFailedException;
import dev.cqrs.core.AppendResult;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.DuplicateEventIdException;
import dev.cqrs.core.EventQuery;
import dev.cqrs.core.EventQueryResult;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.test.contract.ContractEvents.CourseDefined;
import dev.cqrs.test.contract.ContractEvents.Happened;
import dev.cqrs.test.contract.ContractEvents.InvoiceCreated;
import dev.cqrs.test.contract.ContractEvents.StudentSubscribed;
import dev.cqrs.test.contract.ContractEvents.UsernameClaimed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Contract: dynamic consistency boundaries. Events carry tags; a read by {@code EventQuery} returns the matching events
 * and the position it read to; an append with an {@code AppendCondition} fails when an event matching the condition's
 * query was appended after that position, atomically with the append. Under 8 concurrent writers, the three classic
 * rules that span streams hold on the final events: a course's seats and a student's course limit, a username claimed
 * once, invoice numbers without gaps. Each test uses tags of its own, so a shared database does not disturb it.
 */
public abstract class DcbContract extends EventStoreContractSupport {

  /** Creates the suite. */
  protected DcbContract() {
  }

  /**
   * Returns a store over the same stored events as {@code store} that appends and reads with another registry.
   *
   * @param store the store under test
   * @param types the other registry
   * @return a store sharing {@code store}'s events; the test closes it
   */
  protected abstract EventStore sameEventsWithTypes(EventStore store, EventTypes types);

  /**
   * Returns how many writer threads the concurrent scenarios run; at least 8.
   *
   * @return the number of writers
   */
  protected int threads() {
    return 8;
  }

  private static String unique(String prefix) {
    return prefix + ":" + UUID.randomUUID();
  }

  @Test
  void tags_are_stored_and_a_query_selects_by_type_and_tag_in_global_order() {
    String course = unique("course");
    String student = unique("student");
    AppendResult defined = store.append(uniqueStream("course"), ExpectedVersion.noStream(),
        List.of(NewEvent.of(new CourseDefined(course, 2)).withTags(course)));
    AppendResult subscribed = store.append(uniqueStream("subscription"), ExpectedVersion.noStream(),
        List.of(NewEvent.of(new StudentSubscribed(course, student)).withTags(course, student)));
    store.append(uniqueStream("other"), ExpectedVersion.noStream(),
        List.of(NewEvent.of(new Happened("other", 1)).withTags(unique("course"))));

    assertThat(subscribed.events().get(0).tags()).containsExactlyInAnyOrder(course, student);
    assertThat(store.readStream(subscribed.streamId()).get(0).tags()).containsExactlyInAnyOrder(course, student);

    EventQueryResult byCourse = store.read(EventQuery.of(EventQuery.Item.tags(course)), startHead);
    assertThat(byCourse.events()).extracting(RecordedEvent::eventId)
        .containsExactly(defined.events().get(0).eventId(), subscribed.events().get(0).eventId());
    assertThat(byCourse.readTo()).isGreaterThanOrEqualTo(subscribed.lastPosition());

    EventQueryResult typed = store.read(EventQuery.of(EventQuery.Item.types(StudentSubscribed.class).withTags(course)),
        startHead);
    assertThat(typed.events()).extracting(RecordedEvent::eventId).containsExactly(subscribed.events().get(0).eventId());

    EventQueryResult bothTags = store.read(EventQuery.of(EventQuery.Item.tags(course, student)), startHead);
    assertThat(bothTags.events()).hasSize(1);
    EventQueryResult eitherItem = store.read(EventQuery.of(EventQuery.Item.tags(student),
        EventQuery.Item.types(CourseDefined.class).withTags(course)), startHead);
    assertThat(eitherItem.events()).hasSize(2);
    assertThat(store.read(EventQuery.of(EventQuery.Item.tags(unique("nobody"))), startHead).events()).isEmpty();
    assertThat(store.read(EventQuery.of(EventQuery.Item.tags(course)), subscribed.lastPosition()).events()).isEmpty();
  }

  @Test
  void a_condition_fails_when_a_matching_event_came_after_the_read_and_holds_when_only_others_did() {
    String name = unique("username");
    EventQuery query = EventQuery.of(EventQuery.Item.types(UsernameClaimed.class).withTags(name));
    EventQueryResult read = store.read(query, startHead);
    assertThat(read.events()).isEmpty();

    store.append(uniqueStream("unrelated"), ExpectedVersion.noStream(),
        List.of(NewEvent.of(new UsernameClaimed(unique("username"), "u0")).withTags(unique("username"))));
    AppendResult first = store.append(uniqueStream("claim"), ExpectedVersion.noStream(),
        List.of(NewEvent.of(new UsernameClaimed(name, "u1")).withTags(name)),
        AppendCondition.unchangedSince(query, read));
    assertThat(first.events()).hasSize(1);

    String stream = uniqueStream("claim");
    NewEvent second = NewEvent.of(new UsernameClaimed(name, "u2")).withTags(name);
    assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(), List.of(second),
        AppendCondition.unchangedSince(query, read)))
        .isInstanceOfSatisfying(AppendConditionFailedException.class, e -> {
          assertThat(e.conflicting()).isEqualTo(first.lastPosition());
          assertThat(e.getMessage()).contains(stream).contains(name).contains(first.lastPosition().toString());
          assertThat(e.isTransient()).isTrue();
        });
    assertThat(store.readStream(stream)).as("nothing of the refused append is stored").isEmpty();
    assertThat(store.readEvent(second.eventId())).isEmpty();
  }

  @Test
  void repeating_a_conditional_append_returns_the_earlier_result() {
    String name = unique("username");
    EventQuery query = EventQuery.of(EventQuery.Item.tags(name));
    EventQueryResult read = store.read(query, startHead);
    String stream = uniqueStream("claim");
    List<NewEvent> events = List.of(NewEvent.of(new UsernameClaimed(name, "u1")).withTags(name));
    AppendResult first = store.append(stream, ExpectedVersion.noStream(), events,
        AppendCondition.unchangedSince(query, read));
    AppendResult again = store.append(stream, ExpectedVersion.noStream(), events,
        AppendCondition.unchangedSince(query, read));
    assertThat(again.repeated()).isTrue();
    assertThat(again.lastPosition()).isEqualTo(first.lastPosition());
    assertThat(store.read(query, startHead).events()).hasSize(1);
  }

  @Test
  void malformed_tags_are_refused_before_anything_is_stored() {
    Happened event = new Happened("bad-tags", 1);
    assertThatThrownBy(() -> NewEvent.of(event).withTags("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 200 characters");
    assertThatThrownBy(() -> NewEvent.of(event).withTags("a\u0000b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NUL character at index 1");
    assertThatThrownBy(() -> NewEvent.of(event).withTags("x\ud800")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unpaired surrogate at index 1");
    assertThatThrownBy(() -> NewEvent.of(event).withTags("t".repeat(201)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 201");
    assertThat(store.head()).isEqualTo(startHead);
  }

  @Test
  void tags_derived_by_the_event_type_are_added_to_the_given_ones_on_every_kind_of_append() {
    EventTypes derived = EventTypes.builder()
        .register(Happened.class, "Happened", 1)
        .register(ContractEvents.Noted.class, "Noted", 3)
        .register(CourseDefined.class, "CourseDefined", 1, e -> Set.of("course:" + e.course()))
        .register(StudentSubscribed.class, "StudentSubscribed", 1,
            e -> List.of("course:" + e.course(), "student:" + e.student()))
        .register(UsernameClaimed.class, "UsernameClaimed", 1, e -> Set.of(e.username()))
        .register(InvoiceCreated.class, "InvoiceCreated", 1)
        .build();
    String course = unique("c");
    String student = unique("s");
    try (EventStore tagging = sameEventsWithTypes(store, derived)) {
      AppendResult defined = tagging.append(uniqueStream("course"), ExpectedVersion.noStream(),
          List.of(NewEvent.of(new CourseDefined(course, 2)).withTags("term:2026")));
      assertThat(defined.events().get(0).tags()).containsExactly("course:" + course, "term:2026");
      EventQuery seats = EventQuery.of(EventQuery.Item.tags("course:" + course));
      EventQueryResult read = tagging.read(seats, startHead);
      NewEvent subscription = NewEvent.of(new StudentSubscribed(course, student));
      String stream = uniqueStream("subscription");
      AppendResult subscribed = tagging.append(stream, ExpectedVersion.noStream(), List.of(subscription),
          AppendCondition.unchangedSince(seats, read));
      assertThat(subscribed.events().get(0).tags()).containsExactly("course:" + course, "student:" + student);
      // the stored tags, seen through a store whose registry derives none
      assertThat(store.readStream(stream).get(0).tags()).containsExactly("course:" + course, "student:" + student);
      assertThat(store.read(EventQuery.of(EventQuery.Item.tags("student:" + student)), startHead).events())
          .extracting(RecordedEvent::eventId).containsExactly(subscription.eventId());
      assertThat(tagging.read(seats, startHead).events()).hasSize(2);
      AppendResult again = tagging.append(stream, ExpectedVersion.noStream(), List.of(subscription));
      assertThat(again.repeated()).isTrue();
      assertThat(again.events().get(0).tags()).containsExactly("course:" + course, "student:" + student);

      String refused = uniqueStream("claim");
      assertThatThrownBy(() -> tagging.append(refused, ExpectedVersion.noStream(),
          List.of(NewEvent.of(new UsernameClaimed("ok", "u1")), NewEvent.of(new UsernameClaimed("a\u0000b", "u2")))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("event 1 (")
          .hasMessageContaining("stream '" + refused + "'")
          .hasMessageContaining("tag function of event type 'UsernameClaimed'")
          .hasMessageContaining("NUL character at index 1");
      assertThatThrownBy(() -> tagging.append(refused, ExpectedVersion.noStream(),
          List.of(NewEvent.of(new UsernameClaimed("", "u1"))), AppendCondition.unchangedSince(seats, read)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tag function of event type 'UsernameClaimed'")
          .hasMessageContaining("1 to 200 characters");
      assertThat(store.readStream(refused)).isEmpty();
    }
  }

  @Test
  void a_conditional_append_keeps_the_streams_expected_version_and_the_event_id_rules() {
    String stream = uniqueStream("user");
    String name = unique("username");
    NewEvent first = NewEvent.of(new UsernameClaimed(name, "u1")).withTags(name);
    store.append(stream, ExpectedVersion.noStream(), List.of(first));
    EventQuery elsewhere = EventQuery.of(EventQuery.Item.tags(unique("nobody")));
    EventQueryResult read = store.read(elsewhere, startHead);

    // the condition holds, the expected version does not: a stream conflict, nothing stored
    assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(),
        List.of(NewEvent.of(new Happened("late", 1)).withTags(name)), AppendCondition.unchangedSince(elsewhere, read)))
        .isInstanceOf(ConcurrencyConflictException.class)
        .satisfies(e -> assertThat(((ConcurrencyConflictException) e).actualVersion()).isEqualTo(1));
    assertThat(store.readStream(stream)).hasSize(1);

    // both hold: appended at the next version
    AppendResult second = store.append(stream, ExpectedVersion.exactly(1),
        List.of(NewEvent.of(new Happened("next", 2)).withTags(name)), AppendCondition.unchangedSince(elsewhere, read));
    assertThat(second.events()).singleElement().satisfies(e -> assertThat(e.version()).isEqualTo(2));

    // a stored event id in another stream is refused as with any append
    String other = uniqueStream("user");
    assertThatThrownBy(() -> store.append(other, ExpectedVersion.any(), List.of(first),
        AppendCondition.unchangedSince(elsewhere, read)))
        .isInstanceOf(DuplicateEventIdException.class)
        .satisfies(e -> assertThat(((DuplicateEventIdException) e).eventId()).isEqualTo(first.eventId()));
    assertThat(store.readStream(other)).isEmpty();
  }

  @Test
  void an_append_with_many_tags_under_a_condition_of_many_items_holds_and_is_refused_as_with_few() {
    // more tags and items than a database statement may take one by one: every one of them still counts
    List<String> tags = new ArrayList<>();
    List<EventQuery.Item> items = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      tags.add(unique("many-" + i));
      items.add(EventQuery.Item.tags(tags.get(i)));
    }
    EventQuery all = EventQuery.of(items.toArray(EventQuery.Item[]::new));
    EventQueryResult read = store.read(all, store.head());
    NewEvent first = NewEvent.of(new Happened("many", 1)).withTags(tags.toArray(String[]::new));
    AppendResult appended = store.append(uniqueStream("many"), ExpectedVersion.noStream(), List.of(first),
        AppendCondition.unchangedSince(all, read));
    assertThat(store.read(all, read.readTo()).events()).singleElement()
        .satisfies(event -> assertThat(event.tags()).containsExactlyInAnyOrderElementsOf(tags));
    // a plain append of an event with the last tag alone refuses a condition on the last item only
    EventQuery last = EventQuery.of(items.get(19));
    EventQueryResult readLast = store.read(last, store.head());
    AppendResult plain = store.append(uniqueStream("many"), ExpectedVersion.noStream(),
        List.of(NewEvent.of(new Happened("many", 2)).withTags(tags.get(19))));
    String refusedStream = uniqueStream("many");
    assertThatThrownBy(() -> store.append(refusedStream, ExpectedVersion.noStream(),
        List.of(NewEvent.of(new Happened("many", 3)).withTags(tags.toArray(String[]::new))),
        AppendCondition.unchangedSince(all, read)))
        .isInstanceOf(AppendConditionFailedException.class)
        .satisfies(e -> assertThat(((AppendConditionFailedException) e).conflicting())
            .isEqualTo(appended.lastPosition()));
    assertThatThrownBy(() -> store.append(refusedStream, ExpectedVersion.noStream(),
        List.of(NewEvent.of(new Happened("many", 4)).withTags(tags.get(0))),
        AppendCondition.unchangedSince(last, readLast)))
        .isInstanceOf(AppendConditionFailedException.class)
        .satisfies(e -> assertThat(((AppendConditionFailedException) e).conflicting())
            .isEqualTo(plain.lastPosition()));
    assertThat(store.readStream(refusedStream)).isEmpty();
  }

  @Test
  void a_condition_finds_a_match_behind_more_than_a_thousand_later_events() {
    String name = unique("username");
    EventQuery query = EventQuery.of(EventQuery.Item.types(UsernameClaimed.class).withTags(name));
    EventQueryResult read = store.read(query, store.head());
    EventQuery elsewhere = EventQuery.of(EventQuery.Item.tags(unique("nobody")));
    EventQueryResult readElsewhere = store.read(elsewhere, store.head());
    appendFillers();
    AppendResult match = store.append(uniqueStream("claim"), ExpectedVersion.noStream(),
        List.of(NewEvent.of(new UsernameClaimed(name, "first")).withTags(name)));
    store.append(uniqueStream("filler"), ExpectedVersion.noStream(),
        List.of(NewEvent.of(new Happened("filler", -1)).withTags(unique("filler"))));
    assertThatThrownBy(() -> store.append(uniqueStream("claim"), ExpectedVersion.noStream(),
        List.of(NewEvent.of(new UsernameClaimed(name, "second")).withTags(name)),
        AppendCondition.unchangedSince(query, read)))
        .isInstanceOf(AppendConditionFailedException.class)
        .satisfies(e -> assertThat(((AppendConditionFailedException) e).conflicting()).isEqualTo(match.lastPosition()));
    // the same distance, nothing matching: the condition holds
    AppendResult held = store.append(uniqueStream("claim"), ExpectedVersion.noStream(),
        List.of(NewEvent.of(new UsernameClaimed(unique("username"), "third")).withTags(unique("free"))),
        AppendCondition.unchangedSince(elsewhere, readElsewhere));
    assertThat(held.repeated()).isFalse();
    assertThat(store.read(query, read.readTo()).events()).extracting(RecordedEvent::eventId)
        .containsExactly(match.events().get(0).eventId());
  }

  @Test
  void a_read_by_query_returns_every_match_in_global_order_across_pages() {
    String tag = unique("bulk");
    List<UUID> expected = new ArrayList<>();
    for (int append = 0; append < 25; append++) {
      List<NewEvent> batch = new ArrayList<>();
      for (int i = 0; i < 120; i++) {
        NewEvent event = NewEvent.of(new Happened("bulk", append * 120L + i));
        if (i % 6 != 5) {
          event = event.withTags(tag); // every sixth event carries no tag and must not be read
          expected.add(event.eventId());
        }
        batch.add(event);
      }
      store.append(uniqueStream("bulk"), ExpectedVersion.noStream(), batch);
    }
    EventQuery query = EventQuery.of(EventQuery.Item.types(Happened.class).withTags(tag));
    EventQueryResult read = store.read(query, startHead);
    assertThat(read.events()).extracting(RecordedEvent::eventId).containsExactlyElementsOf(expected);
    for (int i = 1; i < read.events().size(); i++) {
      assertThat(read.events().get(i).position()).isGreaterThan(read.events().get(i - 1).position());
    }
    assertThat(read.readTo()).isGreaterThanOrEqualTo(read.events().get(read.events().size() - 1).position())
        .isLessThanOrEqualTo(store.head());
    EventQueryResult rest = store.read(query, read.events().get(1_499).position());
    assertThat(rest.events()).extracting(RecordedEvent::eventId)
        .containsExactlyElementsOf(expected.subList(1_500, expected.size()));
    assertThat(store.read(query, read.readTo()).events()).isEmpty();
    assertThat(store.read(query, read.readTo()).readTo()).isEqualTo(read.readTo());
  }

  /**
   * Reads, decides and appends under the condition of what it read, again after every refusal.
   *
   * @return the events appended, or none when the decision was to append nothing
   */
  private List<RecordedEvent> decideAndAppend(EventQuery query, Function<List<RecordedEvent>, List<NewEvent>> decide,
                                              AtomicInteger refusals) {
    while (true) {
      EventQueryResult read = store.read(query, startHead);
      List<NewEvent> decided = decide.apply(read.events());
      if (decided.isEmpty()) {
        return List.of();
      }
      try {
        return store.append(uniqueStream("decision"), ExpectedVersion.noStream(), decided,
            AppendCondition.unchangedSince(query, read)).events();
      } catch (AppendConditionFailedException refused) {
        refusals.incrementAndGet();
      }
    }
  }

  private void runWriters(int writers, WriterBody body) throws InterruptedException {
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      Thread thread = new Thread(() -> {
        try {
          go.await();
          body.run(writer);
        } catch (Throwable e) {
          failures.add(e);
        }
      }, "dcb-writer-" + w);
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(failures).isEmpty();
  }

  /** One writer's work. */
  @FunctionalInterface
  private interface WriterBody {
    void run(int writer) throws Exception;
  }

  @Test
  void a_username_is_claimed_once_however_many_writers_try_at_once() throws Exception {
    int rounds = 30;
    List<String> names = new ArrayList<>();
    List<CyclicBarrier> allHaveRead = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      names.add(unique("username"));
      allHaveRead.add(new CyclicBarrier(threads()));
    }
    AtomicInteger refusals = new AtomicInteger();
    runWriters(threads(), writer -> {
      for (int r = 0; r < rounds; r++) {
        String name = names.get(r);
        CyclicBarrier barrier = allHaveRead.get(r);
        boolean[] firstDecision = {true};
        decideAndAppend(EventQuery.of(EventQuery.Item.types(UsernameClaimed.class).withTags(name)), claims -> {
          if (firstDecision[0]) {
            firstDecision[0] = false;
            awaitQuietly(barrier); // every writer has read the name as free before any of them appends
          }
          return claims.isEmpty()
              ? List.of(NewEvent.of(new UsernameClaimed(name, "user-" + writer)).withTags(name)) : List.of();
        }, refusals);
      }
    });
    for (String name : names) {
      assertThat(store.read(EventQuery.of(EventQuery.Item.tags(name)), startHead).events()).as(name).hasSize(1);
    }
    assertThat(refusals.get()).as("every writer but the winner was refused once per name, and stored nothing")
        .isEqualTo(rounds * (threads() - 1));
  }

  @Test
  void writers_whose_reads_lie_more_than_a_thousand_events_back_still_claim_a_username_once() throws Exception {
    // every condition starts behind 1,100 later events: on PostgreSQL each append's quick check cannot decide, and
    // all of them decide in their transactions at once
    String name = unique("username");
    EventQuery query = EventQuery.of(EventQuery.Item.types(UsernameClaimed.class).withTags(name));
    EventQueryResult read = store.read(query, store.head());
    appendFillers();
    CyclicBarrier together = new CyclicBarrier(threads());
    ConcurrentLinkedQueue<AppendResult> won = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Position> refusedAt = new ConcurrentLinkedQueue<>();
    runWriters(threads(), writer -> {
      awaitQuietly(together);
      try {
        won.add(store.append(uniqueStream("claim"), ExpectedVersion.noStream(),
            List.of(NewEvent.of(new UsernameClaimed(name, "user-" + writer)).withTags(name)),
            AppendCondition.unchangedSince(query, read)));
      } catch (AppendConditionFailedException refused) {
        refusedAt.add(refused.conflicting());
      }
    });
    assertThat(won).hasSize(1);
    assertThat(refusedAt).hasSize(threads() - 1).containsOnly(won.peek().lastPosition());
    assertThat(store.read(query, read.readTo()).events()).singleElement()
        .satisfies(event -> assertThat(event.position()).isEqualTo(won.peek().lastPosition()));
  }

  @Test
  void conditional_appends_to_one_stream_at_any_version_under_disjoint_conditions_all_land_in_version_order()
      throws Exception {
    // the conditions do not hold each other back, so the writers race for the stream's next version: every loser
    // tries again at the next one, and nothing is lost or numbered twice
    String stream = uniqueStream("shared");
    int perWriter = 15;
    runWriters(threads(), writer -> {
      String tag = unique("writer-" + writer);
      EventQuery mine = EventQuery.of(EventQuery.Item.tags(tag));
      for (int i = 0; i < perWriter; i++) {
        NewEvent event = NewEvent.of(new Happened("writer-" + writer, i)).withTags(tag);
        for (int attempt = 1; ; attempt++) {
          // a read may end below this writer's own last event while another append is in flight (the read fence):
          // then the condition is refused, as it must be, and the writer decides again, as a handler would
          EventQueryResult read = store.read(mine, Position.START);
          try {
            store.append(stream, ExpectedVersion.any(), List.of(event), AppendCondition.unchangedSince(mine, read));
            break;
          } catch (AppendConditionFailedException refused) {
            assertThat(refused.conflicting().isAfter(read.readTo())).isTrue();
            assertThat(attempt).as("decisions of writer " + writer).isLessThan(1_000);
          }
        }
      }
    });
    List<RecordedEvent> events = store.readStream(stream);
    assertThat(events).extracting(RecordedEvent::version)
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, (long) threads() * perWriter)
            .boxed().toList());
    Map<String, List<Long>> numbers = new HashMap<>();
    for (RecordedEvent event : events) {
      Happened happened = event.payloadAs(Happened.class);
      numbers.computeIfAbsent(happened.source(), k -> new ArrayList<>()).add(happened.number());
    }
    List<Long> expected = java.util.stream.LongStream.range(0, perWriter).boxed().toList();
    assertThat(numbers).hasSize(threads()).allSatisfy((writer, seen) -> assertThat(seen).as(writer)
        .containsExactlyElementsOf(expected));
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).position().isAfter(events.get(i - 1).position())).as("version order is global order")
          .isTrue();
    }
  }

  /** Appends 1,100 events that match no test's query, in 11 appends: more than a quick check looks through. */
  private void appendFillers() {
    for (int append = 0; append < 11; append++) {
      List<NewEvent> batch = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        batch.add(NewEvent.of(new Happened("filler", append * 100L + i)).withTags(unique("filler")));
      }
      store.append(uniqueStream("filler"), ExpectedVersion.noStream(), batch);
    }
  }

  private static void awaitQuietly(CyclicBarrier barrier) {
    try {
      barrier.await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the writers did not all read in time", e);
    }
  }

  @Test
  void invoice_numbers_have_no_gaps_and_no_repeats_under_concurrent_writers() throws Exception {
    String invoices = unique("invoices");
    EventQuery query = EventQuery.of(EventQuery.Item.types(InvoiceCreated.class).withTags(invoices));
    int perWriter = 20;
    AtomicInteger refusals = new AtomicInteger();
    runWriters(threads(), writer -> {
      for (int i = 0; i < perWriter; i++) {
        decideAndAppend(query, created -> List.of(NewEvent.of(
            new InvoiceCreated(created.size() + 1L, "writer-" + writer)).withTags(invoices)), refusals);
      }
    });
    List<Long> numbers = store.read(query, startHead).events().stream()
        .map(e -> e.payloadAs(InvoiceCreated.class).number()).toList();
    List<Long> expected = new ArrayList<>();
    for (long n = 1; n <= (long) threads() * perWriter; n++) {
      expected.add(n);
    }
    assertThat(numbers).as("numbers in global order").containsExactlyElementsOf(expected);
  }

  @Test
  void course_seats_and_the_student_limit_hold_together_under_concurrent_writers() throws Exception {
    int courses = 6;
    int seats = 4;
    int students = 12;
    int limit = 2;
    List<String> courseTags = new ArrayList<>();
    for (int c = 0; c < courses; c++) {
      String course = unique("course");
      courseTags.add(course);
      store.append(uniqueStream("course"), ExpectedVersion.noStream(),
          List.of(NewEvent.of(new CourseDefined(course, seats)).withTags(course)));
    }
    List<String> studentTags = new ArrayList<>();
    for (int s = 0; s < students; s++) {
      studentTags.add(unique("student"));
    }
    AtomicInteger refusals = new AtomicInteger();
    runWriters(threads(), writer -> {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      for (int attempt = 0; attempt < 40; attempt++) {
        String course = courseTags.get(random.nextInt(courses));
        String student = studentTags.get(random.nextInt(students));
        // two decision models at once: the course's seats and the student's subscriptions
        EventQuery query = EventQuery.of(EventQuery.Item.types(CourseDefined.class, StudentSubscribed.class).withTags(course),
            EventQuery.Item.types(StudentSubscribed.class).withTags(student));
        decideAndAppend(query, events -> {
          int capacity = 0;
          int taken = 0;
          int ofStudent = 0;
          boolean already = false;
          for (RecordedEvent event : events) {
            if (event.payload() instanceof CourseDefined defined) {
              capacity = defined.seats();
            } else if (event.payload() instanceof StudentSubscribed subscribed) {
              if (subscribed.course().equals(course)) {
                taken++;
                already |= subscribed.student().equals(student);
              }
              if (subscribed.student().equals(student)) {
                ofStudent++;
              }
            }
          }
          return already || taken >= capacity || ofStudent >= limit ? List.of()
              : List.of(NewEvent.of(new StudentSubscribed(course, student)).withTags(course, student));
        }, refusals);
      }
    });
    Map<String, Integer> perCourse = new HashMap<>();
    Map<String, Integer> perStudent = new HashMap<>();
    Set<String> pairs = new HashSet<>();
    EventQuery all = EventQuery.of(EventQuery.Item.types(StudentSubscribed.class));
    int subscriptions = 0;
    for (RecordedEvent event : store.read(all, startHead).events()) {
      StudentSubscribed subscribed = event.payloadAs(StudentSubscribed.class);
      if (!courseTags.contains(subscribed.course())) {
        continue; // another test's
      }
      subscriptions++;
      perCourse.merge(subscribed.course(), 1, Integer::sum);
      perStudent.merge(subscribed.student(), 1, Integer::sum);
      assertThat(pairs.add(subscribed.course() + "/" + subscribed.student())).as("subscribed twice").isTrue();
    }
    assertThat(perCourse.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(seats));
    assertThat(perStudent.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(limit));
    assertThat(subscriptions).as("subscriptions made").isPositive();
  }

  /** The event at a position, once reads show it (they may trail commits for a moment). */
  private RecordedEvent eventAt(Position position) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      for (RecordedEvent event : store.read(EventQuery.all(), startHead).events()) {
        if (event.position().equals(position)) {
          return event;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no event at " + position + " became readable within 10 s");
      }
      Thread.sleep(5);
    }
  }

  @Test
  void writers_on_disjoint_tags_are_never_refused_because_of_each_other() throws Exception {
    List<String> tags = new ArrayList<>();
    for (int w = 0; w < threads(); w++) {
      tags.add(unique("invoices"));
    }
    ConcurrentLinkedQueue<String> causes = new ConcurrentLinkedQueue<>();
    runWriters(threads(), writer -> {
      String tag = tags.get(writer);
      EventQuery mine = EventQuery.of(EventQuery.Item.types(InvoiceCreated.class).withTags(tag));
      for (int i = 0; i < 20; i++) {
        while (true) {
          EventQueryResult read = store.read(mine, startHead);
          try {
            store.append(uniqueStream("invoice"), ExpectedVersion.noStream(), List.of(NewEvent.of(
                new InvoiceCreated(read.events().size() + 1L, "writer-" + writer)).withTags(tag)),
                AppendCondition.unchangedSince(mine, read));
            break;
          } catch (AppendConditionFailedException refused) {
            // a store whose reads trail commits (PostgreSQL's read fence) may refuse a writer because of its own
            // earlier event that its read did not show yet; never because of another writer's
            causes.add(tag + " <- " + eventAt(refused.conflicting()).tags());
          }
        }
      }
    });
    assertThat(causes).allSatisfy(cause -> assertThat(cause.substring(cause.indexOf(" <- ")))
        .contains(cause.substring(0, cause.indexOf(" <- "))));
    for (String tag : tags) {
      assertThat(store.read(EventQuery.of(EventQuery.Item.tags(tag)), startHead).events())
          .extracting(e -> e.payloadAs(InvoiceCreated.class).number())
          .containsExactly(java.util.stream.LongStream.rangeClosed(1, 20).boxed().toArray(Long[]::new));
    }
  }
}
