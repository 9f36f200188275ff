package dev.cqrs.jdbc;

import dev.cqrs.core.Snapshot;
import dev.cqrs.core.SnapshotStore;
import dev.cqrs.core.spi.EventStoreArguments;
import dev.cqrs.core.serialization.StateSerializer;
import dev.cqrs.jdbc.internal.Jdbc;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SnapshotStore} in the {@code snapshots} table, states serialized as JSON by a {@link StateSerializer} (for
 * example {@code JacksonSerializer}). A snapshot that can no longer be read is ignored and logged: the events remain
 * the truth, and loading folds them from the start. Thread-safe.
 */
public final class JdbcSnapshotStore implements SnapshotStore {

  private static final Logger LOG = LoggerFactory.getLogger(JdbcSnapshotStore.class);

  private final JdbcConfig config;
  private final StateSerializer serializer;
  private final String table;
  private final String upsert;

  private JdbcSnapshotStore(JdbcConfig config, StateSerializer serializer) {
    this.config = Objects.requireNonNull(config, "config must not be null");
    this.serializer = Objects.requireNonNull(serializer, "serializer must not be null");
    this.table = config.table("snapshots");
    this.upsert = config.database() == Database.POSTGRESQL
        ? "INSERT INTO " + table + " AS s (stream_id, version, state_revision, state, taken_at)"
          + " VALUES (?, ?, ?, ?::jsonb, now()) ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version,"
          + " state_revision = EXCLUDED.state_revision, state = EXCLUDED.state, taken_at = now()"
          + " WHERE s.version <= EXCLUDED.version"
        : "MERGE INTO " + table + " s USING (VALUES (CAST(? AS VARCHAR(255)), CAST(? AS BIGINT), CAST(? AS INTEGER),"
          + " CAST(? AS CHARACTER LARGE OBJECT))) n(stream_id, version, state_revision, state)"
          + " ON s.stream_id = n.stream_id WHEN MATCHED AND s.version <= n.version THEN UPDATE SET"
          + " version = n.version, state_revision = n.state_revision, state = n.state, taken_at = CURRENT_TIMESTAMP"
          + " WHEN NOT MATCHED THEN INSERT (stream_id, version, state_revision, state)"
          + " VALUES (n.stream_id, n.version, n.state_revision, n.state)";
  }

  /**
   * Creates a store on existing tables (see {@link JdbcSchema#migrate(JdbcConfig)}).
   *
   * @param config where the tables are
   * @param serializer how states become JSON
   * @return the store
   */
  public static JdbcSnapshotStore create(JdbcConfig config, StateSerializer serializer) {
    return new JdbcSnapshotStore(config, serializer);
  }

  @Override
  public <S> Optional<Snapshot<S>> load(String streamId, Class<S> stateType) {
    EventStoreArguments.checkStreamId(streamId);
    Objects.requireNonNull(stateType, "stateType must not be null");
    String stateColumn = config.database() == Database.POSTGRESQL ? "state::text" : "state";
    return Jdbc.withConnection(config, "load of the snapshot of stream '" + streamId + "'", c -> {
      try (PreparedStatement select = c.prepareStatement(
          "SELECT version, state_revision, " + stateColumn + " FROM " + table + " WHERE stream_id = ?")) {
        select.setString(1, streamId);
        try (ResultSet result = select.executeQuery()) {
          if (!result.next()) {
            return Optional.empty();
          }
          long version = result.getLong(1);
          int revision = result.getInt(2);
          try {
            S state = serializer.deserializeState(result.getString(3).getBytes(StandardCharsets.UTF_8), stateType);
            return Optional.of(new Snapshot<>(streamId, version, revision, state));
          } catch (RuntimeException e) {
            LOG.warn("ignoring the unreadable snapshot of stream '{}' at version {} (state revision {})", streamId,
                version, revision, e);
            return Optional.empty();
          }
        }
      }
    });
  }

  @Override
  public void save(Snapshot<?> snapshot) {
    Objects.requireNonNull(snapshot, "snapshot must not be null");
    EventStoreArguments.checkStreamId(snapshot.streamId());
    String state = new String(serializer.serializeState(snapshot.state()), StandardCharsets.UTF_8);
    Jdbc.withConnection(config, "save of the snapshot of stream '" + snapshot.streamId() + "'", c -> {
      try (PreparedStatement statement = c.prepareStatement(upsert)) {
        statement.setString(1, snapshot.streamId());
        statement.setLong(2, snapshot.version());
        statement.setInt(3, snapshot.stateRevision());
        statement.setString(4, state);
        return statement.executeUpdate();
      }
    });
  }

  @Override
  public void delete(String streamId) {
    EventStoreArguments.checkStreamId(streamId);
    Jdbc.withConnection(config, "delete of the snapshot of stream '" + streamId + "'", c -> {
      try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE stream_id = ?")) {
        delete.setString(1, streamId);
        return delete.executeUpdate();
      }
    });
  }
}
