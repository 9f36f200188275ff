package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.jdbc.internal.SchemaMigrations;
import dev.cqrs.test.contract.ContractEvents;
import dev.cqrs.test.contract.ContractEvents.Happened;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The events table on PostgreSQL has no key on position from schema version 2 on: a version 1 table that holds events
 * loses only that key, and (stream_id, version) is its replica identity, so a table published for logical replication
 * still takes the update that re-keys the events of a caller's transaction that wrote before it appended.
 */
class PostgresEventsTableTest {

  private static JdbcConfig freshSchema() {
    String schema = "k" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    return JdbcConfig.builder(TestDatabases.postgresDataSource()).schema(schema).build();
  }

  private static JdbcEventStore store(JdbcConfig config) {
    return JdbcEventStore.builder(config, TestDatabases.codec(ContractEvents.TYPES)).build();
  }

  private static String query(JdbcConfig config, String sql) throws Exception {
    try (Connection connection = config.dataSource().getConnection();
         Statement statement = connection.createStatement();
         ResultSet row = statement.executeQuery(sql)) {
      return row.next() ? row.getString(1) : null;
    }
  }

  /** The primary key constraint of the events table, or null. */
  private static String primaryKey(JdbcConfig config) throws Exception {
    return query(config, "SELECT conname FROM pg_constraint WHERE contype = 'p' AND conrelid = '"
        + config.table("events") + "'::regclass");
  }

  /** The index the events table's replica identity uses, or null. */
  private static String replicaIdentity(JdbcConfig config) throws Exception {
    return query(config, "SELECT i.indexrelid::regclass::text FROM pg_index i WHERE i.indisreplident AND"
        + " i.indrelid = '" + config.table("events") + "'::regclass");
  }

  @Test
  void version_two_takes_a_version_one_table_holding_events_off_its_key_on_position_and_keeps_every_event()
      throws Exception {
    JdbcConfig config = freshSchema();
    new SchemaMigrations(List.of("cqrs-migrations/%s/V1__cqrs.sql")).migrate(config);
    assertThat(primaryKey(config)).isEqualTo("cqrs_events_pkey");
    // three events as release 0.1.0 stored them, each in a transaction of its own
    try (Connection connection = config.dataSource().getConnection();
         Statement statement = connection.createStatement()) {
      for (int version = 1; version <= 3; version++) {
        statement.execute("INSERT INTO " + config.table("events") + " (transaction_id, stream_id, version, event_id,"
            + " type_name, type_revision, payload, message_id, correlation_id, causation_id, created_at, headers)"
            + " VALUES (pg_current_xact_id()::text::bigint, 'old', " + version + ", gen_random_uuid(), 'Happened', 1,"
            + " '{\"source\":\"0.1.0\",\"number\":" + version + "}', gen_random_uuid(), gen_random_uuid(),"
            + " gen_random_uuid(), now(), '{}')");
      }
    }

    assertThat(JdbcSchema.migrate(config)).as("version before").isEqualTo(1);

    assertThat(primaryKey(config)).as("no key on position").isNull();
    assertThat(replicaIdentity(config)).isEqualTo(config.schema() + ".cqrs_events_stream_version");
    try (JdbcEventStore store = store(config)) {
      List<RecordedEvent> old = store.readStream("old");
      assertThat(old).extracting(event -> event.payloadAs(Happened.class).number()).containsExactly(1L, 2L, 3L);
      RecordedEvent next = store.append("old", ExpectedVersion.exactly(3), new Happened("0.2", 4)).events().get(0);
      assertThat(next.version()).isEqualTo(4);
      assertThat(next.position().isAfter(old.get(2).position())).isTrue();
      assertThat(store.readAll(Position.START, 100)).extracting(RecordedEvent::eventId)
          .containsExactly(old.get(0).eventId(), old.get(1).eventId(), old.get(2).eventId(), next.eventId());
    }
  }

  @Test
  void a_published_events_table_takes_the_re_key_of_a_transaction_that_wrote_before_it_appended() throws Exception {
    JdbcConfig plain = freshSchema();
    JdbcSchema.migrate(plain);
    String publication = "cqrs_" + plain.schema();
    try (Connection connection = plain.dataSource().getConnection();
         Statement statement = connection.createStatement()) {
      // publishes updates too; without a replica identity PostgreSQL refuses every update of the table
      statement.execute("CREATE PUBLICATION " + publication + " FOR TABLE " + plain.table("events"));
      statement.execute("CREATE TABLE " + plain.schema() + ".audit (note text NOT NULL)");
    }
    try {
      PlainTransactions transactions = PlainTransactions.create(plain.dataSource());
      JdbcConfig config = JdbcConfig.builder(plain.dataSource()).schema(plain.schema()).transactions(transactions)
          .build();
      try (JdbcEventStore store = store(config)) {
        List<RecordedEvent> appended = transactions.inTransaction(connection -> {
          try (Statement statement = connection.createStatement()) {
            // a write first: the transaction has its id before it registers as an appender, so its events are
            // re-keyed by an update
            statement.execute("INSERT INTO " + plain.schema() + ".audit VALUES ('before the append')");
          }
          return store.append("audited", ExpectedVersion.noStream(),
              List.of(NewEvent.of(new Happened("audit", 1)), NewEvent.of(new Happened("audit", 2)))).events();
        });
        assertThat(store.readAll(Position.START, 100)).as("read back once, in order, where the append said")
            .extracting(RecordedEvent::position)
            .containsExactly(appended.get(0).position(), appended.get(1).position());
      }
    } finally {
      try (Connection connection = plain.dataSource().getConnection();
           Statement statement = connection.createStatement()) {
        statement.execute("DROP PUBLICATION " + publication);
      }
    }
  }
}
