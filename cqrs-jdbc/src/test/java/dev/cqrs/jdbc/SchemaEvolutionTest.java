package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventType;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.core.serialization.EventCodec;
import dev.cqrs.core.serialization.UpcasterChain;
import dev.cqrs.inmemory.InMemoryCheckpointStore;
import dev.cqrs.jackson.JacksonSerializer;
import dev.cqrs.jackson.JsonUpcaster;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Events stored at revision 1 are read as revision 2 through upcasters (a renamed field, a split field, a changed
 * type), on both databases, by stream reads and by a processor replaying from the first event.
 */
class SchemaEvolutionTest {

  /** Revision 1, as an older version of the application wrote it. */
  record CustomerRegisteredV1(String id, String client, String fullName, String credit) implements Event {
  }

  /** Revision 2: client renamed to customer, fullName split, credit now a number. */
  record CustomerRegistered(String id, String customer, String firstName, String lastName, BigDecimal credit)
      implements Event {
  }

  static Stream<Supplier<JdbcConfig>> databases() {
    return Stream.of(TestDatabases::h2, () -> TestDatabases.postgres("evolution_")); // replays read the whole table
  }

  private static final EventCodec OLD = EventCodec.of(
      EventTypes.builder().register(CustomerRegisteredV1.class, "CustomerRegistered", 1).build(),
      JacksonSerializer.create(), UpcasterChain.empty());

  private static final EventCodec NEW = EventCodec.of(
      EventTypes.builder().register(CustomerRegistered.class, "CustomerRegistered", 2).build(),
      JacksonSerializer.create(), UpcasterChain.of(List.of(JsonUpcaster.of("CustomerRegistered", 1, json -> {
        json.set("customer", json.remove("client"));
        String[] name = json.remove("fullName").asText().split(" ", 2);
        json.put("firstName", name[0]).put("lastName", name[1]);
        json.put("credit", new BigDecimal(json.remove("credit").asText()));
        return json;
      }))));

  @ParameterizedTest
  @MethodSource("databases")
  void revision_one_events_are_read_and_replayed_as_revision_two(Supplier<JdbcConfig> database) throws Exception {
    JdbcConfig config = database.get();
    String stream = "customer-" + UUID.randomUUID();
    try (JdbcEventStore oldApplication = JdbcEventStore.create(config, OLD);
         JdbcEventStore newApplication = JdbcEventStore.create(config, NEW)) {
      var start = newApplication.head();
      oldApplication.append(stream, ExpectedVersion.noStream(),
          new CustomerRegisteredV1("1", "acme", "Ada Lovelace", "12.50"),
          new CustomerRegisteredV1("2", "initech", "Grace Brewster Hopper", "0.10"));

      List<RecordedEvent> read = newApplication.readStream(stream);
      assertThat(read).extracting(RecordedEvent::payload).containsExactly(
          new CustomerRegistered("1", "acme", "Ada", "Lovelace", new BigDecimal("12.50")),
          new CustomerRegistered("2", "initech", "Grace", "Brewster Hopper", new BigDecimal("0.10")));
      assertThat(read).extracting(RecordedEvent::type).containsOnly(EventType.of("CustomerRegistered", 2));

      Map<String, CustomerRegistered> customers = new ConcurrentHashMap<>();
      Projection projection = Projection.builder()
          .on(CustomerRegistered.class, event -> customers.put(event.id(), event))
          .onReset(customers::clear)
          .build();
      InMemoryCheckpointStore checkpoints = InMemoryCheckpointStore.create();
      checkpoints.save("customers", start);
      TrackingProcessor processor = TrackingProcessor.builder("customers", newApplication, projection, checkpoints)
          .pollInterval(Duration.ofMillis(10)).build();
      processor.start();
      try {
        var last = read.get(1).position();
        assertThat(processor.awaitPosition(last, Duration.ofSeconds(30))).isTrue();
        assertThat(customers).hasSize(2);
        assertThat(customers.get("2").credit()).isEqualByComparingTo("0.10");

        processor.reset(); // replay from the first event of the store, through the upcaster again
        assertThat(processor.awaitPosition(last, Duration.ofSeconds(60))).isTrue();
        assertThat(customers.get("1")).isEqualTo(new CustomerRegistered("1", "acme", "Ada", "Lovelace",
            new BigDecimal("12.50")));
      } finally {
        processor.stop();
      }
    }
  }
}
