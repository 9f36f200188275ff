package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.CqrsException;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.jdbc.internal.Jdbc;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL store restored into another cluster (a dump and restore): order keys above this cluster's transaction
 * ids are refused at start, and {@link JdbcSchema#rekeyRestored} makes the store readable again with its global order
 * and its checkpoints as they were.
 */
class RestoredStoreTest {

  record Moved(String what, int n) implements Event {
  }

  private static final EventTypes TYPES = EventTypes.builder().register(Moved.class, "Moved", 1).build();

  @Test
  void a_store_restored_from_another_cluster_is_refused_then_re_keyed_with_its_order_and_checkpoints() {
    JdbcConfig config = JdbcConfig.builder(TestDatabases.postgresDataSource())
        .tablePrefix("restored_" + UUID.randomUUID().toString().substring(0, 8) + "_").build();
    JdbcSchema.migrate(config);
    List<RecordedEvent> before;
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES))) {
      for (int i = 0; i < 30; i++) {
        String stream = "moved-" + (i % 4);
        store.append(stream, ExpectedVersion.any(), List.of(NewEvent.of(new Moved(stream, i)),
            NewEvent.of(new Moved(stream, i))));
      }
      before = store.readAll(Position.START, 1000);
      JdbcCheckpointStore.create(config).save("halfway", before.get(29).position());
    }
    // as if written by a cluster whose transaction ids were ten million higher, then dumped and restored here
    Jdbc.inTransaction(config, "restore", c -> {
      try (Statement statement = c.createStatement()) {
        statement.executeUpdate("UPDATE " + config.table("events") + " SET transaction_id = transaction_id + 10000000");
        statement.executeUpdate("UPDATE " + config.table("streams")
            + " SET last_transaction_id = last_transaction_id + 10000000");
        statement.executeUpdate("UPDATE " + config.table("checkpoints") + " SET commit_id = commit_id + 10000000");
      }
      return null;
    });

    assertThatThrownBy(() -> JdbcEventStore.create(config, TestDatabases.codec(TYPES)))
        .isInstanceOf(CqrsException.class)
        .hasMessageContaining("restored").hasMessageContaining("JdbcSchema.rekeyRestored");

    long keys = JdbcSchema.rekeyRestored(config);
    assertThat(keys).isBetween(1L, 30L);
    assertThat(JdbcSchema.rekeyRestored(config)).as("a second re-key changes nothing").isEqualTo(keys);

    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES))) {
      List<RecordedEvent> after = store.readAll(Position.START, 1000);
      assertThat(after).extracting(RecordedEvent::eventId)
          .containsExactlyElementsOf(before.stream().map(RecordedEvent::eventId).toList());
      Position checkpoint = JdbcCheckpointStore.create(config).load("halfway").orElseThrow();
      assertThat(checkpoint).isEqualTo(after.get(29).position());
      List<RecordedEvent> rest = store.readAll(checkpoint, 1000);
      assertThat(rest).extracting(RecordedEvent::eventId)
          .containsExactlyElementsOf(before.subList(30, 60).stream().map(RecordedEvent::eventId).toList());

      RecordedEvent added = store.append("moved-0", ExpectedVersion.any(), List.of(NewEvent.of(new Moved("x", 99))))
          .events().get(0);
      List<RecordedEvent> all = new ArrayList<>(store.readAll(Position.START, 1000));
      assertThat(all.get(all.size() - 1)).as("a new event comes after every restored one").isEqualTo(added);
      assertThat(store.readStream("moved-0")).extracting(RecordedEvent::version).isSorted();
    }
  }
}
