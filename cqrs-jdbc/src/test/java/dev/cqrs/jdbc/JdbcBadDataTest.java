package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.SerializationException;
import dev.cqrs.jdbc.internal.Jdbc;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Stored data that no longer fits its class: reads fail clearly, naming the event, and change nothing. */
class JdbcBadDataTest {

  record Priced(String sku, long cents) implements Event {
  }

  private static final EventTypes TYPES = EventTypes.builder().register(Priced.class, "Priced", 1).build();

  static Stream<Supplier<JdbcConfig>> databases() {
    return Stream.of(TestDatabases::h2, () -> TestDatabases.postgres("baddata_"));
  }

  @ParameterizedTest
  @MethodSource("databases")
  void a_payload_that_does_not_fit_its_class_names_type_stream_version_and_position(Supplier<JdbcConfig> database)
      throws Exception {
    JdbcConfig config = database.get();
    String stream = "priced-" + UUID.randomUUID();
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES))) {
      List<RecordedEvent> written = store.append(stream, ExpectedVersion.noStream(), new Priced("a", 1),
          new Priced("b", 2)).events();
      String cast = config.database() == Database.POSTGRESQL ? "?::json" : "?";
      for (String bad : List.of("{\"sku\":\"b\",\"cents\":\"not a number\"}", "{\"@class\":\"java.lang.Runtime\"}",
          "[1,2,3]")) {
        Jdbc.withConnection(config, "corrupt", c -> {
          try (PreparedStatement update = c.prepareStatement("UPDATE " + config.table("events")
              + " SET payload = " + cast + " WHERE event_id = ?")) {
            update.setString(1, bad);
            update.setObject(2, written.get(1).eventId());
            return update.executeUpdate();
          }
        });
        Position position = written.get(1).position();
        assertThatThrownBy(() -> store.readStream(stream))
            .as("payload %s", bad)
            .isInstanceOf(SerializationException.class)
            .hasMessageContaining("Priced@1")
            .hasMessageContaining("stream '" + stream + "' version 2 position " + position)
            .hasMessageContaining(Priced.class.getName());
        assertThatThrownBy(() -> store.readAll(written.get(0).position(), 10))
            .isInstanceOf(SerializationException.class).hasMessageContaining("version 2");
        int rows = Jdbc.withConnection(config, "count", c -> {
          try (PreparedStatement count = c.prepareStatement(
              "SELECT count(*) FROM " + config.table("events") + " WHERE stream_id = ?")) {
            count.setString(1, stream);
            try (var result = count.executeQuery()) {
              result.next();
              return result.getInt(1);
            }
          }
        });
        assertThat(rows).as("a failed read changes nothing").isEqualTo(2);
      }
    }
  }
}
