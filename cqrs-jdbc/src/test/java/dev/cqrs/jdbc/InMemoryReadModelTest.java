package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.jackson.JacksonSerializer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Read models kept in memory on a database with two instances: each instance's read model gets every instance's
 * appends, each once and in global order, and an append returns once its own instance's read model holds it.
 */
class InMemoryReadModelTest {

  record Counted(String key) implements Event {
  }

  record Account(long balance) {
  }

  private static final EventTypes TYPES = EventTypes.builder().register(Counted.class, "Counted", 1).build();

  static Stream<Supplier<JdbcConfig>> databases() {
    return Stream.of(TestDatabases::h2, () -> TestDatabases.postgres("memory_"));
  }

  /** A read model that records the events of this test's streams. */
  private static final class Seen {
    final List<RecordedEvent> events = new CopyOnWriteArrayList<>();
    final String prefix;
    final Projection projection;

    Seen(String prefix) {
      this.prefix = prefix;
      this.projection = Projection.builder().on(Counted.class, (counted, recorded) -> {
        if (recorded.streamId().startsWith(prefix)) {
          events.add(recorded);
        }
      }).build();
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void each_instance_sees_every_instances_appends_once_and_its_own_when_the_append_returns(
      Supplier<JdbcConfig> database) throws Exception {
    JdbcConfig config = database.get();
    String prefix = "memory-" + UUID.randomUUID() + "-";
    try (JdbcEventStore earlier = JdbcEventStore.create(config, TestDatabases.codec(TYPES))) {
      earlier.append(prefix + "before", ExpectedVersion.noStream(), List.of(NewEvent.of(new Counted("old"))));
    }
    Seen seenByFirst = new Seen(prefix);
    Seen seenBySecond = new Seen(prefix);
    try (JdbcEventStore first = JdbcEventStore.builder(config, TestDatabases.codec(TYPES))
             .inMemoryProjection(seenByFirst.projection).build();
         JdbcEventStore second = JdbcEventStore.builder(config, TestDatabases.codec(TYPES))
             .inMemoryProjection(seenBySecond.projection).build()) {
      assertThat(seenByFirst.events).as("built from the stored events").hasSize(1);
      List<RecordedEvent> appended = new ArrayList<>(first.readStream(prefix + "before"));
      for (int i = 0; i < 20; i++) {
        JdbcEventStore through = i % 2 == 0 ? first : second;
        Seen own = i % 2 == 0 ? seenByFirst : seenBySecond;
        RecordedEvent event = through.append(prefix + (i % 3), ExpectedVersion.any(),
            List.of(NewEvent.of(new Counted("k" + i)))).events().get(0);
        appended.add(event);
        assertThat(own.events).as("the appending instance's read model holds the append when it returns")
            .contains(event);
      }
      JdbcStateStoredRepository<Account> accounts =
          JdbcStateStoredRepository.create(second, JacksonSerializer.create(), Account.class);
      RecordedEvent saved = accounts.save(prefix + "account", 0, new Account(1),
          List.of(NewEvent.of(new Counted("saved")))).orElseThrow().events().get(0);
      appended.add(saved);
      assertThat(seenBySecond.events).contains(saved);

      RecordedEvent lastOfAll = appended.stream().max((a, b) -> a.position().compareTo(b.position())).orElseThrow();
      assertThat(first.awaitInMemoryProjections(lastOfAll.position(), java.time.Duration.ofSeconds(60))).isTrue();
      assertThat(second.awaitInMemoryProjections(lastOfAll.position(), java.time.Duration.ofSeconds(60))).isTrue();
      List<RecordedEvent> inOrder = new ArrayList<>(appended);
      inOrder.sort((a, b) -> a.position().compareTo(b.position()));
      for (Seen seen : List.of(seenByFirst, seenBySecond)) {
        assertThat(seen.events).extracting(RecordedEvent::eventId).as("every event once, in global order")
            .containsExactlyElementsOf(inOrder.stream().map(RecordedEvent::eventId).toList());
      }
    }
  }
}
