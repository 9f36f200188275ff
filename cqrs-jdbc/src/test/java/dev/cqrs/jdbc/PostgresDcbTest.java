package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.AppendCondition;
import dev.cqrs.core.AppendConditionFailedException;
import dev.cqrs.core.AppendResult;
import dev.cqrs.core.EventQuery;
import dev.cqrs.core.EventQueryResult;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.test.contract.ContractEvents;
import dev.cqrs.test.contract.DcbContract;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The DCB contract on PostgreSQL, and the attack it adds there: a plain append of a matching event that commits late
 * makes a concurrent conditional append wait for it, and then refuse.
 */
class PostgresDcbTest extends DcbContract {

  @Override
  protected EventStore newStore(EventTypes types) {
    return JdbcEventStore.create(TestDatabases.postgres("dcb_"), TestDatabases.codec(types));
  }

  @Override
  protected EventStore sameEventsWithTypes(EventStore store, EventTypes types) {
    return JdbcEventStore.create(((JdbcEventStore) store).config(), TestDatabases.codec(types));
  }

  @Test
  void a_conditional_append_waits_for_a_matching_append_that_commits_late_and_refuses() throws Exception {
    String name = "username:" + UUID.randomUUID();
    waitsForALateMatchingAppend(name,
        EventQuery.of(EventQuery.Item.types(ContractEvents.UsernameClaimed.class).withTags(name)));
  }

  @Test
  void a_condition_on_a_type_alone_waits_for_every_append_in_flight() throws Exception {
    waitsForALateMatchingAppend("username:" + UUID.randomUUID(),
        EventQuery.of(EventQuery.Item.types(ContractEvents.UsernameClaimed.class)));
  }

  @Test
  void a_read_by_query_stops_below_an_open_append_so_that_its_late_commit_refuses_the_decision() throws Exception {
    String name = "username:" + UUID.randomUUID();
    EventQuery query = EventQuery.of(EventQuery.Item.types(ContractEvents.UsernameClaimed.class).withTags(name));
    JdbcConfig config = TestDatabases.postgres("dcb_");
    try (Connection connection = config.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      AppendResult early = ((JdbcEventStore) store).append(connection, "early-" + UUID.randomUUID(),
          ExpectedVersion.noStream(), List.of(NewEvent.of(new ContractEvents.UsernameClaimed(name, "early"))
              .withTags(name)));
      // a later transaction appends a matching event and commits first: its order key lies above the open one's
      AppendResult later = store.append("later-" + UUID.randomUUID(), ExpectedVersion.noStream(),
          List.of(NewEvent.of(new ContractEvents.UsernameClaimed(name, "later")).withTags(name)));
      EventQueryResult read = store.read(query, startHead);
      assertThat(read.events()).as("nothing above the open append is read").isEmpty();
      assertThat(read.readTo()).isLessThan(later.lastPosition());
      connection.commit();
      assertThat(early.lastPosition()).isLessThan(later.lastPosition());
      // the early event committed below where the later one is: a decision on the read above must still be refused
      assertThatThrownBy(() -> store.append("claim-" + UUID.randomUUID(), ExpectedVersion.noStream(),
          List.of(NewEvent.of(new ContractEvents.UsernameClaimed(name, "eager")).withTags(name)),
          AppendCondition.unchangedSince(query, read)))
          .isInstanceOf(AppendConditionFailedException.class)
          .satisfies(e -> assertThat(((AppendConditionFailedException) e).conflicting())
              .isEqualTo(early.lastPosition()));
      assertThat(store.read(query, startHead).events()).extracting(e -> e.metadata().messageId())
          .containsExactly(early.events().get(0).metadata().messageId(), later.events().get(0).metadata().messageId());
    }
  }

  @Test
  void a_conditional_append_needs_read_committed_and_says_so_storing_nothing() throws Exception {
    String name = "username:" + UUID.randomUUID();
    EventQuery query = EventQuery.of(EventQuery.Item.tags(name));
    EventQueryResult read = store.read(query, startHead);
    String stream = "claim-" + UUID.randomUUID();
    List<NewEvent> claim = List.of(NewEvent.of(new ContractEvents.UsernameClaimed(name, "u")).withTags(name));
    String[] login = TestDatabases.postgresConnection();
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(login[0]);
    pool.setUsername(login[1]);
    pool.setPassword(login[2]);
    pool.setMaximumPoolSize(2);
    pool.setTransactionIsolation("TRANSACTION_REPEATABLE_READ"); // the default of every connection
    try (HikariDataSource repeatable = new HikariDataSource(pool)) {
      JdbcConfig base = TestDatabases.postgres("dcb_");
      PlainTransactions transactions = PlainTransactions.create(repeatable);
      JdbcConfig config = JdbcConfig.builder(repeatable).tablePrefix(base.tablePrefix()).transactions(transactions)
          .build();
      try (JdbcEventStore onRepeatableRead = JdbcEventStore.create(config, TestDatabases.codec(ContractEvents.TYPES))) {
        // in a transaction of the store's own
        assertThatThrownBy(() -> onRepeatableRead.append(stream, ExpectedVersion.noStream(), claim,
            AppendCondition.unchangedSince(query, read)))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("needs a READ COMMITTED transaction, but this one is repeatable read");
        // in the application's transaction
        assertThatThrownBy(() -> transactions.inTransaction(connection -> onRepeatableRead.append(stream,
            ExpectedVersion.noStream(), claim, AppendCondition.unchangedSince(query, read))))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("needs a READ COMMITTED transaction, but this one is repeatable read");
      }
    }
    assertThat(store.readStream(stream)).isEmpty();
    assertThat(store.read(query, startHead).events()).isEmpty();
  }

  private void waitsForALateMatchingAppend(String name, EventQuery query) throws Exception {
    JdbcConfig config = TestDatabases.postgres("dcb_");
    AppendResult late;
    CompletableFuture<AppendResult> conditional;
    long waited;
    try (Connection connection = config.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      late = ((JdbcEventStore) store).append(connection, "late-" + UUID.randomUUID(),
          ExpectedVersion.noStream(), List.of(NewEvent.of(new ContractEvents.UsernameClaimed(name, "late"))
              .withTags(name)));
      EventQueryResult read = store.read(query, store.head());
      assertThat(read.events()).as("the late append has not committed").isEmpty();
      long started = System.nanoTime();
      conditional = CompletableFuture.supplyAsync(() -> store.append("claim-" + UUID.randomUUID(),
          ExpectedVersion.noStream(), List.of(NewEvent.of(new ContractEvents.UsernameClaimed(name, "eager"))
              .withTags(name)), AppendCondition.unchangedSince(query, read)));
      Thread.sleep(500);
      assertThat(conditional).as("the conditional append waits for the open one").isNotDone();
      connection.commit();
      assertThatThrownBy(() -> conditional.get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(AppendConditionFailedException.class)
          .satisfies(e -> assertThat(((AppendConditionFailedException) e.getCause()).conflicting())
              .isEqualTo(late.lastPosition()));
      waited = System.nanoTime() - started;
    }
    assertThat(waited).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(400));
    assertThat(store.read(EventQuery.of(EventQuery.Item.tags(name)), startHead).events()).singleElement()
        .satisfies(e -> assertThat(e.eventId()).isEqualTo(late.events().get(0).eventId()));
  }
}
