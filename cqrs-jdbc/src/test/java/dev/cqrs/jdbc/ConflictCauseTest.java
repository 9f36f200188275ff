package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.test.contract.ContractEvents;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * An append that passes the version check but is refused by a unique constraint (here: a row written around the
 * store, so the streams table and the events disagree) is a conflict whose cause names the constraint, instead of a
 * conflict whose expected and actual versions agree without a word on why.
 */
class ConflictCauseTest {

  @Test
  void a_refusal_by_a_unique_constraint_keeps_the_databases_message_as_the_cause() throws SQLException {
    JdbcConfig config = TestDatabases.h2();
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(ContractEvents.TYPES))) {
      store.append("s", ExpectedVersion.noStream(), new ContractEvents.Happened("a", 1));
      store.append("s", ExpectedVersion.exactly(1), new ContractEvents.Happened("a", 2));
      try (Connection connection = config.dataSource().getConnection();
           Statement statement = connection.createStatement()) {
        // the streams table goes back to version 1 while the event at version 2 stays
        statement.executeUpdate("UPDATE " + config.table("streams") + " SET version = 1 WHERE stream_id = 's'");
      }
      assertThatThrownBy(() -> store.append("s", ExpectedVersion.exactly(1), new ContractEvents.Happened("a", 3)))
          .isInstanceOf(ConcurrencyConflictException.class)
          .hasMessageContaining("expected version exactly(1), but the stream's version was 1")
          .cause().isInstanceOf(SQLException.class).hasMessageContaining("STREAM_VERSION");
      assertThat(store.readStream("s")).as("nothing was written").hasSize(2);
    }
  }
}
