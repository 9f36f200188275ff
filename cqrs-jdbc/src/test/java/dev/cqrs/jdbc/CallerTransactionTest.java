package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cqrs.core.AppendResult;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.jackson.JacksonSerializer;
import dev.cqrs.jdbc.internal.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Appends that run inside a transaction of the caller's: a refused append leaves the transaction usable and reports
 * what it refused, explained on the caller's connection; auto-commit connections are refused; wake-up hints come
 * after the caller commits.
 */
class CallerTransactionTest {

  record Noted(String text) implements Event {
  }

  record Account(String id, long balance) {
  }

  private static final EventTypes TYPES = EventTypes.builder().register(Noted.class, "Noted", 1).build();

  static Stream<Supplier<JdbcConfig>> databases() {
    // a table prefix of its own: the notification channel is named after it, so no other test's appends wake it
    return Stream.of(TestDatabases::h2, () -> TestDatabases.postgres("caller_"));
  }

  /** A table of the application's own, written in the same transactions as the appends. */
  static String createNotesTable(JdbcConfig config) {
    String table = "notes_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Jdbc.withConnection(config, "create", c -> {
      try (Statement statement = c.createStatement()) {
        statement.execute("CREATE TABLE " + table + " (text VARCHAR(100) NOT NULL)");
      }
      return null;
    });
    return table;
  }

  static void note(Connection connection, String table, String text) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table + " (text) VALUES (?)")) {
      insert.setString(1, text);
      insert.executeUpdate();
    }
  }

  static List<String> notes(JdbcConfig config, String table) {
    return Jdbc.withConnection(config, "notes", c -> {
      List<String> texts = new ArrayList<>();
      try (Statement statement = c.createStatement();
           ResultSet rows = statement.executeQuery("SELECT text FROM " + table + " ORDER BY text")) {
        while (rows.next()) {
          texts.add(rows.getString(1));
        }
      }
      return texts;
    });
  }

  private static List<NewEvent> events(String... texts) {
    return Stream.of(texts).map(t -> NewEvent.of(new Noted(t))).toList();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void an_exact_repeat_in_the_callers_transaction_returns_the_earlier_result_and_corrupts_nothing(
      Supplier<JdbcConfig> database) throws Exception {
    JdbcConfig config = database.get();
    String table = createNotesTable(config);
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES))) {
      String stream = "repeat-" + UUID.randomUUID();
      List<NewEvent> first = events("a", "b");
      AppendResult earlier = store.append(stream, ExpectedVersion.noStream(), first);

      AppendResult repeated;
      try (Connection connection = config.dataSource().getConnection()) {
        connection.setAutoCommit(false);
        note(connection, table, "before");
        repeated = store.append(connection, stream, ExpectedVersion.any(), first);
        note(connection, table, "after");
        connection.commit();
      }

      assertThat(repeated.events()).isEqualTo(earlier.events());
      assertThat(notes(config, table)).as("the caller's own writes committed").containsExactly("after", "before");
      AppendResult next = store.append(stream, ExpectedVersion.exactly(2), events("c"));
      assertThat(next.events()).extracting(RecordedEvent::version).containsExactly(3L);
      assertThat(store.readStream(stream)).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void a_conflict_in_the_callers_transaction_leaves_it_usable_and_keeps_nothing_of_the_append(
      Supplier<JdbcConfig> database) throws Exception {
    JdbcConfig config = database.get();
    String table = createNotesTable(config);
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES))) {
      String stream = "conflict-" + UUID.randomUUID();
      store.append(stream, ExpectedVersion.noStream(), events("a"));
      try (Connection connection = config.dataSource().getConnection()) {
        connection.setAutoCommit(false);
        note(connection, table, "kept");
        assertThatThrownBy(() -> store.append(connection, stream, ExpectedVersion.noStream(), events("x", "y")))
            .isInstanceOfSatisfying(ConcurrencyConflictException.class,
                conflict -> assertThat(conflict.actualVersion()).isEqualTo(1));
        store.append(connection, stream, ExpectedVersion.exactly(1), events("b"));
        connection.commit();
      }
      assertThat(notes(config, table)).containsExactly("kept");
      assertThat(store.readStream(stream)).extracting(e -> e.payloadAs(Noted.class).text())
          .containsExactly("a", "b");
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void a_refusal_is_explained_on_the_callers_connection_even_with_a_pool_of_one(Supplier<JdbcConfig> database)
      throws Exception {
    JdbcConfig shared = database.get();
    HikariConfig poolConfig = new HikariConfig();
    poolConfig.setDataSource(shared.dataSource());
    poolConfig.setMaximumPoolSize(1);
    poolConfig.setConnectionTimeout(2_000);
    try (HikariDataSource pool = new HikariDataSource(poolConfig)) {
      JdbcConfig config = JdbcConfig.builder(pool).database(shared.database()).schema(shared.schema())
          .tablePrefix(shared.tablePrefix()).build();
      try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES))) {
        String stream = "pool-of-one-" + UUID.randomUUID();
        List<NewEvent> first = events("a");
        AppendResult earlier = store.append(stream, ExpectedVersion.noStream(), first);
        try (Connection connection = pool.getConnection()) {
          connection.setAutoCommit(false);
          assertThatThrownBy(() -> store.append(connection, stream, ExpectedVersion.exactly(5), events("x")))
              .isInstanceOf(ConcurrencyConflictException.class);
          assertThat(store.append(connection, stream, ExpectedVersion.noStream(), first).events())
              .isEqualTo(earlier.events());
          connection.commit();
        }
        assertThat(store.readStream(stream)).hasSize(1);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void an_auto_commit_connection_is_refused_and_nothing_is_stored(Supplier<JdbcConfig> database) throws Exception {
    JdbcConfig config = database.get();
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES));
         Connection connection = config.dataSource().getConnection()) {
      connection.setAutoCommit(true);
      String stream = "auto-commit-" + UUID.randomUUID();
      assertThatThrownBy(() -> store.append(connection, stream, ExpectedVersion.noStream(), events("a")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("auto-commit")
          .hasMessageContaining(stream);
      assertThat(store.readStream(stream)).isEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void a_state_stored_save_wakes_listeners_only_after_it_committed(Supplier<JdbcConfig> database) {
    JdbcConfig config = database.get();
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES))) {
      JdbcStateStoredRepository<Account> accounts =
          JdbcStateStoredRepository.create(store, JacksonSerializer.create(), Account.class);
      String id = "account-" + UUID.randomUUID();
      List<Boolean> sawTheEvent = new CopyOnWriteArrayList<>();
      Thread saving = Thread.currentThread();
      store.onAppend(() -> {
        if (Thread.currentThread() == saving) { // this instance's own hint, not one from LISTEN/NOTIFY
          sawTheEvent.add(!store.readStream(id).isEmpty());
        }
      });

      accounts.save(id, 0, new Account(id, 10), events("opened"));

      assertThat(sawTheEvent).as("hints, each saying whether the event was readable when it came")
          .isNotEmpty().containsOnly(true);
    }
  }
}
