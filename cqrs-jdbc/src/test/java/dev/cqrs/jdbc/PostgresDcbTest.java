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
