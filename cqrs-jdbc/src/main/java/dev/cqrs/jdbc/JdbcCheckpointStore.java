package dev.cqrs.jdbc;

import dev.cqrs.core.CheckpointStore;
import dev.cqrs.core.Position;
import dev.cqrs.jdbc.internal.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link CheckpointStore} in the {@code checkpoints} table. A save that would move a checkpoint backwards changes
 * nothing and is refused, checked in the same statement as the write. Thread-safe.
 */
public final class JdbcCheckpointStore implements CheckpointStore {

  private final JdbcConfig config;
  private final String table;
  private final String upsert;

  private JdbcCheckpointStore(JdbcConfig config) {
    this.config = Objects.requireNonNull(config, "config must not be null");
    this.table = config.table("checkpoints");
    this.upsert = config.database() == Database.POSTGRESQL
        ? "INSERT INTO " + table + " AS c (processor, commit_id, sequence_id, updated_at) VALUES (?, ?, ?, now())"
          + " ON CONFLICT (processor) DO UPDATE SET commit_id = EXCLUDED.commit_id,"
          + " sequence_id = EXCLUDED.sequence_id, updated_at = now()"
          + " WHERE (c.commit_id, c.sequence_id) <= (EXCLUDED.commit_id, EXCLUDED.sequence_id)"
        : "MERGE INTO " + table + " c USING (VALUES (CAST(? AS VARCHAR(200)), CAST(? AS BIGINT),"
          + " CAST(? AS BIGINT))) s(processor, commit_id, sequence_id) ON c.processor = s.processor"
          + " WHEN MATCHED AND (c.commit_id < s.commit_id OR (c.commit_id = s.commit_id"
          + " AND c.sequence_id <= s.sequence_id)) THEN UPDATE SET commit_id = s.commit_id,"
          + " sequence_id = s.sequence_id, updated_at = CURRENT_TIMESTAMP"
          + " WHEN NOT MATCHED THEN INSERT (processor, commit_id, sequence_id) VALUES (s.processor, s.commit_id,"
          + " s.sequence_id)";
  }

  /**
   * Creates a store on existing tables (see {@link JdbcSchema#migrate(JdbcConfig)}).
   *
   * @param config where the tables are
   * @return the store
   */
  public static JdbcCheckpointStore create(JdbcConfig config) {
    return new JdbcCheckpointStore(config);
  }

  @Override
  public Optional<Position> load(String processor) {
    checkName(processor);
    return Jdbc.withConnection(config, "load of checkpoint '" + processor + "'",
        connection -> load(connection, processor));
  }

  /**
   * Loads a checkpoint with a connection of the caller's, inside its transaction.
   *
   * @param connection the connection
   * @param processor the processor's name
   * @return the checkpoint, or empty
   * @throws SQLException on a database failure
   */
  public Optional<Position> load(Connection connection, String processor) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT commit_id, sequence_id FROM " + table + " WHERE processor = ?")) {
      select.setString(1, processor);
      try (ResultSet result = select.executeQuery()) {
        return result.next() ? Optional.of(Position.of(result.getLong(1), result.getLong(2))) : Optional.empty();
      }
    }
  }

  @Override
  public void save(String processor, Position position) {
    checkName(processor);
    Objects.requireNonNull(position, "position must not be null");
    Jdbc.withConnection(config, "save of checkpoint '" + processor + "'", connection -> {
      save(connection, processor, position);
      return null;
    });
  }

  /**
   * Saves a checkpoint with a connection of the caller's, inside its transaction, so that a read model and its
   * checkpoint commit together.
   *
   * @param connection the connection
   * @param processor the processor's name
   * @param position the position
   * @throws SQLException on a database failure
   * @throws IllegalArgumentException if the checkpoint would move backwards
   */
  public void save(Connection connection, String processor, Position position) throws SQLException {
    int changed;
    try {
      changed = upsert(connection, processor, position);
    } catch (SQLException e) {
      if (!Jdbc.isUniqueViolation(e) || config.database() != Database.H2) {
        throw e;
      }
      changed = upsert(connection, processor, position); // a concurrent first save created the row: update it now
    }
    if (changed == 0) {
      Position stored = load(connection, processor).orElse(Position.START);
      throw new IllegalArgumentException("checkpoint of processor '" + processor + "' cannot move backwards from "
          + stored + " to " + position);
    }
  }

  private int upsert(Connection connection, String processor, Position position) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(upsert)) {
      statement.setString(1, processor);
      statement.setLong(2, position.commit());
      statement.setLong(3, position.sequence());
      return statement.executeUpdate();
    }
  }

  @Override
  public boolean move(String processor, Position expected, Position position) {
    checkName(processor);
    checkMove(processor, expected, position);
    return Jdbc.withConnection(config, "move of checkpoint '" + processor + "'",
        connection -> move(connection, processor, expected, position));
  }

  /**
   * Moves a checkpoint with a connection of the caller's, inside its transaction, only if it still stands at
   * {@code expected}; see {@link CheckpointStore#move}. On PostgreSQL a concurrent move of the same checkpoint waits
   * for this transaction and then finds the checkpoint moved.
   *
   * @param connection the connection
   * @param processor the processor's name
   * @param expected where the checkpoint must stand; {@link Position#START} when there is none
   * @param position the new checkpoint
   * @return {@code true} when moved
   * @throws SQLException on a database failure
   */
  public boolean move(Connection connection, String processor, Position expected, Position position)
      throws SQLException {
    checkMove(processor, expected, position);
    try (PreparedStatement update = connection.prepareStatement("UPDATE " + table + " SET commit_id = ?,"
        + " sequence_id = ?, updated_at = CURRENT_TIMESTAMP WHERE processor = ? AND commit_id = ? AND sequence_id = ?")) {
      update.setLong(1, position.commit());
      update.setLong(2, position.sequence());
      update.setString(3, processor);
      update.setLong(4, expected.commit());
      update.setLong(5, expected.sequence());
      if (update.executeUpdate() > 0) {
        return true;
      }
    }
    if (!expected.equals(Position.START)) {
      return false;
    }
    // no checkpoint yet: the first move creates it, and of concurrent first moves only one inserts
    String insert = config.database() == Database.POSTGRESQL
        ? "INSERT INTO " + table + " (processor, commit_id, sequence_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
        : "MERGE INTO " + table + " c USING (VALUES (CAST(? AS VARCHAR(200)), CAST(? AS BIGINT), CAST(? AS BIGINT)))"
          + " s(processor, commit_id, sequence_id) ON c.processor = s.processor WHEN NOT MATCHED THEN"
          + " INSERT (processor, commit_id, sequence_id) VALUES (s.processor, s.commit_id, s.sequence_id)";
    try (PreparedStatement statement = connection.prepareStatement(insert)) {
      statement.setString(1, processor);
      statement.setLong(2, position.commit());
      statement.setLong(3, position.sequence());
      return statement.executeUpdate() > 0;
    } catch (SQLException e) {
      if (Jdbc.isUniqueViolation(e)) {
        return false; // H2: a concurrent first move inserted it
      }
      throw e;
    }
  }

  private static void checkMove(String processor, Position expected, Position position) {
    Objects.requireNonNull(expected, "expected must not be null");
    Objects.requireNonNull(position, "position must not be null");
    if (!position.isAfter(expected)) {
      throw new IllegalArgumentException("checkpoint of processor '" + processor + "' must move forwards, but "
          + position + " is not after " + expected);
    }
  }

  @Override
  public void reset(String processor) {
    checkName(processor);
    Jdbc.withConnection(config, "reset of checkpoint '" + processor + "'", connection -> {
      reset(connection, processor);
      return null;
    });
  }

  /**
   * Deletes a checkpoint with a connection of the caller's.
   *
   * @param connection the connection
   * @param processor the processor's name
   * @throws SQLException on a database failure
   */
  public void reset(Connection connection, String processor) throws SQLException {
    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE processor = ?")) {
      delete.setString(1, processor);
      delete.executeUpdate();
    }
  }

  private static void checkName(String processor) {
    Objects.requireNonNull(processor, "processor must not be null");
    if (processor.isBlank() || processor.length() > 200) {
      throw new IllegalArgumentException("processor name must be non-blank and at most 200 characters, but was '"
          + processor + "'");
    }
  }
}
