package dev.cqrs.jdbc.internal;

import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Position;
import dev.cqrs.jdbc.JdbcConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * H2: each append first takes the counter row's lock and holds it until it commits, so positions are assigned and
 * committed in the same order and a reader can never see position n + 1 before n. Commit parts of positions are 0.
 * An append waits up to a minute for that lock, trying again after each of H2's (short) lock timeouts.
 *
 * <p>Before the counter, an append checks its expected version (so that a conflict rolls back nothing) and, in a
 * transaction the library opened, takes the database's append gate in this JVM ({@link OwnedTransactions}): H2 can
 * lose an update of a row whose lock others wait for while its holder rolls back, which let two appends take one
 * position. The last stored position is read with the counter, and an append never goes below it.
 */
final class H2EventSql implements EventSql {

  private static final Logger LOG = LoggerFactory.getLogger(H2EventSql.class);

  private static final String SELECT = "SELECT 0 AS commit_id, position AS sequence_id, stream_id, version, event_id,"
      + " type_name, type_revision, payload, message_id, correlation_id, causation_id, created_at, headers, tags FROM ";

  /** H2's error code for a lock timeout. */
  private static final int LOCK_TIMEOUT = 50200;
  /** How long an append waits for the counter row's lock in all. */
  private static final long COUNTER_LOCK_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);

  private final String events;
  private final String streams;
  private final String counter;
  private volatile String database;

  H2EventSql(JdbcConfig config) {
    this.events = config.table("events");
    this.streams = config.table("streams");
    this.counter = config.table("event_counter");
  }

  /** The database's identity in this JVM, for the append gate; found on the first append. */
  private String database(Connection connection) throws SQLException {
    String known = database;
    if (known == null) {
      known = OwnedTransactions.databaseOf(connection);
      database = known;
    }
    return known;
  }

  @Override
  public boolean appendNeedsTransaction() {
    return true;
  }

  @Override
  public List<Placed> insert(Connection connection, String streamId, ExpectedVersion expected,
                             List<EventRows.Row> rows) throws SQLException {
    int n = rows.size();
    if (!expected.isSatisfiedBy(streamVersion(connection, streamId).orElse(0))) {
      return null; // refused before anything is written: the roll back that follows has nothing to undo
    }
    OwnedTransactions.holdAppendGate(connection, database(connection), COUNTER_LOCK_WAIT_NANOS);
    long last;
    lockCounter(connection, n);
    try (PreparedStatement read = connection.prepareStatement(
        "SELECT c.last_position, (SELECT max(position) FROM " + events + ") FROM " + counter + " c WHERE c.id = 1");
         ResultSet result = read.executeQuery()) {
      result.next();
      last = result.getLong(1);
      long stored = result.getLong(2); // 0 when there are no events
      if (last - n < stored) {
        // The counter is behind the stored events (seen once, cause unknown): go on after the last stored position,
        // and put the counter there, rather than collide with a stored position on every append from now on.
        LOG.warn("the H2 event counter stood at {} while positions up to {} are stored; appending after {} and"
            + " moving the counter there", last - n, stored, stored);
        last = stored + n;
        try (PreparedStatement repair = connection.prepareStatement(
            "UPDATE " + counter + " SET last_position = ? WHERE id = 1")) {
          repair.setLong(1, last);
          repair.executeUpdate();
        }
      }
    }
    // read again under the counter's lock: another append may have moved the stream since the first look
    OptionalLong version = streamVersion(connection, streamId);
    boolean exists = version.isPresent();
    long current = version.orElse(0);
    if (!expected.isSatisfiedBy(current)) {
      return null;
    }
    try (PreparedStatement write = connection.prepareStatement(exists
        ? "UPDATE " + streams + " SET version = ? WHERE stream_id = ?"
        : "INSERT INTO " + streams + " (version, stream_id) VALUES (?, ?)")) {
      write.setLong(1, current + n);
      write.setString(2, streamId);
      write.executeUpdate();
    }
    long firstPosition = last - n + 1;
    List<Placed> placed = new ArrayList<>(n);
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + events + " (position, "
        + EventRows.COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (int i = 0; i < n; i++) {
        insert.setLong(1, firstPosition + i);
        EventRows.bind(insert, 2, streamId, current + 1 + i, rows.get(i));
        insert.addBatch();
        placed.add(new Placed(Position.of(0, firstPosition + i), current + 1 + i));
      }
      insert.executeBatch();
    }
    return placed;
  }

  /** Every H2 append holds the counter row until it commits: holding it now keeps every other append out. */
  @Override
  public void lockForCondition(Connection connection, java.util.SortedMap<Integer, Boolean> keys,
                               boolean everyAppend) throws SQLException {
    OwnedTransactions.holdAppendGate(connection, database(connection), COUNTER_LOCK_WAIT_NANOS);
    lockCounter(connection, 0);
  }

  @Override
  public PreparedStatement selectMatching(Connection connection, Position after, long below, List<QueryItem> items,
                                          int limit, boolean wholeRows) throws SQLException {
    // H2 needs no fence (positions commit in order): below is always Long.MAX_VALUE here
    StringBuilder sql = new StringBuilder(wholeRows ? SELECT + events
        : "SELECT 0 AS commit_id, position AS sequence_id FROM " + events).append(" WHERE position > ? AND (");
    for (int i = 0; i < items.size(); i++) {
      QueryItem item = items.get(i);
      sql.append(i == 0 ? "(TRUE" : " OR (TRUE");
      if (!item.typeNames().isEmpty()) {
        sql.append(" AND type_name IN (").append("?, ".repeat(item.typeNames().size() - 1)).append("?)");
      }
      sql.append(" AND ARRAY_CONTAINS(tags, ?)".repeat(item.tags().size())).append(')');
    }
    sql.append(") ORDER BY position LIMIT ?");
    PreparedStatement statement = connection.prepareStatement(sql.toString());
    try {
      int p = 1;
      statement.setLong(p++, after.sequence());
      for (QueryItem item : items) {
        for (String name : item.typeNames()) {
          statement.setString(p++, name);
        }
        for (String tag : item.tags()) {
          statement.setString(p++, tag);
        }
      }
      statement.setInt(p, limit);
      return statement;
    } catch (SQLException | RuntimeException e) {
      statement.close();
      throw e;
    }
  }

  /** The stream's version, or empty when the stream does not exist. */
  private OptionalLong streamVersion(Connection connection, String streamId) throws SQLException {
    try (PreparedStatement read = connection.prepareStatement(selectStreamVersion())) {
      read.setString(1, streamId);
      try (ResultSet result = read.executeQuery()) {
        return result.next() ? OptionalLong.of(result.getLong(1)) : OptionalLong.empty();
      }
    }
  }

  /**
   * Takes the counter row's lock, waiting up to {@link #COUNTER_LOCK_WAIT_NANOS} however short H2's lock timeout is
   * (2 s by default): a lock timeout fails only the statement in H2, so it is tried again in the same transaction.
   */
  private void lockCounter(Connection connection, int n) throws SQLException {
    long deadline = System.nanoTime() + COUNTER_LOCK_WAIT_NANOS;
    try (PreparedStatement lock = connection.prepareStatement(
        "UPDATE " + counter + " SET last_position = last_position + ? WHERE id = 1")) {
      lock.setLong(1, n);
      while (true) {
        try {
          lock.executeUpdate();
          return;
        } catch (SQLException e) {
          if (e.getErrorCode() != LOCK_TIMEOUT || System.nanoTime() - deadline > 0) {
            throw e;
          }
        }
      }
    }
  }

  @Override
  public long readFence(Connection connection) {
    return Long.MAX_VALUE; // an append holds the counter row until it commits: positions commit in order
  }

  @Override
  public String selectStream() {
    return SELECT + events + " WHERE stream_id = ? AND version >= ? ORDER BY version";
  }

  @Override
  public String selectAfter() {
    return SELECT + events + " WHERE ? = 0 AND position > ? AND ? IS NOT NULL ORDER BY position LIMIT ?";
  }

  @Override
  public String selectByEventIds() {
    return SELECT + events + " WHERE event_id = ANY(?) ORDER BY stream_id, version";
  }

  @Override
  public Object eventIdArray(Connection connection, List<UUID> ids) throws SQLException {
    return connection.createArrayOf("UUID", ids.toArray());
  }

  @Override
  public String selectHead() {
    return "SELECT 0 AS commit_id, position AS sequence_id FROM " + events + " WHERE ? IS NOT NULL"
        + " ORDER BY position DESC LIMIT 1";
  }

  @Override
  public String countAfter() {
    return "SELECT COUNT(*) FROM " + events + " WHERE ? = 0 AND position > ? AND ? IS NOT NULL";
  }

  @Override
  public String selectStreamVersion() {
    return "SELECT version FROM " + streams + " WHERE stream_id = ?";
  }
}
