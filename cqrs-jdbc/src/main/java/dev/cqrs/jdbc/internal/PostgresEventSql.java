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
import java.util.Optional;
import java.util.UUID;

/**
 * PostgreSQL: one statement per append (the stream row's version check and update, and the insert of every event
 * through {@code unnest}), so an append costs one round trip and locks only its own stream's row.
 *
 * <p>The order key of an append is the transaction id of the (sub)transaction that writes the stream row, raised to
 * the stream's last key when an older transaction waited for a younger one's lock, so that each stream's events stay
 * in version order in the global order. Before it writes, an append registers its transaction as an appender: a shared
 * transaction-level advisory lock on a key of this store's events table, held until the transaction ends. Readers
 * read only below the {@linkplain #readFence read fence}: the lowest transaction id among the registered appenders,
 * or, when none is registered, the first transaction id not handed out yet. Transactions that never append (a long
 * report, a session idle in transaction after updating other tables) do not hold readers back. The argument that no
 * event is skipped is in {@code docs/read-fence.md}; in short, an append's key is never below the id of a
 * (sub)transaction that started writing after it registered, and every key a registered transaction uses is at least
 * its own transaction id.
 */
final class PostgresEventSql implements EventSql {

  private static final String SELECT = "SELECT transaction_id AS commit_id, position AS sequence_id,"
      + " stream_id, version, event_id, type_name, type_revision, payload, message_id,"
      + " correlation_id, causation_id, created_at, headers FROM ";
  /** The first half of the appenders' advisory lock key: "cqrs" in ASCII. */
  static final int APPENDERS = 0x63717273;
  private static final String FULL_OWN_ID = "pg_current_xact_id()::text::bigint + ((s.xmin::text::bigint"
      + " - (pg_current_xact_id()::text::bigint & 4294967295)) % 4294967296 + 4294967296) % 4294967296";

  private final String events;
  private final String streams;
  private final String insertEvents;
  private final String register;
  private final String fence;
  private final String raiseStreamKey;
  private final String fenceHolder;

  PostgresEventSql(JdbcConfig config) {
    this.events = config.table("events");
    this.streams = config.table("streams");
    int store = appendersKey(events);
    this.register = "WITH registered AS (SELECT pg_advisory_xact_lock_shared(" + APPENDERS + ", " + store + ")), ";
    this.fence = fenceQuery(Integer.toUnsignedLong(store));
    this.fenceHolder = fenceHolderQuery(Integer.toUnsignedLong(store));
    this.raiseStreamKey = "UPDATE " + streams + " SET last_transaction_id = ? WHERE stream_id = ?";
    this.insertEvents = ", keyed AS (SELECT before, last, GREATEST(last, own) AS order_key FROM stream)"
        + ", appended AS (INSERT INTO " + events + " (transaction_id, " + EventRows.COLUMNS + ")"
        + " SELECT stream.order_key, ?, stream.before + e.ord, e.event_id, e.type_name, e.type_revision,"
        + " e.payload::json,"
        + " e.message_id, e.correlation_id, e.causation_id, e.created_at::timestamptz, e.headers::json"
        + " FROM keyed AS stream CROSS JOIN unnest(?::uuid[], ?::text[], ?::int4[], ?::text[], ?::uuid[], ?::uuid[],"
        + " ?::uuid[], ?::text[], ?::text[]) WITH ORDINALITY AS e(event_id, type_name, type_revision, payload,"
        + " message_id, correlation_id, causation_id, created_at, headers, ord)"
        + " ORDER BY e.ord RETURNING transaction_id, position, version)"
        + " SELECT transaction_id AS commit_id, position AS sequence_id, version, (SELECT last FROM keyed)"
        + " FROM appended ORDER BY version";
  }

  /** The second half of the appenders' advisory lock key: one per events table, so that stores do not wait for each other. */
  static int appendersKey(String eventsTable) {
    return eventsTable.hashCode();
  }

  /**
   * The read fence: on a primary, the lowest transaction id among the registered appenders (their transaction id
   * locks, read from the same copy of the lock table), else the first id not handed out when the statement began; the
   * snapshot's oldest running transaction while a registered appender shows no transaction id yet (it may be between
   * taking its id and its lock on it). On a standby, where the primary's advisory locks are not visible, the oldest
   * transaction still running on the primary, as replayed.
   */
  private static String fenceQuery(long store) {
    long half = 1L << 31;
    long full = 1L << 32;
    return "WITH snap AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin,"
        + " pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax),"
        + " locks AS MATERIALIZED (SELECT virtualtransaction, locktype, transactionid::text::bigint AS xid"
        + " FROM pg_locks WHERE (locktype = 'advisory' AND classid = " + APPENDERS + " AND objid::bigint = " + store
        + " AND objsubid = 2) OR (locktype = 'transactionid' AND mode = 'ExclusiveLock' AND granted)),"
        + " appenders AS (SELECT a.virtualtransaction, min(snap.xmax + ((t.xid - (snap.xmax & " + (full - 1) + "))"
        + " % " + full + " + " + full + " + " + half + ") % " + full + " - " + half + ") AS xid"
        + " FROM locks a CROSS JOIN snap LEFT JOIN locks t ON t.virtualtransaction = a.virtualtransaction"
        + " AND t.locktype = 'transactionid' WHERE a.locktype = 'advisory' GROUP BY a.virtualtransaction)"
        + " SELECT pg_is_in_recovery(), snap.xmin, snap.xmax, (SELECT min(xid) FROM appenders),"
        + " (SELECT count(*) FROM appenders WHERE xid IS NULL) FROM snap";
  }

  /** The oldest registered appender: a backend's transaction, or a prepared transaction (which has no backend). */
  private static String fenceHolderQuery(long store) {
    String appender = "l.locktype = 'advisory' AND l.classid = " + APPENDERS + " AND l.objid::bigint = " + store
        + " AND l.objsubid = 2";
    return "SELECT pid, holder, state, age_ms, xid FROM ("
        + " SELECT a.pid, coalesce(a.application_name, '') AS holder, coalesce(a.state, '') AS state,"
        + " (extract(epoch FROM now() - a.xact_start) * 1000)::bigint AS age_ms,"
        + " coalesce(a.backend_xid::text::bigint, 0) AS xid"
        + " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE " + appender
        + " UNION ALL SELECT 0, p.gid, 'prepared', (extract(epoch FROM now() - p.prepared) * 1000)::bigint,"
        + " p.transaction::text::bigint FROM pg_locks l JOIN pg_locks t ON t.virtualtransaction = l.virtualtransaction"
        + " AND t.locktype = 'transactionid' AND t.pid IS NULL JOIN pg_prepared_xacts p ON p.transaction = t.transactionid"
        + " WHERE l.pid IS NULL AND " + appender + ") f ORDER BY age_ms DESC LIMIT 1";
  }

  @Override
  public Optional<String> selectFenceHolder() {
    return Optional.of(fenceHolder);
  }

  @Override
  public long readFence(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(fence);
         ResultSet row = statement.executeQuery()) {
      row.next();
      long oldestRunning = row.getLong(2);
      if (row.getBoolean(1)) {
        return oldestRunning; // a standby: the order keys of running transactions are not visible here
      }
      long fence = row.getLong(3);
      long lowestAppender = row.getLong(4);
      if (!row.wasNull()) {
        fence = Math.min(fence, lowestAppender);
      }
      if (row.getLong(5) > 0) {
        fence = Math.min(fence, oldestRunning);
      }
      return fence;
    }
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
      sql = register + "stream AS (INSERT INTO " + streams + " AS s (stream_id, version, last_transaction_id)"
          + " SELECT ?, ?::bigint, pg_current_xact_id()::text::bigint FROM registered"
          + " ON CONFLICT (stream_id) DO UPDATE SET version = s.version + EXCLUDED.version,"
          + " last_transaction_id = GREATEST(s.last_transaction_id, EXCLUDED.last_transaction_id)"
          + (expected.equals(ExpectedVersion.noStream()) ? " WHERE FALSE" : "")
          + " RETURNING s.version - ? AS before, s.last_transaction_id AS last, " + FULL_OWN_ID + " AS own)"
          + insertEvents;
    } else {
      sql = register + "stream AS (UPDATE " + streams + " AS s SET version = s.version + ?,"
          + " last_transaction_id = GREATEST(s.last_transaction_id, pg_current_xact_id()::text::bigint)"
          + " FROM registered WHERE s.stream_id = ?"
          + (expected.version().isPresent() ? " AND s.version = ?" : "")
          + " RETURNING s.version - ? AS before, s.last_transaction_id AS last, " + FULL_OWN_ID + " AS own)"
          + insertEvents;
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
      long streamKey = 0;
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          placed.add(new Placed(Position.of(result.getLong(1), result.getLong(2)), result.getLong(3)));
          streamKey = result.getLong(4);
        }
      }
      if (placed.isEmpty()) {
        return null;
      }
      long orderKey = placed.get(0).position().commit();
      if (orderKey > streamKey) {
        // written under a savepoint: the key is the subtransaction's id, which the stream row could not hold yet
        try (PreparedStatement raise = connection.prepareStatement(raiseStreamKey)) {
          raise.setLong(1, orderKey);
          raise.setString(2, streamId);
          raise.executeUpdate();
        }
      }
      return placed;
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
    return SELECT + events + " WHERE (transaction_id, position) > (?, ?) AND transaction_id < ?"
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
    return "SELECT transaction_id AS commit_id, position AS sequence_id FROM " + events
        + " WHERE transaction_id < ? ORDER BY transaction_id DESC, position DESC LIMIT 1";
  }

  @Override
  public String countAfter() {
    return "SELECT count(*) FROM " + events + " WHERE (transaction_id, position) > (?, ?) AND transaction_id < ?";
  }

  @Override
  public String selectStreamVersion() {
    return "SELECT version FROM " + streams + " WHERE stream_id = ?";
  }
}
