package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.test.contract.ContractEvents;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * On H2, positions come from a counter row. If that counter ever falls behind the stored events (seen once in a CI
 * run of the orders example under load, cause not yet found), every later append collided with a stored position
 * and failed as a conflict, for ever. Appends now take the next position after both the counter and the last stored
 * event, so the store recovers at once and the global order stays gap-free and increasing.
 */
class H2CounterTest {

  @Test
  void a_counter_behind_the_stored_events_does_not_block_appends() throws Exception {
    JdbcConfig config = TestDatabases.h2();
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(ContractEvents.TYPES))) {
      for (int i = 1; i <= 5; i++) {
        store.append("s", ExpectedVersion.exactly(i - 1), new ContractEvents.Happened("a", i));
      }
      try (Connection connection = config.dataSource().getConnection();
           Statement statement = connection.createStatement()) {
        statement.executeUpdate("UPDATE " + config.table("event_counter") + " SET last_position = 2");
      }
      store.append("s", ExpectedVersion.exactly(5), new ContractEvents.Happened("a", 6));
      store.append("t", ExpectedVersion.noStream(), new ContractEvents.Happened("b", 1));
      List<RecordedEvent> all = store.readAll(Position.START, 100);
      assertThat(all).extracting(e -> e.position().sequence()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
      assertThat(all.get(6).streamId()).isEqualTo("t");
    }
  }
}
