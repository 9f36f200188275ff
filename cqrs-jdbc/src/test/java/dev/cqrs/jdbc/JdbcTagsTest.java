package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.AppendResult;
import dev.cqrs.core.DeadLetter;
import dev.cqrs.core.EventQuery;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.test.contract.ContractEvents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tags on H2 and PostgreSQL: stored with the event and read back by every read (stream, global order, by id, by
 * query), also in dead letters, including tags that need quoting in an array literal, and for appends of more events
 * than one statement binds value by value.
 */
class JdbcTagsTest {

  static Stream<Supplier<JdbcConfig>> databases() {
    return Stream.of(TestDatabases::h2, () -> TestDatabases.postgres("tags_"));
  }

  private static final String ODD = "odd:\"quoted\", {braced} \\back\\slash \u00e9\ud83d\ude00";

  @ParameterizedTest
  @MethodSource("databases")
  void tags_are_stored_and_every_read_returns_them(Supplier<JdbcConfig> database) {
    JdbcConfig config = database.get();
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(ContractEvents.TYPES))) {
      Position start = store.head();
      String course = "course:" + UUID.randomUUID();
      String stream = "tagged-" + UUID.randomUUID();
      AppendResult one = store.append(stream, ExpectedVersion.noStream(),
          List.of(NewEvent.of(new ContractEvents.Happened("t", 1)).withTags(course, ODD),
              NewEvent.of(new ContractEvents.Happened("t", 2))));
      List<NewEvent> many = new ArrayList<>();
      for (int i = 0; i < 40; i++) { // more than one statement binds value by value
        many.add(NewEvent.of(new ContractEvents.Happened("t", 3 + i)).withTags(course, "n:" + i));
      }
      store.append(stream, ExpectedVersion.exactly(2), many);

      RecordedEvent first = store.readStream(stream).get(0);
      assertThat(first.tags()).containsExactlyInAnyOrder(course, ODD);
      assertThat(store.readStream(stream).get(1).tags()).isEmpty();
      assertThat(store.readStream(stream).get(41).tags()).containsExactlyInAnyOrder(course, "n:39");
      assertThat(store.readEvent(first.eventId()).orElseThrow().tags()).isEqualTo(first.tags());
      assertThat(store.readAll(start, 100)).filteredOn(e -> e.streamId().equals(stream)).hasSize(42);
      assertThat(one.events().get(0).tags()).isEqualTo(first.tags());

      assertThat(store.read(EventQuery.of(EventQuery.Item.tags(course)), start).events()).hasSize(41);
      assertThat(store.read(EventQuery.of(EventQuery.Item.tags(ODD)), start).events()).singleElement()
          .satisfies(e -> assertThat(e.eventId()).isEqualTo(first.eventId()));

      JdbcDeadLetterStore letters = JdbcDeadLetterStore.create(config, TestDatabases.codec(ContractEvents.TYPES));
      UUID id = UUID.randomUUID();
      letters.save(new DeadLetter(id, "tags-test", first, "failed", 1, Instant.now(), Instant.now()));
      assertThat(letters.find(id).orElseThrow().event().tags()).containsExactlyInAnyOrder(course, ODD);
      letters.remove(id);
    }
  }
}
