package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Position;
import dev.cqrs.core.ProcessorNotReadyException;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.TrackingProcessor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Queries on a real PostgreSQL streaming replica: a client that passes the position its write returned gets an answer
 * that includes the write, or a clear exception when the replica lags or is down, never an answer without it.
 */
class ReplicaReadsTest {

  record Counted(String key) implements Event {
  }

  private static final EventTypes TYPES = EventTypes.builder().register(Counted.class, "Counted", 1).build();
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static JdbcProjection counts() {
    return new JdbcProjection() {
      @Override
      public boolean handles(Class<? extends Event> eventType) {
        return eventType == Counted.class;
      }

      @Override
      public void apply(RecordedEvent event, Connection connection) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO counts (key, total) VALUES (?, 1)"
            + " ON CONFLICT (key) DO UPDATE SET total = counts.total + 1")) {
          upsert.setString(1, event.payloadAs(Counted.class).key());
          upsert.executeUpdate();
        }
      }
    };
  }

  /** The query: the count of a key, read on the replica. */
  private static long total(DataSource replica, String key) throws SQLException {
    try (Connection connection = replica.getConnection();
         PreparedStatement select = connection.prepareStatement("SELECT total FROM counts WHERE key = ?")) {
      select.setString(1, key);
      try (ResultSet result = select.executeQuery()) {
        return result.next() ? result.getLong(1) : 0;
      }
    }
  }

  private static Position count(JdbcEventStore store, String key, long version) {
    return store.append("counter-" + key, ExpectedVersion.exactly(version), new Counted(key)).lastPosition();
  }

  @Test
  void a_query_on_the_replica_includes_the_callers_write_or_fails_clearly_while_it_lags_or_restarts()
      throws Exception {
    try (StreamingReplica cluster = new StreamingReplica()) {
      JdbcConfig primary = JdbcConfig.builder(cluster.primary()).build();
      JdbcSchema.migrate(primary);
      try (Connection connection = cluster.primary().getConnection();
           Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE counts (key text PRIMARY KEY, total bigint NOT NULL)");
      }
      DataSource replicaSource = cluster.replica();
      JdbcConfig replicaConfig = JdbcConfig.builder(replicaSource).build();
      JdbcReplica replica = JdbcReplica.of(replicaConfig);
      try (JdbcEventStore store = JdbcEventStore.create(primary, TestDatabases.codec(TYPES))) {
        TrackingProcessor processor = JdbcProcessors.transactional(primary, "counts", store, counts())
            .segments(2).pollInterval(Duration.ofMillis(20)).build();
        processor.start();
        try {
          for (int i = 1; i <= 100; i++) {
            Position written = count(store, "a", i - 1);
            replica.awaitProcessed("counts", written, WAIT);
            assertThat(total(replicaSource, "a")).as("answer %d on the replica", i).isEqualTo(i);
          }

          // the store's reads on the replica
          try (JdbcEventStore onReplica = JdbcEventStore.create(replicaConfig, TestDatabases.codec(TYPES))) {
            for (int i = 1; i <= 20; i++) {
              Position written = count(store, "b", i - 1);
              replica.awaitReplayed(written, WAIT);
              assertThat(onReplica.readStream("counter-b")).as("events of b read on the replica").hasSize(i)
                  .last().satisfies(event -> assertThat(event.position()).isEqualTo(written));
            }
          }

          // a replica that lags: a clear timeout, never the old answer
          cluster.pauseReplay();
          Position lagging = count(store, "a", 100);
          processor.awaitProcessed(lagging, WAIT); // the primary's read model has it
          assertThatThrownBy(() -> replica.awaitProcessed("counts", lagging, Duration.ofMillis(300)))
              .isInstanceOf(ProcessorNotReadyException.class)
              .hasMessageContaining("processor 'counts' on the replica has not reached " + lagging)
              .hasMessageContaining("has replayed processor 'counts' only up to");
          assertThat(total(replicaSource, "a")).as("what the replica would have answered").isEqualTo(100);
          cluster.resumeReplay();
          replica.awaitProcessed("counts", lagging, WAIT);
          assertThat(total(replicaSource, "a")).isEqualTo(101);

          // a replica that restarts: a clear error while it is down, the write once it is back
          cluster.stopReplica();
          Position duringRestart = count(store, "a", 101);
          assertThatThrownBy(() -> replica.awaitProcessed("counts", duringRestart, Duration.ofMillis(300)))
              .isInstanceOf(ProcessorNotReadyException.class).hasMessageContaining("the replica could not be read");
          cluster.startReplica();
          replica.awaitProcessed("counts", duringRestart, WAIT);
          assertThat(total(replicaSource, "a")).isEqualTo(102);
        } finally {
          processor.stop();
        }
      }
    }
  }
}
