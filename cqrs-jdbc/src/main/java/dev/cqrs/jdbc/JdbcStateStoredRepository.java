package dev.cqrs.jdbc;

import dev.cqrs.core.AppendResult;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.StateStoredRepository;
import dev.cqrs.core.StoredState;
import dev.cqrs.core.spi.EventStoreArguments;
import dev.cqrs.core.serialization.StateSerializer;
import dev.cqrs.jdbc.internal.Jdbc;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link StateStoredRepository} in the {@code states} table: each save writes the new state (checking its version)
 * and appends the raised events through a {@link JdbcEventStore} in one database transaction, so read models follow
 * state-stored entities too and nothing is half-written. A save whose events repeat stored ones (the same event ids: a
 * command message sent again) changes nothing and returns the earlier result. The save joins the application's transaction when
 * {@link JdbcConfig#transactions()} reports one, and wakes readers only after the commit. States are stored as JSON by a {@link StateSerializer}.
 * Thread-safe.
 *
 * @param <S> the state type
 */
public final class JdbcStateStoredRepository<S> implements StateStoredRepository<S> {

  private final JdbcConfig config;
  private final JdbcEventStore events;
  private final StateSerializer serializer;
  private final Class<S> stateType;
  private final String table;

  private JdbcStateStoredRepository(JdbcEventStore events, StateSerializer serializer, Class<S> stateType) {
    this.events = Objects.requireNonNull(events, "events must not be null");
    this.config = events.config();
    this.serializer = Objects.requireNonNull(serializer, "serializer must not be null");
    this.stateType = Objects.requireNonNull(stateType, "stateType must not be null");
    this.table = config.table("states");
  }

  /**
   * Creates a repository whose raised events go to {@code events}, in the same database.
   *
   * @param events the event store
   * @param serializer how states become JSON
   * @param stateType the state's class
   * @param <S> the state type
   * @return the repository
   */
  public static <S> JdbcStateStoredRepository<S> create(JdbcEventStore events, StateSerializer serializer,
                                                        Class<S> stateType) {
    return new JdbcStateStoredRepository<>(events, serializer, stateType);
  }

  @Override
  public Optional<StoredState<S>> load(String id) {
    EventStoreArguments.checkStreamId(id);
    String column = config.database() == Database.POSTGRESQL ? "state::text" : "state";
    return Jdbc.withConnection(config, "load of state '" + id + "'", c -> {
      try (PreparedStatement select = c.prepareStatement(
          "SELECT version, " + column + " FROM " + table + " WHERE id = ?")) {
        select.setString(1, id);
        try (ResultSet row = select.executeQuery()) {
          if (!row.next()) {
            return Optional.empty();
          }
          S state = serializer.deserializeState(row.getString(2).getBytes(StandardCharsets.UTF_8), stateType);
          return Optional.of(new StoredState<>(id, row.getLong(1), state));
        }
      }
    });
  }

  @Override
  public Optional<AppendResult> save(String id, long expectedVersion, S state, List<NewEvent> raised) {
    EventStoreArguments.checkStreamId(id);
    Objects.requireNonNull(state, "state must not be null");
    Objects.requireNonNull(raised, "events must not be null");
    String json = new String(serializer.serializeState(state), StandardCharsets.UTF_8);
    List<NewEvent> checked = raised.isEmpty() ? List.of() : EventStoreArguments.checkAppend(id,
        ExpectedVersion.any(), raised);
    return events.write("save of state '" + id + "'", c -> {
      AppendResult appended = checked.isEmpty() ? null
          : events.appendWithin(c, id, ExpectedVersion.any(), checked);
      if (appended != null && appended.repeated()) {
        return Optional.of(appended); // the same command saved this change before: keep the state it saved
      }
      if (writeState(c, id, expectedVersion, json) == 0) {
        throw new ConcurrencyConflictException(id, ExpectedVersion.exactly(expectedVersion), version(c, id));
      }
      return Optional.ofNullable(appended);
    });
  }

  private int writeState(Connection connection, String id, long expectedVersion, String json) throws SQLException {
    String cast = config.database() == Database.POSTGRESQL ? "?::jsonb" : "?";
    String sql = expectedVersion == 0
        ? "INSERT INTO " + table + " (id, version, state) SELECT ?, 1, " + cast + " WHERE NOT EXISTS"
          + " (SELECT 1 FROM " + table + " WHERE id = ?)"
          + (config.database() == Database.POSTGRESQL ? " ON CONFLICT (id) DO NOTHING" : "")
        : "UPDATE " + table + " SET version = version + 1, state = " + cast + " WHERE id = ? AND version = ?";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      if (expectedVersion == 0) {
        statement.setString(1, id);
        statement.setString(2, json);
        statement.setString(3, id);
      } else {
        statement.setString(1, json);
        statement.setString(2, id);
        statement.setLong(3, expectedVersion);
      }
      return statement.executeUpdate();
    } catch (SQLException e) {
      if (Jdbc.isUniqueViolation(e)) {
        return 0; // another writer created the entity at the same moment
      }
      throw e;
    }
  }

  private long version(Connection connection, String id) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT version FROM " + table + " WHERE id = ?")) {
      select.setString(1, id);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? row.getLong(1) : 0;
      }
    }
  }
}
