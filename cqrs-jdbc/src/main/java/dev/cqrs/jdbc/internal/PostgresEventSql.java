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
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * PostgreSQL: one statement per append, which reads the stream's last event, checks the expected version against it
 * and inserts the events (one parameter per value up to 32 events, one array per column beyond); the unique (stream,
 * version) index refuses a concurrent append of the same versions. An append writes only the events table (the
 * streams table of the schema is not used on PostgreSQL) and costs one round trip.
 *
 * <p>The order key of an append is at least the key of the stream's last event (so that each stream's events stay in
 * version order in the global order) and at least the appending transaction's registered key. Before it writes, an
 * append registers its transaction as an appender: a shared transaction-level advisory lock on a key of this store's
 * events table, held until the transaction ends. The registered key is the transaction's id when the transaction takes
 * its id after registering (the usual case: the append is its first write), or else the id of the savepoint the store
 * opens around an append in a caller's transaction, which the events' rows carry as {@code xmin}; a transaction-local
 * setting keeps it for the transaction's later appends. Readers read only below the {@linkplain #readFence read
 * fence}: the lowest transaction id among the registered appenders, or, when none is registered, the first transaction
 * id not handed out yet. Transactions that never append (a long report, a session idle in transaction after updating
 * other tables) do not hold readers back. The argument that no event is skipped is in {@code docs/read-fence.md}.
 */
final class PostgresEventSql implements EventSql {

  private static final String SELECT = "SELECT transaction_id AS commit_id, position AS sequence_id,"
      + " stream_id, version, event_id, type_name, type_revision, payload, message_id,"
      + " correlation_id, causation_id, created_at, headers, tags FROM ";
  /** The first half of the appenders' advisory lock key: "cqrs" in ASCII. */
  static final int APPENDERS = 0x63717273;
  /** The transaction-local setting that carries a read fence from one statement of a round trip to the next. */
  private static final String READ_FENCE = "cqrs.read_fence";
  /** The first half of the condition keys' advisory locks: "cqrt" in ASCII. */
  static final int CONDITION_KEYS = 0x63717274;
  /** The id of the (sub)transaction that wrote a returned row, widened to 64 bits against its transaction's id. */
  private static final String OWN_ID = "pg_current_xact_id()::text::bigint + ((xmin::text::bigint"
      + " - (pg_current_xact_id()::text::bigint & 4294967295)) % 4294967296 + 4294967296) % 4294967296";

  /** Appends of up to this many events bind one parameter per value; larger ones bind one array per column. */
  private static final int MAX_ROWS_AS_VALUES = 32;
  private static final String ROW_COLUMNS = "ord, event_id, type_name, type_revision, payload, message_id,"
      + " correlation_id, causation_id, created_at, headers, tags";

  private final String events;
  private final String streamVersionConstraint;
  private final String registeredKey;
  private final int store;
  private final String rekey;
  private final String fence;
  private final String fenceHolder;
  /** Insert statements by transaction mode, expectation kind and row count (0 for the array form). */
  private final ConcurrentMap<String, String> inserts = new ConcurrentHashMap<>();
  /** The lock statement and insert of one-round-trip conditional appends, by {@link #oneTripShape}. */
  private final ConcurrentMap<String, String> oneTrips = new ConcurrentHashMap<>();

  PostgresEventSql(JdbcConfig config) {
    this.events = config.table("events");
    this.streamVersionConstraint = config.tablePrefix() + "events_stream_version";
    this.store = appendersKey(events);
    this.registeredKey = "cqrs.appending_" + Integer.toUnsignedLong(store);
    this.fence = fenceQuery(Integer.toUnsignedLong(store));
    this.fenceHolder = fenceHolderQuery(Integer.toUnsignedLong(store));
    // the rows by their key and positions, through the global order's index (positions alone have none)
    this.rekey = "WITH rekeyed AS (UPDATE " + events + " SET transaction_id = ? WHERE transaction_id = ?"
        + " AND position = ANY(?) AND transaction_id < ?) SELECT set_config('" + registeredKey + "', ?, true)";
  }

  /**
   * The start of the insert, up to the rows, for a transaction mode and how many tag keys it locks (none for events
   * without tags, which leave the tags column to its default).
   */
  private String insertHead(boolean autoCommit, int keys) {
    // the appender lock (the read fence's registration), then, for events with tags, a shared lock per tag key (see
    // EventSql.writeKeys), in ascending order: a conditional append takes the keys of its query exclusively. Plain
    // calls, not an aggregate over the keys: executor start-up of an aggregate and a function scan cost more than
    // the locks themselves
    String locked = "(SELECT pg_advisory_xact_lock_shared(" + APPENDERS + ", " + store + ") AS registered"
        + lockCalls(keys, "pg_advisory_xact_lock_shared") + ") locked";
    // The registration, evaluated before the row is written. In auto-commit mode the statement is the transaction:
    // its id, taken after the lock, is its key. In a transaction: the key it registered before (kept in a setting
    // that a rollback to a savepoint undoes together with the lock), or its id when it takes one now, after the lock;
    // null when it had an id before it registered, and the savepoint's id is used instead (see insert). OFFSET 0: k
    // is computed once, or the planner would inline it into the set_config, where pg_current_xact_id_if_assigned()
    // sees the id just taken.
    String registration = autoCommit ? "SELECT NULL::bigint AS key FROM " + locked
        : "SELECT k AS key, CASE WHEN k IS NOT NULL THEN set_config('" + registeredKey + "', k::text, true) END"
            + " AS remembered FROM (SELECT coalesce(nullif(current_setting('" + registeredKey + "', true), '')"
            + "::bigint, CASE WHEN pg_current_xact_id_if_assigned() IS NULL THEN pg_current_xact_id()::text::bigint"
            + " END) AS k FROM " + locked + " OFFSET 0) k";
    boolean tagged = keys > 0;
    return "INSERT INTO " + events + " (transaction_id, "
        + (tagged ? EventRows.COLUMNS : EventRows.COLUMNS.replace(", tags", "")) + ")"
        + " SELECT h.key, ?, h.version + e.ord, e.event_id, e.type_name, e.type_revision, e.payload::json,"
        + " e.message_id, e.correlation_id, e.causation_id, e.created_at::timestamptz, e.headers::json"
        + (tagged ? ", e.tags::text[]" : "") + " FROM (SELECT coalesce(l.version, 0) AS version,"
        + " GREATEST(l.transaction_id, r.key, pg_current_xact_id()::text::bigint) AS key"
        + " FROM (" + registration + ") r LEFT JOIN LATERAL (SELECT version, transaction_id FROM "
        + events + " WHERE stream_id = ? ORDER BY version DESC LIMIT 1) l ON TRUE) h CROSS JOIN ";
  }

  /** Beyond this many keys, a statement binds its lock keys as one array. */
  private static final int MAX_KEYS_AS_VALUES = 16;

  /**
   * The select-list items that take advisory locks on condition keys with a function, one parameter per key, in the
   * parameters' order; beyond {@value #MAX_KEYS_AS_VALUES} keys, one item over an array parameter.
   */
  private static String lockCalls(int keys, String function) {
    if (keys > MAX_KEYS_AS_VALUES) {
      return ", (SELECT count(*) FROM (SELECT " + function + "(" + CONDITION_KEYS + ", k) FROM unnest(?::int4[]) AS k)"
          + " w) AS written";
    }
    StringBuilder sql = new StringBuilder();
    for (int k = 0; k < keys; k++) {
      sql.append(", ").append(function).append('(').append(CONDITION_KEYS).append(", ?)");
    }
    return sql.toString();
  }

  /** Binds keys as {@link #lockCalls} takes them; returns the next parameter's index. */
  private static int bindKeys(Connection connection, PreparedStatement statement, int first,
                              java.util.Collection<Integer> keys) throws SQLException {
    if (keys.size() > MAX_KEYS_AS_VALUES) {
      statement.setArray(first, connection.createArrayOf("int4", keys.toArray()));
      return first + 1;
    }
    int p = first;
    for (int key : keys) {
      statement.setInt(p++, key);
    }
    return p;
  }

  /** The insert's check of an expectation against {@code h.version}, the stream's last version (0 for none). */
  private static String versionCondition(ExpectedVersion expected) {
    if (expected.equals(ExpectedVersion.noStream())) {
      return "h.version = 0";
    } else if (expected.equals(ExpectedVersion.streamExists())) {
      return "h.version > 0";
    }
    return comparesVersion(expected) ? "h.version = ?" : "TRUE";
  }

  /** Tells whether the insert compares the stream's version with a parameter (an exact version other than none). */
  private static boolean comparesVersion(ExpectedVersion expected) {
    return expected.version().isPresent() && !expected.equals(ExpectedVersion.noStream());
  }

  /** How far past a condition's position (in positions handed out) the one-round-trip check looks. */
  private static final int RECENT = 1_000;

  /**
   * The condition's check inside the insert of a conditional append: no event after the position matches an item,
   * and none has a position more than {@value #RECENT} past the position's. A decision's read ends at the head of what
   * is readable, so the events after it are those appended since, usually few, and the look-up along the global
   * order's index stops at the first event that matches or lies too far on; then the insert inserts nothing, and the
   * store checks again in a transaction, with the tags' index (see {@link EventSql#firstMatchAfter}). A generic plan
   * serves every value; {@code IS TRUE} keeps the planner from answering the tags' part through the tags' index, which
   * would read every event of a tag. One look-up without a limit or an aggregate: their executor start-up cost more
   * than the look-up.
   */
  private static String guard(List<QueryItem> items) {
    return " AND current_setting('transaction_isolation') = 'read committed'"
        + " AND NOT EXISTS (SELECT FROM %1$s WHERE (transaction_id, position) > (?, ?)"
        + " AND (position > ? OR " + matching(items) + ") IS TRUE)";
  }

  /** The items as one predicate on {@code type_name} and {@code tags}; binds with {@link #bindItems}. */
  private static String matching(List<QueryItem> items) {
    StringBuilder sql = new StringBuilder("(");
    for (int i = 0; i < items.size(); i++) {
      QueryItem item = items.get(i);
      sql.append(i == 0 ? "(" : " OR (").append(item.typeNames().isEmpty() ? "TRUE" : "type_name = ANY(?)")
          .append(item.tags().isEmpty() ? "" : " AND tags <> '{}' AND tags @> ?::text[]").append(')');
    }
    return sql.append(')').toString();
  }

  /** Binds the parameters of {@link #matching}; returns the next parameter's index. */
  private static int bindItems(Connection connection, PreparedStatement statement, int first, List<QueryItem> items)
      throws SQLException {
    int p = first;
    for (QueryItem item : items) {
      if (!item.typeNames().isEmpty()) {
        statement.setArray(p++, connection.createArrayOf("text", item.typeNames().toArray()));
      }
      if (!item.tags().isEmpty()) {
        statement.setString(p++, EventRows.tagLiteral(item.tags()));
      }
    }
    return p;
  }

  /**
   * The insert for a transaction mode, an expectation, a row count, the number of tag keys its events lock (none for
   * events without tags), and a condition's check ({@link #guard}, or empty for none) in its WHERE clause.
   */
  private String insertSql(boolean autoCommit, ExpectedVersion expected, int n, int keys, String guard) {
    String condition = versionCondition(expected);
    int rows = n <= MAX_ROWS_AS_VALUES ? n : 0;
    int keyParameters = Math.min(keys, MAX_KEYS_AS_VALUES + 1);
    boolean tagged = keys > 0;
    return inserts.computeIfAbsent((autoCommit ? "a" : "t") + keyParameters + "-" + rows + condition + guard,
        key -> {
      String columns = tagged ? ROW_COLUMNS : ROW_COLUMNS.replace(", tags", "");
      StringBuilder sql = new StringBuilder(insertHead(autoCommit, keyParameters));
      if (rows == 0) {
        sql.append("(SELECT ").append(columns).append(" FROM unnest(?::uuid[], ?::text[], ?::int4[],"
            + " ?::text[], ?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::text[]").append(tagged ? ", ?::text[]" : "")
            .append(") WITH ORDINALITY AS u(event_id, type_name, type_revision, payload, message_id,"
            + " correlation_id, causation_id, created_at, headers").append(tagged ? ", tags" : "").append(", ord))");
      } else {
        sql.append("(VALUES ");
        for (int r = 1; r <= rows; r++) {
          sql.append(r == 1 ? "" : ", ").append('(').append(r)
              .append(", ?::uuid, ?, ?::int4, ?, ?::uuid, ?::uuid, ?::uuid, ?, ?").append(tagged ? ", ?)" : ")");
        }
        sql.append(')');
      }
      // The rows must take their positions in version order. The array form sorts by its ordinality. The VALUES
      // form is not sorted: a sort of a few rows cost 4 to 10% of 8 writers' throughput at 10 events per append.
      // Its rows reach the insert in the order they are listed: a VALUES scan returns them in that order, the only
      // join is a nested loop with the one row of h, which keeps it whichever side h is on, and PostgreSQL plans no
      // parallel workers for a statement that writes. Multi-row inserts of JDBC batches and ORMs rely on the same
      // order for their generated keys; placed() checks it on every append.
      sql.append(" AS e(").append(columns).append(") WHERE ").append(condition).append(String.format(guard, events))
          .append(rows == 0 ? " ORDER BY e.ord" : "").append(" RETURNING transaction_id, position, version");
      if (!autoCommit) {
        sql.append(", ").append(OWN_ID).append(", current_setting('").append(registeredKey).append("', true)");
      }
      return sql.toString();
    });
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

  /**
   * {@inheritDoc}
   *
   * <p>In a transaction that wrote before (and has not appended yet), call it under a savepoint opened for it: the
   * events then take the savepoint's id as their key, which is newer than the registration.
   */
  @Override
  public List<Placed> insert(Connection connection, String streamId, ExpectedVersion expected,
                             List<EventRows.Row> rows) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    java.util.SortedSet<Integer> written = EventSql.writeKeys(rows);
    try (PreparedStatement statement = connection.prepareStatement(insertSql(autoCommit, expected, rows.size(),
        written.size(), ""))) {
      bindInsert(connection, statement, 1, streamId, expected, rows, written, null, List.of());
      try (ResultSet result = statement.executeQuery()) {
        return placed(connection, result, autoCommit);
      }
    }
  }

  @Override
  public boolean appendsConditionallyAlone() {
    return true;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The lock statement and the insert go to the server together, in one round trip: in auto-commit mode the
   * statements of one round trip are one transaction, and each still reads with a snapshot of its own, taken when it
   * starts, so the insert's check sees every append that held a lock the first statement waited for. The insert
   * checks the recent events only (see {@link #guard}): it inserts nothing when an event too far on follows the
   * position.
   */
  @Override
  public Optional<List<Placed>> appendUnlessMatched(Connection connection, String streamId, ExpectedVersion expected,
                                                    List<EventRows.Row> rows, java.util.SortedMap<Integer, Boolean> keys,
                                                    boolean everyAppend, Position after, List<QueryItem> items)
      throws SQLException {
    java.util.SortedSet<Integer> written = EventSql.writeKeys(rows);
    String sql = oneTrips.computeIfAbsent(oneTripShape(expected, rows.size(), keys, everyAppend, items,
        written.size()), shape -> lockSql(keys, everyAppend, true) + "; " + insertSql(true, expected, rows.size(),
        written.size(), guard(items)));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bindInsert(connection, statement, bindLockKeys(connection, statement, 1, keys), streamId, expected, rows,
          written, after, items);
      statement.execute();
      String isolation;
      try (ResultSet locked = statement.getResultSet()) {
        locked.next();
        isolation = locked.getString(1);
      }
      if (!statement.getMoreResults()) {
        throw new IllegalStateException("the conditional insert returned no rows");
      }
      try (ResultSet result = statement.getResultSet()) {
        List<Placed> placed = placed(connection, result, true);
        if (placed == null) {
          checkIsolation(isolation); // the guard inserts nothing under another isolation: say why
        }
        return Optional.ofNullable(placed);
      }
    }
  }

  /**
   * What the text of a one-round-trip conditional append depends on, apart from the store: the kind of expectation,
   * the row count, the locks taken which way, which parts each item has, and how many tag keys the events have. The
   * text is made once per shape, and the same string each time lets the driver find its prepared statement at once.
   */
  private static String oneTripShape(ExpectedVersion expected, int rows, java.util.SortedMap<Integer, Boolean> keys,
                                     boolean everyAppend, List<QueryItem> items, int written) {
    StringBuilder shape = new StringBuilder(32);
    shape.append(versionCondition(expected)).append('|').append(rows <= MAX_ROWS_AS_VALUES ? rows : 0)
        .append(everyAppend ? '!' : '-');
    if (keys.size() > MAX_KEYS_AS_VALUES) {
      shape.append('*');
    } else {
      keys.values().forEach(exclusive -> shape.append(exclusive ? 'x' : 's'));
    }
    shape.append('|');
    for (QueryItem item : items) {
      shape.append(item.typeNames().isEmpty() ? '-' : 't').append(item.tags().isEmpty() ? '-' : 'g');
    }
    return shape.append('|').append(Math.min(written, MAX_KEYS_AS_VALUES + 1)).toString();
  }

  /**
   * Binds an insert's parameters from an index on: the stream, the tag keys it locks (none for events without tags),
   * the rows, the expected version, and the condition's check when there is one ({@code after} not null).
   */
  private static void bindInsert(Connection connection, PreparedStatement statement, int first, String streamId,
                                 ExpectedVersion expected, List<EventRows.Row> rows,
                                 java.util.SortedSet<Integer> written, Position after, List<QueryItem> items)
      throws SQLException {
    boolean tagged = !written.isEmpty();
    int i = first;
    statement.setString(i++, streamId);
    i = bindKeys(connection, statement, i, written);
    statement.setString(i++, streamId);
    int next = rows.size() <= MAX_ROWS_AS_VALUES ? bindValues(statement, i, rows, tagged)
        : bindArrays(connection, statement, i, rows, tagged);
    if (comparesVersion(expected)) {
      statement.setLong(next++, expected.version().getAsLong());
    }
    if (after != null) {
      statement.setLong(next++, after.commit());
      statement.setLong(next++, after.sequence());
      statement.setLong(next++, after.sequence() > Long.MAX_VALUE - RECENT ? Long.MAX_VALUE
          : after.sequence() + RECENT);
      bindItems(connection, statement, next, items);
    }
  }

  /**
   * Reads what an insert placed, in version order; re-keys the events when the transaction had an id before it
   * registered. Returns {@code null} when nothing was inserted.
   */
  private List<Placed> placed(Connection connection, ResultSet result, boolean autoCommit) throws SQLException {
    List<Placed> placed = new ArrayList<>();
    boolean registered = true;
    long own = 0;
    while (result.next()) {
      placed.add(new Placed(Position.of(result.getLong(1), result.getLong(2)), result.getLong(3)));
      if (!autoCommit) {
        own = Math.max(own, result.getLong(4));
        String setting = result.getString(5);
        registered = setting != null && !setting.isEmpty();
      }
    }
    if (placed.isEmpty()) {
      return null;
    }
    placed.sort(Comparator.comparingLong(Placed::version));
    requireVersionOrder(placed);
    if (registered) {
      return placed;
    }
    // The transaction had an id before it registered, so that id may be below what readers have passed: key the
    // events by the savepoint's id instead (it was handed out after the registration) and register that.
    int n = placed.size();
    long key = Math.max(own, placed.get(0).position().commit());
    Object[] positions = new Object[n];
    List<Placed> rekeyed = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      positions[i] = placed.get(i).position().sequence();
      rekeyed.add(new Placed(Position.of(key, placed.get(i).position().sequence()), placed.get(i).version()));
    }
    try (PreparedStatement statement = connection.prepareStatement(rekey)) {
      statement.setLong(1, key);
      statement.setLong(2, placed.get(0).position().commit()); // one insert gives all its rows the same key
      statement.setArray(3, connection.createArrayOf("int8", positions));
      statement.setLong(4, key);
      statement.setString(5, Long.toString(own));
      statement.execute();
    }
    return rekeyed;
  }

  /**
   * Checks that the events of one append took their positions in version order, as the insert's VALUES form relies
   * on (see {@link #insertSql}).
   *
   * @param placed the rows, sorted by version
   * @throws IllegalStateException if a later version has an earlier position
   */
  static void requireVersionOrder(List<Placed> placed) {
    for (int i = 1; i < placed.size(); i++) {
      if (placed.get(i).position().sequence() <= placed.get(i - 1).position().sequence()) {
        throw new IllegalStateException("PostgreSQL stored the events of one append out of version order (version "
            + placed.get(i).version() + " at position " + placed.get(i).position() + ", version "
            + placed.get(i - 1).version() + " at " + placed.get(i - 1).position() + "); this store relies on the"
            + " rows of a VALUES list being inserted in the order listed. In a transaction of yours, roll it back;"
            + " outside one the events are committed: report this with the PostgreSQL version");
      }
    }
  }

  /** Binds the rows one value per parameter; returns the next parameter's index. */
  private static int bindValues(PreparedStatement statement, int first, List<EventRows.Row> rows, boolean tagged)
      throws SQLException {
    int i = first;
    for (EventRows.Row row : rows) {
      statement.setObject(i++, row.event().eventId());
      statement.setString(i++, row.stored().type().name());
      statement.setInt(i++, row.stored().type().revision());
      statement.setString(i++, row.payload());
      statement.setObject(i++, row.metadata().messageId());
      statement.setObject(i++, row.metadata().correlationId());
      statement.setObject(i++, row.metadata().causationId());
      statement.setString(i++, row.metadata().timestamp().toString());
      statement.setString(i++, row.headers());
      if (tagged) {
        statement.setString(i++, EventRows.tagLiteral(row.event().tags()));
      }
    }
    return i;
  }

  @Override
  public void lockForCondition(Connection connection, java.util.SortedMap<Integer, Boolean> keys,
                               boolean everyAppend) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(lockSql(keys, everyAppend, false))) {
      bindLockKeys(connection, statement, 1, keys);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        checkIsolation(row.getString(1));
      }
    }
  }

  /**
   * The statement that takes a condition's locks and returns the transaction's isolation; for the one-round-trip
   * append it also lets the insert after it use a generic plan: the guarded insert costs more to plan than to run, and
   * its plan does not depend on the values (the setting ends with the transaction, which is the store's own).
   */
  private String lockSql(java.util.SortedMap<Integer, Boolean> keys, boolean everyAppend, boolean generic) {
    StringBuilder sql = new StringBuilder("SELECT current_setting('transaction_isolation')");
    if (generic) {
      // and that plan never a sequential scan: it is made once per connection, maybe while the table is small
      sql.append(", set_config('plan_cache_mode', 'force_generic_plan', true),"
          + " set_config('enable_seqscan', 'off', true)");
    }
    if (everyAppend) {
      sql.append(", pg_advisory_xact_lock(").append(APPENDERS).append(", ").append(appendersKey(events)).append(')');
    }
    // the keys as parameters, so that the statement's text depends only on how many keys are taken which way and
    // stays prepared; taken in ascending order
    if (keys.size() > MAX_KEYS_AS_VALUES) {
      sql.append(", (SELECT count(*) FROM (SELECT CASE WHEN x THEN pg_advisory_xact_lock(").append(CONDITION_KEYS)
          .append(", k) ELSE pg_advisory_xact_lock_shared(").append(CONDITION_KEYS)
          .append(", k) END FROM unnest(?::int4[], ?::bool[]) AS u(k, x)) l)");
    } else {
      for (boolean exclusive : keys.values()) {
        sql.append(exclusive ? ", pg_advisory_xact_lock(" : ", pg_advisory_xact_lock_shared(").append(CONDITION_KEYS)
            .append(", ?)");
      }
    }
    return sql.toString();
  }

  /** Binds the keys of {@link #lockSql} at an index; returns the next one. */
  private static int bindLockKeys(Connection connection, PreparedStatement statement, int first,
                                  java.util.SortedMap<Integer, Boolean> keys) throws SQLException {
    if (keys.size() <= MAX_KEYS_AS_VALUES) {
      return bindKeys(connection, statement, first, keys.keySet());
    }
    statement.setArray(first, connection.createArrayOf("int4", keys.keySet().toArray()));
    statement.setArray(first + 1, connection.createArrayOf("bool", keys.values().toArray()));
    return first + 2;
  }

  private static void checkIsolation(String isolation) {
    if (!"read committed".equals(isolation)) {
      throw new IllegalStateException("an append with a condition needs a READ COMMITTED transaction, but this one is "
          + isolation + ": its snapshot cannot see the appends its condition must wait for");
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Three statements in one round trip, one implicit transaction: the first computes the fence as
   * {@link #readFence} does and keeps it in a transaction-local setting, which the two after it read; each takes its
   * snapshot when it starts, after the one before has finished.
   */
  @Override
  public Optional<FirstPage> readFirstPage(Connection connection, Position after, List<QueryItem> items, int limit)
      throws SQLException {
    String below = "current_setting('" + READ_FENCE + "')::bigint";
    // custom plans for the statements after it: how selective a tag is decides between the tags' index and the
    // global order, and a generic plan, made once for every tag, chose the global order (1.2 ms a read, not 0.2)
    String sql = "SELECT set_config('" + READ_FENCE + "', (CASE WHEN f.recovering THEN f.xmin ELSE"
        + " LEAST(f.xmax, f.appender, CASE WHEN f.unkeyed > 0 THEN f.xmin END) END)::text, true),"
        + " set_config('plan_cache_mode', 'force_custom_plan', true) FROM (" + fence
        + ") AS f(recovering, xmin, xmax, appender, unkeyed); "
        + selectHead().replace("transaction_id < ?", "transaction_id < " + below) + "; "
        + SELECT + events + " WHERE (transaction_id, position) > (?, ?) AND transaction_id < " + below + " AND "
        + matching(items) + " ORDER BY transaction_id, position LIMIT ?";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setLong(1, after.commit());
      statement.setLong(2, after.sequence());
      statement.setInt(bindItems(connection, statement, 3, items), limit);
      statement.execute();
      long fenceRead;
      try (ResultSet row = statement.getResultSet()) {
        row.next();
        fenceRead = Long.parseLong(row.getString(1));
      }
      statement.getMoreResults();
      Position head;
      try (ResultSet row = statement.getResultSet()) {
        head = row.next() ? Position.of(row.getLong("commit_id"), row.getLong("sequence_id")) : Position.START;
      }
      statement.getMoreResults();
      List<EventRows.Raw> rows = new ArrayList<>();
      try (ResultSet result = statement.getResultSet()) {
        while (result.next()) {
          rows.add(EventRows.read(result, 1));
        }
      }
      return Optional.of(new FirstPage(fenceRead, head, rows));
    }
  }

  @Override
  public PreparedStatement selectMatching(Connection connection, Position after, long below, List<QueryItem> items,
                                          int limit, boolean wholeRows) throws SQLException {
    StringBuilder sql = new StringBuilder(wholeRows ? SELECT + events
        : "SELECT transaction_id AS commit_id, position AS sequence_id FROM " + events)
        .append(" WHERE (transaction_id, position) > (?, ?) AND transaction_id < ? AND ").append(matching(items))
        .append(" ORDER BY transaction_id, position LIMIT ?");
    PreparedStatement statement = connection.prepareStatement(sql.toString());
    try {
      int p = 1;
      statement.setLong(p++, after.commit());
      statement.setLong(p++, after.sequence());
      statement.setLong(p++, below);
      statement.setInt(bindItems(connection, statement, p, items), limit);
      return statement;
    } catch (SQLException | RuntimeException e) {
      statement.close();
      throw e;
    }
  }

  @Override
  public boolean isStreamVersionRace(SQLException e) {
    // the server names the constraint in quotes, in every message language; the driver is not a compile dependency
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && "23505".equals(sql.getSQLState()) && sql.getMessage() != null) {
        return sql.getMessage().contains('"' + streamVersionConstraint + '"');
      }
    }
    return false;
  }

  /** Binds the rows one array per column; returns the next parameter's index. */
  private static int bindArrays(Connection connection, PreparedStatement statement, int first,
                                List<EventRows.Row> rows, boolean tagged) throws SQLException {
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
    Object[] tags = new Object[n];
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
      tags[r] = EventRows.tagLiteral(row.event().tags());
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
    statement.setArray(i++, connection.createArrayOf("text", headers));
    if (tagged) {
      statement.setArray(i++, connection.createArrayOf("text", tags));
    }
    return i;
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
    return "SELECT version FROM " + events + " WHERE stream_id = ? ORDER BY version DESC LIMIT 1";
  }
}
