package dev.cqrs.jdbc.internal;

import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Position;
import dev.cqrs.jdbc.JdbcConfig;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * PostgreSQL: one statement per append (the stream row's version check and update, and the insert of every event
 * through {@code unnest}), so an append costs one round trip and locks only its own stream's row. Readers see only
 * rows whose order key is below the oldest running transaction; the order key is the writer's transaction id, raised
 * to the stream's last key when an older transaction waited for a younger one's lock, so that each stream's events
 * stay in version order in the global order.
 */
final class PostgresEventSql implements EventSql {

  private static final String SELECT = "SELECT transaction_id AS commit_id, position AS sequence_id,"
      + " stream_id, version, event_id, type_name, type_revision, payload, message_id,"
      + " correlation_id, causation_id, created_at, headers FROM ";
  private static final String VISIBLE = "transaction_id < pg_snapshot_xmin(pg_current_snapshot())::text::bigint";

  private final String events;
  private final String streams;
  private final String insertEvents;

  PostgresEventSql(JdbcConfig config) {
    this.events = config.table("events");
    this.streams = config.table("streams");
    this.insertEvents = ", appended AS (INSERT INTO " + events + " (transaction_id, " + EventRows.COLUMNS + ")"
        + " SELECT stream.order_key, ?, stream.before + e.ord, e.event_id, e.type_name, e.type_revision,"
        + " e.payload::json,"
        + " e.message_id, e.correlation_id, e.causation_id, e.created_at::timestamptz, e.headers::json"
        + " FROM stream CROSS JOIN unnest(?::uuid[], ?::text[], ?::int4[], ?::text[], ?::uuid[], ?::uuid[],"
        + " ?::uuid[], ?::text[], ?::text[]) WITH ORDINALITY AS e(event_id, type_name, type_revision, payload,"
        + " message_id, correlation_id, causation_id, created_at, headers, ord)"
        + " ORDER BY e.ord RETURNING transaction_id, position, version)"
        + " SELECT transaction_id AS commit_id, position AS sequence_id, version FROM appended"
        + " ORDER BY version";
  }

  @Override
  public boolean appendNeedsTransaction() {
    return false;
  }

  @Override
  public List<Placed> insert(Connection connection, String streamId, ExpectedVersion expected,
                             List<EventRows.Row> rows) throws SQLException {
    int n = rows.size();
    boolean mayCreate = expected.equals(ExpectedVersion.any()) || expected.equals(ExpectedVersion.noStream());
    String sql;
    if (mayCreate) {
      sql = "WITH stream AS (INSERT INTO " + streams + " AS s (stream_id, version, last_transaction_id)"
          + " VALUES (?, ?, pg_current_xact_id()::text::bigint)"
          + " ON CONFLICT (stream_id) DO UPDATE SET version = s.version + EXCLUDED.version,"
          + " last_transaction_id = GREATEST(s.last_transaction_id, EXCLUDED.last_transaction_id)"
          + (expected.equals(ExpectedVersion.noStream()) ? " WHERE FALSE" : "")
          + " RETURNING s.version - ? AS before, s.last_transaction_id AS order_key)" + insertEvents;
    } else {
      sql = "WITH stream AS (UPDATE " + streams + " AS s SET version = s.version + ?,"
          + " last_transaction_id = GREATEST(s.last_transaction_id, pg_current_xact_id()::text::bigint)"
          + " WHERE s.stream_id = ?"
          + (expected.version().isPresent() ? " AND s.version = ?" : "")
          + " RETURNING s.version - ? AS before, s.last_transaction_id AS order_key)" + insertEvents;
    }
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      int i = 1;
      if (mayCreate) {
        statement.setString(i++, streamId);
        statement.setLong(i++, n);
      } else {
        statement.setLong(i++, n);
        statement.setString(i++, streamId);
        if (expected.version().isPresent()) {
          statement.setLong(i++, expected.version().getAsLong());
        }
      }
      statement.setLong(i++, n);
      statement.setString(i++, streamId);
      bindArrays(connection, statement, i, rows);
      List<Placed> placed = new ArrayList<>(n);
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          placed.add(new Placed(Position.of(result.getLong(1), result.getLong(2)), result.getLong(3)));
        }
      }
      return placed.isEmpty() ? null : placed;
    }
  }

  private static void bindArrays(Connection connection, PreparedStatement statement, int first,
                                 List<EventRows.Row> rows) throws SQLException {
    int n = rows.size();
    Object[] eventIds = new Object[n];
    Object[] typeNames = new Object[n];
    Object[] revisions = new Object[n];
    Object[] payloads = new Object[n];
    Object[] messageIds = new Object[n];
    Object[] correlationIds = new Object[n];
    Object[] causationIds = new Object[n];
    Object[] timestamps = new Object[n];
    Object[] headers = new Object[n];
    for (int r = 0; r < n; r++) {
      EventRows.Row row = rows.get(r);
      eventIds[r] = row.event().eventId();
      typeNames[r] = row.stored().type().name();
      revisions[r] = row.stored().type().revision();
      payloads[r] = row.payload();
      messageIds[r] = row.metadata().messageId();
      correlationIds[r] = row.metadata().correlationId();
      causationIds[r] = row.metadata().causationId();
      timestamps[r] = row.metadata().timestamp().toString();
      headers[r] = row.headers();
    }
    int i = first;
    statement.setArray(i++, connection.createArrayOf("uuid", eventIds));
    statement.setArray(i++, connection.createArrayOf("text", typeNames));
    statement.setArray(i++, connection.createArrayOf("int4", revisions));
    statement.setArray(i++, connection.createArrayOf("text", payloads));
    statement.setArray(i++, connection.createArrayOf("uuid", messageIds));
    statement.setArray(i++, connection.createArrayOf("uuid", correlationIds));
    statement.setArray(i++, connection.createArrayOf("uuid", causationIds));
    statement.setArray(i++, connection.createArrayOf("text", timestamps));
    statement.setArray(i, connection.createArrayOf("text", headers));
  }

  @Override
  public String selectStream() {
    return SELECT + events + " WHERE stream_id = ? AND version >= ? ORDER BY version";
  }

  @Override
  public String selectAfter() {
    return SELECT + events + " WHERE " + VISIBLE + " AND (transaction_id, position) > (?, ?)"
        + " ORDER BY transaction_id, position LIMIT ?";
  }

  @Override
  public String selectByEventIds() {
    return SELECT + events + " WHERE event_id = ANY(?) ORDER BY stream_id, version";
  }

  @Override
  public Object eventIdArray(Connection connection, List<UUID> ids) throws SQLException {
    Array array = connection.createArrayOf("uuid", ids.toArray());
    return array;
  }

  @Override
  public String selectHead() {
    return "SELECT transaction_id AS commit_id, position AS sequence_id FROM " + events + " WHERE "
        + VISIBLE + " ORDER BY transaction_id DESC, position DESC LIMIT 1";
  }

  @Override
  public String countAfter() {
    return "SELECT count(*) FROM " + events + " WHERE " + VISIBLE
        + " AND (transaction_id, position) > (?, ?)";
  }

  @Override
  public String selectStreamVersion() {
    return "SELECT version FROM " + streams + " WHERE stream_id = ?";
  }
}
