package dev.cqrs.jdbc;

import static dev.cqrs.jdbc.CallerTransactionTest.createNotesTable;
import static dev.cqrs.jdbc.CallerTransactionTest.note;
import static dev.cqrs.jdbc.CallerTransactionTest.notes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.AppendResult;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.jackson.JacksonSerializer;
import dev.cqrs.jdbc.spi.JdbcTransactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Appends, state saves and inline projections join the application's transaction through {@link JdbcTransactions}:
 * with {@link PlainTransactions}, and with Spring's {@link DataSourceTransactionManager}, the transaction manager
 * most applications have.
 */
class JoinedTransactionTest {

  record Noted(String text) implements Event {
  }

  record Account(String id, long balance) {
  }

  private static final EventTypes TYPES = EventTypes.builder().register(Noted.class, "Noted", 1).build();

  static Stream<Supplier<JdbcConfig>> databases() {
    return Stream.of(TestDatabases::h2, () -> TestDatabases.postgres("joined_"));
  }

  /** The bridge to Spring's transactions, as the Javadoc of {@link JdbcTransactions} shows it. */
  static JdbcTransactions spring(DataSource dataSource) {
    return new JdbcTransactions() {
      @Override
      public Optional<Connection> currentTransaction() {
        return TransactionSynchronizationManager.isActualTransactionActive()
            ? Optional.of(DataSourceUtils.getConnection(dataSource)) : Optional.empty();
      }

      @Override
      public void release(Connection connection) {
        DataSourceUtils.releaseConnection(connection, dataSource);
      }

      @Override
      public void afterCommit(Runnable action) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
          @Override
          public void afterCommit() {
            action.run();
          }
        });
      }
    };
  }

  private static JdbcConfig with(JdbcConfig config, JdbcTransactions transactions) {
    return JdbcConfig.builder(config.dataSource()).database(config.database()).schema(config.schema())
        .tablePrefix(config.tablePrefix()).transactions(transactions).build();
  }

  /** An inline projection that writes each event's text to a notes table through the append's connection. */
  private static JdbcProjection notesProjection(String table) {
    return new JdbcProjection() {
      @Override
      public boolean handles(Class<? extends Event> eventType) {
        return eventType == Noted.class;
      }

      @Override
      public void apply(RecordedEvent event, Connection connection) throws SQLException {
        String text = event.payloadAs(Noted.class).text();
        if (text.equals("poison")) {
          throw new SQLException("the projection refuses 'poison'");
        }
        note(connection, table, "projected " + text);
      }
    };
  }

  @ParameterizedTest
  @MethodSource("databases")
  void writes_join_a_spring_managed_transaction_and_roll_back_with_it(Supplier<JdbcConfig> database) {
    JdbcConfig base = database.get();
    JdbcConfig config = with(base, spring(base.dataSource()));
    String table = createNotesTable(config);
    TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(base.dataSource()));
    JdbcTemplate jdbc = new JdbcTemplate(base.dataSource());
    try (JdbcEventStore store = JdbcEventStore.builder(config, TestDatabases.codec(TYPES))
        .inlineProjection(notesProjection(table)).build()) {
      JdbcStateStoredRepository<Account> accounts =
          JdbcStateStoredRepository.create(store, JacksonSerializer.create(), Account.class);
      String stream = "spring-" + UUID.randomUUID();
      List<String> hints = new CopyOnWriteArrayList<>();
      AtomicBoolean watching = new AtomicBoolean(true);
      Thread test = Thread.currentThread();
      store.onAppend(() -> {
        if (watching.get() && Thread.currentThread() == test) { // this instance's hints, not LISTEN/NOTIFY's
          hints.add(store.readStream(stream).size() + " events readable");
        }
      });

      transaction.executeWithoutResult(status -> {
        jdbc.update("INSERT INTO " + table + " (text) VALUES ('rolled back')");
        store.append(stream, ExpectedVersion.noStream(), List.of(NewEvent.of(new Noted("x"))));
        accounts.save(stream + "-account", 0, new Account("a", 1), List.of(NewEvent.of(new Noted("y"))));
        status.setRollbackOnly();
      });
      assertThat(notes(config, table)).isEmpty();
      assertThat(store.readStream(stream)).isEmpty();
      assertThat(accounts.load(stream + "-account")).isEmpty();
      assertThat(hints).as("no hint for a transaction that rolled back").isEmpty();

      AppendResult appended = transaction.execute(status -> {
        jdbc.update("INSERT INTO " + table + " (text) VALUES ('committed')");
        AppendResult result = store.append(stream, ExpectedVersion.noStream(), List.of(NewEvent.of(new Noted("a"))));
        // a conflict inside the transaction leaves it usable
        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(),
            List.of(NewEvent.of(new Noted("refused")))))
            .isInstanceOf(ConcurrencyConflictException.class);
        // an inline projection that fails undoes its append only
        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.exactly(1),
            List.of(NewEvent.of(new Noted("poison"))))).hasMessageContaining("refuses 'poison'");
        accounts.save(stream + "-account", 0, new Account("a", 1), List.of(NewEvent.of(new Noted("b"))));
        assertThat(hints).as("no hint before the commit").isEmpty();
        return result;
      });
      watching.set(false);

      assertThat(appended.events()).extracting(RecordedEvent::version).containsExactly(1L);
      assertThat(notes(config, table)).containsExactly("committed", "projected a", "projected b");
      assertThat(store.readStream(stream)).extracting(e -> e.payloadAs(Noted.class).text()).containsExactly("a");
      assertThat(accounts.load(stream + "-account")).isPresent();
      assertThat(hints).as("hints after the commit, each with the events readable").isNotEmpty()
          .allSatisfy(hint -> assertThat(hint).isEqualTo("1 events readable"));
      assertThat(TransactionSynchronizationManager.isSynchronizationActive()).isFalse();
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void plain_transactions_bind_to_the_thread_and_wake_readers_after_the_commit(Supplier<JdbcConfig> database)
      throws Exception {
    JdbcConfig base = database.get();
    PlainTransactions transactions = PlainTransactions.create(base.dataSource());
    JdbcConfig config = with(base, transactions);
    String table = createNotesTable(config);
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES))) {
      String stream = "plain-" + UUID.randomUUID();
      List<Integer> readableAtHint = new CopyOnWriteArrayList<>();
      AtomicBoolean watching = new AtomicBoolean(true);
      Thread test = Thread.currentThread();
      store.onAppend(() -> {
        if (watching.get() && Thread.currentThread() == test) { // this instance's hints, not LISTEN/NOTIFY's
          readableAtHint.add(store.readStream(stream).size());
        }
      });

      assertThatThrownBy(() -> transactions.inTransaction(connection -> {
        note(connection, table, "rolled back");
        store.append(stream, ExpectedVersion.noStream(), List.of(NewEvent.of(new Noted("x"))));
        throw new SQLException("the application's own failure");
      })).isInstanceOf(SQLException.class).hasMessage("the application's own failure");
      assertThat(store.readStream(stream)).isEmpty();
      assertThat(notes(config, table)).isEmpty();

      transactions.inTransaction(connection -> {
        note(connection, table, "committed");
        store.append(stream, ExpectedVersion.noStream(), List.of(NewEvent.of(new Noted("a"))));
        // the explicit form on the same connection is the same transaction, and hints after its commit too
        store.append(connection, stream, ExpectedVersion.exactly(1), List.of(NewEvent.of(new Noted("b"))));
        transactions.inTransaction(nested -> {
          assertThat(nested).isSameAs(connection);
          return store.append(stream, ExpectedVersion.exactly(2), List.of(NewEvent.of(new Noted("c"))));
        });
        assertThat(readableAtHint).isEmpty();
        return null;
      });
      watching.set(false);

      assertThat(notes(config, table)).containsExactly("committed");
      assertThat(store.readStream(stream)).hasSize(3);
      assertThat(readableAtHint).isNotEmpty().containsOnly(3);
      // the connection went back to the pool as it came: in auto-commit mode
      try (Connection connection = base.dataSource().getConnection()) {
        assertThat(connection.getAutoCommit()).isTrue();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void a_joined_write_refuses_a_connection_in_auto_commit_mode(Supplier<JdbcConfig> database) throws Exception {
    JdbcConfig base = database.get();
    // a bridge that wrongly reports a connection outside any transaction as the current one
    try (Connection autoCommit = base.dataSource().getConnection()) {
      autoCommit.setAutoCommit(true);
      JdbcTransactions broken = new JdbcTransactions() {
        @Override
        public Optional<Connection> currentTransaction() {
          return Optional.of(autoCommit);
        }

        @Override
        public void afterCommit(Runnable action) {
          throw new AssertionError("nothing may be registered for a refused write");
        }
      };
      try (JdbcEventStore store = JdbcEventStore.create(with(base, broken), TestDatabases.codec(TYPES))) {
        String stream = "broken-" + UUID.randomUUID();
        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(),
            List.of(NewEvent.of(new Noted("a"))))).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("auto-commit").hasMessageContaining(stream);
        assertThat(autoCommit.getAutoCommit()).as("the library never flips a connection it did not open").isTrue();
        try (PreparedStatement count = autoCommit.prepareStatement("SELECT count(*) FROM " + base.table("events")
            + " WHERE stream_id = ?")) {
          count.setString(1, stream);
          try (var rows = count.executeQuery()) {
            rows.next();
            assertThat(rows.getInt(1)).isZero();
          }
        }
      }
    }
  }
}
