package dev.cqrs.jdbc;

import dev.cqrs.core.DeadLetter;
import dev.cqrs.core.DeadLetterStore;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.serialization.EventCodec;
import dev.cqrs.jdbc.internal.EventRows;
import dev.cqrs.jdbc.internal.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A {@link DeadLetterStore} in the {@code dead_letters} table. Each dead letter keeps a full copy of its event, as the
 * events table stores it (any payload the events table takes, NUL escapes included), so it can be retried even if the
 * events table is archived. Error texts are stored with NUL and unpaired surrogates escaped. Thread-safe.
 */
public final class JdbcDeadLetterStore implements DeadLetterStore {

  private static final String COLUMNS = "id, processor, commit_id, sequence_id, " + EventRows.COLUMNS
      + ", error, attempts, parked_at, last_failed_at";

  private final JdbcConfig config;
  private final EventCodec codec;
  private final String table;
  private final String upsert;
  private final String select;

  private JdbcDeadLetterStore(JdbcConfig config, EventCodec codec) {
    this.config = Objects.requireNonNull(config, "config must not be null");
    this.codec = Objects.requireNonNull(codec, "codec must not be null");
    this.table = config.table("dead_letters");
    boolean postgres = config.database() == Database.POSTGRESQL;
    this.upsert = postgres
        ? "INSERT INTO " + table + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::json, ?, ?, ?, ?,"
          + " ?::json, ?::text[], ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET error = EXCLUDED.error,"
          + " attempts = EXCLUDED.attempts, last_failed_at = EXCLUDED.last_failed_at"
        : "MERGE INTO " + table + " (" + COLUMNS + ") KEY (id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
          + " ?, ?, ?, ?, ?)";
    this.select = "SELECT id, processor, commit_id, sequence_id, stream_id, version, event_id, type_name,"
        + " type_revision, " + "payload" + ", message_id, correlation_id,"
        + " causation_id, created_at, headers, tags, error, attempts, parked_at, last_failed_at FROM " + table;
  }

  /**
   * Creates a store on existing tables (see {@link JdbcSchema#migrate(JdbcConfig)}).
   *
   * @param config where the tables are
   * @param codec how events are serialized
   * @return the store
   */
  public static JdbcDeadLetterStore create(JdbcConfig config, EventCodec codec) {
    return new JdbcDeadLetterStore(config, codec);
  }

  @Override
  public void save(DeadLetter letter) {
    Objects.requireNonNull(letter, "deadLetter must not be null");
    Jdbc.withConnection(config, "save of dead letter " + letter.id(), c -> {
      save(c, letter);
      return null;
    });
  }

  /**
   * Saves a dead letter with a connection of the caller's, inside its transaction, so that it commits together with
   * the checkpoint that moves past its event (as {@link JdbcProcessors#transactional} processors do) or not at all.
   *
   * @param connection the connection
   * @param letter the dead letter; saving the same id again replaces its error, attempts and last failure
   * @throws SQLException on a database failure
   */
  public void save(Connection connection, DeadLetter letter) throws SQLException {
    Objects.requireNonNull(letter, "deadLetter must not be null");
    RecordedEvent event = letter.event();
    EventRows.Row row = EventRows.Row.of(new NewEvent(event.eventId(), event.payload(),
        event.metadata(), event.tags()), codec.encode(event.payload(), "dead letter " + letter.id()));
    try (PreparedStatement statement = connection.prepareStatement(upsert)) {
      statement.setObject(1, letter.id());
      statement.setString(2, letter.processor());
      statement.setLong(3, event.position().commit());
      statement.setLong(4, event.position().sequence());
      EventRows.bind(statement, 5, event.streamId(), event.version(), row);
      statement.setString(17, storable(letter.error()));
      statement.setInt(18, letter.attempts());
      statement.setObject(19, OffsetDateTime.ofInstant(letter.parkedAt(), ZoneOffset.UTC));
      statement.setObject(20, OffsetDateTime.ofInstant(letter.lastFailedAt(), ZoneOffset.UTC));
      statement.executeUpdate();
    }
  }

  /**
   * Error texts come from exceptions and may hold what no text column takes: NUL (refused by PostgreSQL) and unpaired
   * surrogates (stored as '?'). Both are written as a backslash, {@code u} and four hex digits instead, alike on every database.
   */
  static String storable(String error) {
    StringBuilder text = null;
    for (int i = 0; i < error.length(); i++) {
      char c = error.charAt(i);
      boolean paired = Character.isHighSurrogate(c) && i + 1 < error.length()
          && Character.isLowSurrogate(error.charAt(i + 1));
      boolean bad = c == 0 || (Character.isSurrogate(c) && !paired
          && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(error.charAt(i - 1))));
      if (bad && text == null) {
        text = new StringBuilder(error.length() + 16).append(error, 0, i);
      }
      if (text != null) {
        if (bad) {
          text.append('\\').append(String.format("u%04x", (int) c));
        } else {
          text.append(c);
        }
      }
    }
    return text == null ? error : text.toString();
  }

  @Override
  public List<DeadLetter> list(String processor) {
    Objects.requireNonNull(processor, "processor must not be null");
    return Jdbc.withConnection(config, "list of dead letters of '" + processor + "'", c -> {
      try (PreparedStatement statement = c.prepareStatement(
          select + " WHERE processor = ? ORDER BY commit_id, sequence_id, id")) {
        statement.setString(1, processor);
        return mapAll(statement);
      }
    });
  }

  @Override
  public Optional<DeadLetter> find(UUID id) {
    Objects.requireNonNull(id, "id must not be null");
    return Jdbc.withConnection(config, "find of dead letter " + id, c -> {
      try (PreparedStatement statement = c.prepareStatement(select + " WHERE id = ?")) {
        statement.setObject(1, id);
        return mapAll(statement).stream().findFirst();
      }
    });
  }

  @Override
  public boolean remove(UUID id) {
    Objects.requireNonNull(id, "id must not be null");
    return Jdbc.withConnection(config, "removal of dead letter " + id, c -> remove(c, id));
  }

  /**
   * Removes a dead letter with a connection of the caller's, inside its transaction, so that a retried event and the
   * removal of its dead letter commit together.
   *
   * @param connection the connection
   * @param id the dead letter's id
   * @return {@code true} when it existed
   * @throws SQLException on a database failure
   */
  public boolean remove(Connection connection, UUID id) throws SQLException {
    Objects.requireNonNull(id, "id must not be null");
    try (PreparedStatement statement = connection.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
      statement.setObject(1, id);
      return statement.executeUpdate() > 0;
    }
  }

  private List<DeadLetter> mapAll(PreparedStatement statement) throws SQLException {
    List<DeadLetter> letters = new ArrayList<>();
    try (ResultSet result = statement.executeQuery()) {
      while (result.next()) {
        letters.add(new DeadLetter(result.getObject("id", UUID.class), result.getString("processor"),
            EventRows.map(result, 3, codec), result.getString("error"), result.getInt("attempts"),
            result.getObject("parked_at", OffsetDateTime.class).toInstant(),
            result.getObject("last_failed_at", OffsetDateTime.class).toInstant()));
      }
    }
    return letters;
  }
}
