package dev.cqrs.jdbc;

import dev.cqrs.core.AppendCondition;
import dev.cqrs.core.AppendConditionFailedException;
import dev.cqrs.core.AppendResult;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.CqrsException;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventFeed;
import dev.cqrs.core.EventQuery;
import dev.cqrs.core.EventQueryResult;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.Registration;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.core.TransientException;
import dev.cqrs.core.serialization.EventCodec;
import dev.cqrs.core.spi.EventStoreArguments;
import dev.cqrs.core.spi.RepeatedAppends;
import dev.cqrs.jdbc.internal.EventRows;
import dev.cqrs.jdbc.internal.EventSql;
import dev.cqrs.jdbc.internal.FenceWatch;
import dev.cqrs.jdbc.internal.Jdbc;
import dev.cqrs.jdbc.internal.MemoryCheckpoints;
import dev.cqrs.jdbc.internal.PostgresNotifications;
import dev.cqrs.jdbc.internal.PostgresNotifier;
import dev.cqrs.jdbc.internal.ReadAheadFeed;
import dev.cqrs.jdbc.internal.SchemaMigrations;
import dev.cqrs.jdbc.internal.Threads;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventStore} on PostgreSQL or H2, through your {@link javax.sql.DataSource}. It passes the whole contract
 * suite of {@code cqrs-test} on both databases.
 *
 * <pre>{@code
 * JdbcConfig config = JdbcConfig.builder(dataSource).build();
 * JdbcSchema.migrate(config);
 * EventCodec codec = EventCodec.of(types, JacksonSerializer.create(), UpcasterChain.empty());
 * JdbcEventStore store = JdbcEventStore.create(config, codec);
 * }</pre>
 *
 * <ul>
 *   <li>On PostgreSQL an append is one statement that writes only the events table: it reads the stream's last
 *       event, checks the expected version against it and inserts the events; the unique (stream, version) index
 *       refuses a concurrent append of the same versions, so appends to different streams never wait for each other.
 *       An append with {@link ExpectedVersion#any()} or {@link ExpectedVersion#streamExists()} that loses such a race
 *       tries again on the new version (in a transaction of the caller's at read committed isolation; under repeatable
 *       read or serializable, whose snapshot cannot see the new version, it throws a {@link TransientException}:
 *       retry the transaction). The global order is (order key, position), where the order key is the appending
 *       transaction's id, and {@link #readAll} only returns rows below the read fence: the oldest transaction that
 *       is still appending or has appended and not ended yet. A transaction that commits late, with a lower position,
 *       is read after it commits and never skipped. Only appending transactions hold readers back: a transaction that
 *       writes other tables and stays open (idle in transaction, a long batch, a prepared transaction) does not, even
 *       when it appends later (its events then sort after what readers have seen). {@code docs/read-fence.md} gives
 *       the argument. For the same reason {@link #head()} is the last position readable now, which can trail appends
 *       that committed while an older appending transaction is still open; to read your own writes, wait for the
 *       position your append returned.</li>
 *   <li>On H2 an append takes one counter row's lock until it commits, so positions commit in order.</li>
 *   <li>Payloads and headers are {@code json} on PostgreSQL (kept as written, read back without conversion); timestamps are kept to the microsecond.</li>
 *   <li>Catch-up: {@link #openFeed}, which tracking processors read through, reads ahead on a background thread
 *       while the reader is behind, and decodes on the reader's thread, so the database and the processor work at the
 *       same time. The read-ahead takes a pooled connection only while a query runs.</li>
 *   <li>Wake-up hints: appends through this instance wake its listeners at once; on PostgreSQL, appends from other
 *       instances arrive through {@code LISTEN/NOTIFY} on one dedicated connection that the first
 *       {@link #onAppend} listener opens and {@link #close()} closes. With a connection pool, that connection is
 *       taken from the pool for as long as the store listens. The notification is sent after the append commits,
 *       from a background thread that sends at most one every 5 ms: PostgreSQL serializes the commits of notifying
 *       transactions, each of which flushes to disk, which would make concurrent appends wait for each other.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class JdbcEventStore implements EventStore {

  private static final Logger LOG = LoggerFactory.getLogger(JdbcEventStore.class);
  /** How long an append waits for the read models kept in memory to hold it. */
  private static final Duration FOLLOW_WAIT = Duration.ofSeconds(10);
  /** How often an append on any version tries again after concurrent appends took the versions it read. */
  private static final int RACE_ATTEMPTS = 100;
  /** How many matching rows one statement of a read by query returns. */
  private static final int QUERY_PAGE = 1_000;
  /** The least time between two looks at the read fence when readers have caught up. */
  private static final Duration FENCE_LOOK_INTERVAL = Duration.ofSeconds(5);

  private final JdbcConfig config;
  private final EventCodec codec;
  private final EventSql sql;
  private final List<JdbcProjection> inline;
  private final ThreadFactory threads;
  private final FenceWatch fenceWatch;
  /** The highest read fence seen: every event with a lower order key has committed or rolled back. */
  private final AtomicLong fence = new AtomicLong(Long.MIN_VALUE);
  private final List<TrackingProcessor> followers = new CopyOnWriteArrayList<>();
  /** The last position appended by {@link #appendWithin} in a {@link #write} on this thread. */
  private final ThreadLocal<Position> lastWithin = new ThreadLocal<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private PostgresNotifications notifications;
  private PostgresNotifier notifier;
  private volatile boolean closed;

  private JdbcEventStore(JdbcConfig config, EventCodec codec, List<JdbcProjection> inline, ThreadFactory threads,
                         Duration fenceWarning) {
    this.config = config;
    this.codec = codec;
    this.sql = EventSql.of(config);
    this.inline = inline;
    this.threads = threads;
    this.fenceWatch = config.database() == Database.POSTGRESQL
        ? new FenceWatch(this::readFence, fenceWarning, FENCE_LOOK_INTERVAL, fence -> LOG.warn(
            "readers of {} are held back by {}: events appended since it began are delivered only after it ends;"
            + " end it, or find why it stays open (idle in transaction, a long report, a forgotten prepared"
            + " transaction)", config, fence))
        : null;
  }

  /**
   * Creates a store on existing tables (see {@link JdbcSchema#migrate(JdbcConfig)}).
   *
   * @param config where the tables are
   * @param codec how events are serialized
   * @return the store
   */
  public static JdbcEventStore create(JdbcConfig config, EventCodec codec) {
    return builder(config, codec).build();
  }

  /**
   * Starts configuring a store, for example with inline projections.
   *
   * @param config where the tables are
   * @param codec how events are serialized
   * @return a new builder
   */
  public static Builder builder(JdbcConfig config, EventCodec codec) {
    return new Builder(config, codec);
  }

  /**
   * Returns the configuration.
   *
   * @return the configuration
   */
  public JdbcConfig config() {
    return config;
  }

  /**
   * {@inheritDoc}
   *
   * <p>When the configured {@link JdbcConfig#transactions()} report a transaction of the application's on this thread,
   * the append joins it (under a savepoint, so a refusal leaves it usable) and readers are woken after it commits;
   * otherwise the append runs in a transaction of its own.
   */
  @Override
  public AppendResult append(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events) {
    List<NewEvent> checked = EventStoreArguments.checkAppend(streamId, expectedVersion, events, codec.types());
    requireOpen();
    List<EventRows.Row> rows = encode(streamId, checked);
    Optional<Connection> joined = config.transactions().currentTransaction();
    if (joined.isPresent()) {
      Connection connection = joined.get();
      try {
        AppendResult result = appendWithin(connection, streamId, expectedVersion, checked, rows);
        config.transactions().afterCommit(() -> committed(result.lastPosition()));
        return result;
      } finally {
        config.transactions().release(connection);
      }
    }
    String what = "append to stream '" + streamId + "'";
    List<EventSql.Placed> placed = null;
    for (int attempt = 1; placed == null; attempt++) {
      try {
        placed = sql.appendNeedsTransaction() || !inline.isEmpty()
            ? Jdbc.inTransaction(config, what, c -> insert(c, streamId, expectedVersion, rows))
            : Jdbc.withConnection(config, what, c -> insert(c, streamId, expectedVersion, rows));
      } catch (NotAppended notAppended) {
        if (notAppended.retryable(sql, expectedVersion) && attempt < RACE_ATTEMPTS) {
          continue; // a concurrent append took the same versions and committed: the next try reads past it
        }
        // the failed transaction is rolled back and its connection returned: explain on a fresh one
        return Jdbc.withConnection(config, what, c -> explainRefusal(c, streamId, expectedVersion,
            checked, notAppended.getCause()));
      }
    }
    AppendResult result = recorded(streamId, rows, placed);
    committed(result.lastPosition());
    return result;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The condition is checked in the append's transaction, after it has taken what keeps every append that the
   * condition must see out of the way. On PostgreSQL: advisory locks on a tag of each of the query's items (exclusive)
   * and on the new events' tags (shared, as every append takes them), so that appends whose conditions and events do
   * not share a tag never wait for each other; a query item without a tag takes the appenders' lock exclusively and
   * so waits for every append in flight and holds new ones back until it commits. On H2: the counter row that every
   * append holds. On PostgreSQL, outside an application's transaction, the locks and the insert that checks the
   * condition go to the server in one round trip. Inside the application's current transaction (see
   * {@link JdbcConfig#transactions()}) it runs under a savepoint. On PostgreSQL the transaction must be READ COMMITTED
   * (an {@link IllegalStateException} says so otherwise, and nothing is stored).
   */
  @Override
  public AppendResult append(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events,
                             AppendCondition condition) {
    Objects.requireNonNull(condition, "condition must not be null");
    List<NewEvent> checked = EventStoreArguments.checkAppend(streamId, expectedVersion, events, codec.types());
    requireOpen();
    List<EventRows.Row> rows = encode(streamId, checked);
    List<EventSql.QueryItem> items = storedItems(condition.failIfEventsMatch());
    String what = "append to stream '" + streamId + "' with a condition";
    Optional<Connection> joined = config.transactions().currentTransaction();
    if (joined.isPresent()) {
      Connection connection = joined.get();
      try {
        AppendResult result = underSavepoint(connection, what, (c, savepoint) -> {
          for (int attempt = 1; ; attempt++) {
            try {
              return conditional(c, streamId, expectedVersion, checked, rows, condition, items);
            } catch (NotAppended notAppended) {
              c.rollback(savepoint);
              if (!notAppended.retryable(sql, expectedVersion) || attempt >= RACE_ATTEMPTS) {
                return explainRefusal(c, streamId, expectedVersion, checked, notAppended.getCause());
              }
            }
          }
        });
        config.transactions().afterCommit(() -> committed(result.lastPosition()));
        return result;
      } finally {
        config.transactions().release(connection);
      }
    }
    boolean alone = !items.isEmpty() && inline.isEmpty() && sql.appendsConditionallyAlone();
    for (int attempt = 1; ; attempt++) {
      try {
        AppendResult result = alone ? conditionalAlone(streamId, expectedVersion, checked, rows, condition, items, what)
            : Jdbc.inTransaction(config, what,
                c -> conditional(c, streamId, expectedVersion, checked, rows, condition, items));
        committed(result.lastPosition());
        return result;
      } catch (NotAppended notAppended) {
        if (!notAppended.retryable(sql, expectedVersion) || attempt >= RACE_ATTEMPTS) {
          return Jdbc.withConnection(config, what, c -> explainRefusal(c, streamId, expectedVersion, checked,
              notAppended.getCause()));
        }
      }
    }
  }

  /**
   * One conditional append in a transaction: the locks, then the check, then the insert, each in a statement of its
   * own. A refused condition may be an exact repeat, whose own events match it: that answers with the earlier result.
   */
  private AppendResult conditional(Connection connection, String streamId, ExpectedVersion expected,
                                   List<NewEvent> checked, List<EventRows.Row> rows, AppendCondition condition,
                                   List<EventSql.QueryItem> items) throws SQLException {
    if (items.isEmpty()) {
      return recorded(streamId, rows, insert(connection, streamId, expected, rows)); // the query matches nothing
    }
    sql.lockForCondition(connection, lockKeys(rows, items), EventSql.needsEveryAppend(items));
    Optional<Position> conflict = sql.firstMatchAfter(connection, condition.after(), items);
    if (conflict.isPresent()) {
      return refused(connection, streamId, checked, condition, conflict.get());
    }
    return recorded(streamId, rows, insert(connection, streamId, expected, rows));
  }

  /**
   * A conditional append in one round trip on an auto-commit connection (PostgreSQL): the locks and the insert with
   * its check go together. When nothing was inserted, the append runs again in a transaction, which refuses it for
   * the reason that holds (a match after the condition's position, or the expected version) or appends when the
   * one-trip check could not decide.
   */
  private AppendResult conditionalAlone(String streamId, ExpectedVersion expected, List<NewEvent> checked,
                                        List<EventRows.Row> rows, AppendCondition condition,
                                        List<EventSql.QueryItem> items, String what) {
    Optional<List<EventSql.Placed>> placed = Jdbc.withConnection(config, what, c -> {
      try {
        return sql.appendUnlessMatched(c, streamId, expected, rows, lockKeys(rows, items),
            EventSql.needsEveryAppend(items), condition.after(), items);
      } catch (SQLException e) {
        if (Jdbc.isUniqueViolation(e)) {
          throw new NotAppended(e);
        }
        throw e;
      }
    });
    if (placed.isPresent()) {
      return recorded(streamId, rows, placed.get());
    }
    // the condition, the expected version, or a check that saw too many recent events to decide: a transaction tells
    return Jdbc.inTransaction(config, what,
        c -> conditional(c, streamId, expected, checked, rows, condition, items));
  }

  /** The advisory lock keys of a conditional append: its events' tags shared, its query's tags exclusive. */
  private static java.util.SortedMap<Integer, Boolean> lockKeys(List<EventRows.Row> rows,
                                                                List<EventSql.QueryItem> items) {
    java.util.SortedMap<Integer, Boolean> keys = new java.util.TreeMap<>();
    EventSql.writeKeys(rows).forEach(key -> keys.put(key, false));
    EventSql.conditionKeys(items).forEach(key -> keys.put(key, true));
    return keys;
  }

  /** A condition that found a match: the earlier result when the append repeats stored events, else the refusal. */
  private AppendResult refused(Connection connection, String streamId, List<NewEvent> checked,
                               AppendCondition condition, Position conflict) throws SQLException {
    Optional<AppendResult> earlier = RepeatedAppends.earlierResult(streamId, checked, storedEvents(connection, checked));
    if (earlier.isPresent()) {
      return earlier.get();
    }
    throw new AppendConditionFailedException(streamId, condition, conflict);
  }

  /** The query's items in stored terms; an item whose every type is unknown to the registry matches nothing. */
  private List<EventSql.QueryItem> storedItems(EventQuery query) {
    List<EventSql.QueryItem> items = new ArrayList<>();
    for (EventQuery.Item item : query.items()) {
      java.util.Set<String> names = new java.util.TreeSet<>();
      for (Class<? extends Event> type : item.types()) {
        codec.types().find(type).ifPresent(stored -> names.add(stored.name()));
      }
      if (item.types().isEmpty() || !names.isEmpty()) {
        items.add(new EventSql.QueryItem(names, item.tags()));
      }
    }
    return items;
  }

  /** The stored events among the given ones' ids, by id. */
  private Map<UUID, RecordedEvent> storedEvents(Connection connection, List<NewEvent> events) throws SQLException {
    Map<UUID, RecordedEvent> stored = new HashMap<>();
    try (PreparedStatement select = connection.prepareStatement(sql.selectByEventIds())) {
      select.setObject(1, sql.eventIdArray(connection, events.stream().map(NewEvent::eventId).toList()));
      try (ResultSet result = select.executeQuery()) {
        while (result.next()) {
          RecordedEvent event = EventRows.map(result, 1, codec);
          stored.put(event.eventId(), event);
        }
      }
    }
    return stored;
  }

  /**
   * Appends within a transaction of the caller's, for work that must commit together with other writes (a
   * state-stored entity's new state, an outbox row). Inline projections run too. The append runs under a savepoint:
   * when it is refused (a conflict, a repeat of stored event ids) or an inline projection fails, everything it wrote
   * is rolled back to that savepoint and the caller's transaction stays usable; the refusal is explained on the
   * caller's connection. Readers are woken after the caller commits when the connection is the current transaction of
   * the configured {@link JdbcConfig#transactions()} (as inside {@link PlainTransactions#inTransaction}); otherwise no
   * hint is sent and readers find the events at their next poll.
   *
   * @param connection the caller's connection, with auto-commit off; the caller commits or rolls back
   * @param streamId the stream
   * @param expectedVersion what the stream's version must be
   * @param events the events
   * @return what will be stored once the caller commits; for an exact repeat of stored events, the earlier result
   * @throws IllegalArgumentException if the connection is in auto-commit mode
   * @throws ConcurrencyConflictException if the expected version does not hold; nothing of this append remains in
   *     the caller's transaction
   */
  public AppendResult append(Connection connection, String streamId, ExpectedVersion expectedVersion,
                             List<NewEvent> events) {
    Objects.requireNonNull(connection, "connection must not be null");
    List<NewEvent> checked = EventStoreArguments.checkAppend(streamId, expectedVersion, events, codec.types());
    requireOpen();
    List<EventRows.Row> rows = encode(streamId, checked);
    AppendResult result = appendWithin(connection, streamId, expectedVersion, checked, rows);
    hintAfterCommitOf(connection, result.lastPosition());
    return result;
  }

  /**
   * Runs writes of the library's (a state save with its append) in the application's current transaction, under a
   * savepoint, or else in a transaction of its own; wakes readers after the commit. Appends inside call
   * {@link #appendWithin}.
   */
  <T> T write(String what, Jdbc.SqlWork<T> work) {
    requireOpen();
    Optional<Connection> joined = config.transactions().currentTransaction();
    lastWithin.remove();
    if (joined.isEmpty()) {
      T result = Jdbc.inTransaction(config, what, work);
      committed(lastWithin.get());
      return result;
    }
    Connection connection = joined.get();
    try {
      T result = underSavepoint(connection, what, (c, savepoint) -> work.apply(c));
      Position last = lastWithin.get();
      config.transactions().afterCommit(() -> committed(last));
      return result;
    } finally {
      config.transactions().release(connection);
      lastWithin.remove();
    }
  }

  /** Appends within a transaction that is not the store's: under a savepoint, explaining a refusal on the same one. */
  AppendResult appendWithin(Connection connection, String streamId, ExpectedVersion expected,
                            List<NewEvent> events) {
    List<NewEvent> checked = EventStoreArguments.checkAppend(streamId, expected, events, codec.types());
    AppendResult result = appendWithin(connection, streamId, expected, checked, encode(streamId, checked));
    lastWithin.set(result.lastPosition());
    return result;
  }

  private AppendResult appendWithin(Connection connection, String streamId, ExpectedVersion expected,
                                    List<NewEvent> checked, List<EventRows.Row> rows) {
    String what = "append to stream '" + streamId + "'";
    return underSavepoint(connection, what, (c, savepoint) -> {
      for (int attempt = 1; ; attempt++) {
        try {
          return recorded(streamId, rows, insert(c, streamId, expected, rows));
        } catch (NotAppended notAppended) {
          c.rollback(savepoint); // on PostgreSQL the refused statement aborted the transaction up to the savepoint
          if (!notAppended.retryable(sql, expected)) {
            return explainRefusal(c, streamId, expected, checked, notAppended.getCause());
          }
          if (c.getTransactionIsolation() != Connection.TRANSACTION_READ_COMMITTED || attempt >= RACE_ATTEMPTS) {
            // a repeatable read snapshot would read the old version again on every try
            throw new TransientException(what + " (expected version " + expected + ") lost the race for the"
                + " stream's next version to a concurrent append that committed after this transaction's snapshot"
                + " was taken; retry the transaction", notAppended.getCause());
          }
        }
      }
    });
  }

  /**
   * Work under a savepoint.
   *
   * @param <T> the result type
   */
  @FunctionalInterface
  private interface SavepointWork<T> {
    T apply(Connection connection, Savepoint savepoint) throws SQLException;
  }

  /**
   * Runs work under a savepoint of a transaction the store does not own: a failure rolls back to the savepoint, so the
   * transaction stays usable, and passes through. Refuses auto-commit connections, on which the work would not be
   * atomic.
   */
  private static <T> T underSavepoint(Connection connection, String what, SavepointWork<T> work) {
    Savepoint savepoint;
    try {
      if (connection.getAutoCommit()) {
        throw new IllegalArgumentException(what + " needs a connection in a transaction, but the connection is in"
            + " auto-commit mode; call connection.setAutoCommit(false) first, or append without a connection");
      }
      savepoint = connection.setSavepoint();
    } catch (SQLException e) {
      throw Jdbc.translate(e, what);
    }
    try {
      T result = work.apply(connection, savepoint);
      connection.releaseSavepoint(savepoint);
      return result;
    } catch (SQLException e) {
      rollbackQuietly(connection, savepoint, e);
      throw Jdbc.translate(e, what);
    } catch (RuntimeException | Error e) {
      rollbackQuietly(connection, savepoint, e);
      throw e;
    }
  }

  private static void rollbackQuietly(Connection connection, Savepoint savepoint, Throwable cause) {
    try {
      connection.rollback(savepoint);
    } catch (SQLException rollback) {
      cause.addSuppressed(rollback);
    }
  }

  /** Wakes readers after the caller commits, when the connection is the current transaction of the configuration. */
  private void hintAfterCommitOf(Connection connection, Position last) {
    Optional<Connection> current = config.transactions().currentTransaction();
    if (current.isPresent()) {
      try {
        if (current.get() == connection) {
          config.transactions().afterCommit(() -> committed(last));
        }
      } finally {
        config.transactions().release(current.get());
      }
    }
  }

  private List<EventRows.Row> encode(String streamId, List<NewEvent> checked) {
    List<EventRows.Row> rows = new ArrayList<>(checked.size());
    for (NewEvent event : checked) {
      rows.add(EventRows.Row.of(event, codec.encode(event.payload(), "stream '" + streamId + "'")));
    }
    return rows;
  }

  private static AppendResult recorded(String streamId, List<EventRows.Row> rows, List<EventSql.Placed> placed) {
    List<RecordedEvent> recorded = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      recorded.add(rows.get(i).recorded(streamId, placed.get(i).version(), placed.get(i).position()));
    }
    return new AppendResult(streamId, recorded);
  }

  /** Inserts, and applies inline projections (always in a transaction); signals a refusal with {@link NotAppended}. */
  private List<EventSql.Placed> insert(Connection connection, String streamId, ExpectedVersion expected,
                                       List<EventRows.Row> rows) throws SQLException {
    List<EventSql.Placed> placed;
    try {
      placed = sql.insert(connection, streamId, expected, rows);
    } catch (SQLException e) {
      if (Jdbc.isUniqueViolation(e)) {
        throw new NotAppended(e);
      }
      throw e;
    }
    if (placed == null) {
      throw new NotAppended();
    }
    applyInline(connection, streamId, rows, placed);
    return placed;
  }

  /** Applies the inline projections to what an insert placed, on the insert's connection. */
  private void applyInline(Connection connection, String streamId, List<EventRows.Row> rows,
                           List<EventSql.Placed> placed) throws SQLException {
    for (JdbcProjection projection : inline) {
      List<RecordedEvent> handled = new ArrayList<>(rows.size());
      for (int i = 0; i < rows.size(); i++) {
        EventRows.Row row = rows.get(i);
        if (projection.handles(row.event().payload().getClass())) {
          handled.add(row.recorded(streamId, placed.get(i).version(), placed.get(i).position()));
        }
      }
      if (!handled.isEmpty()) {
        projection.applyBatch(handled, connection);
      }
    }
  }

  /**
   * After a refused append: the earlier result of an exact repeat, or the exception that says why; a refusal by a
   * unique constraint keeps the database's message as the conflict's cause.
   */
  private AppendResult explainRefusal(Connection connection, String streamId, ExpectedVersion expected,
                                      List<NewEvent> events, Throwable constraint) throws SQLException {
    var earlier = RepeatedAppends.earlierResult(streamId, events, storedEvents(connection, events));
    if (earlier.isPresent()) {
      return earlier.get();
    }
    ConcurrencyConflictException conflict =
        new ConcurrencyConflictException(streamId, expected, streamVersion(connection, streamId));
    if (constraint != null) {
      conflict.initCause(constraint);
    }
    throw conflict;
  }

  private long streamVersion(Connection connection, String streamId) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(sql.selectStreamVersion())) {
      select.setString(1, streamId);
      try (ResultSet result = select.executeQuery()) {
        return result.next() ? result.getLong(1) : 0;
      }
    }
  }

  @Override
  public Optional<RecordedEvent> readEvent(UUID eventId) {
    Objects.requireNonNull(eventId, "eventId must not be null");
    requireOpen();
    return Jdbc.withConnection(config, "read of event " + eventId, connection -> {
      try (PreparedStatement select = connection.prepareStatement(sql.selectByEventIds())) {
        select.setObject(1, sql.eventIdArray(connection, List.of(eventId)));
        return mapAll(select).stream().findFirst();
      }
    });
  }

  @Override
  public List<RecordedEvent> readStream(String streamId, long fromVersion) {
    EventStoreArguments.checkReadStream(streamId, fromVersion);
    requireOpen();
    return Jdbc.withConnection(config, "read of stream '" + streamId + "'", connection -> {
      try (PreparedStatement select = connection.prepareStatement(sql.selectStream())) {
        select.setString(1, streamId);
        select.setLong(2, fromVersion);
        select.setFetchSize(500);
        return mapAll(select);
      }
    });
  }

  /**
   * Reads the events that match a query after a position, in global order, and the position the read is complete up
   * to, the basis of a decision's append condition.
   *
   * <p>Reads by index where the query allows: on PostgreSQL an item with tags is looked up in the tags' GIN index; an
   * item of types only is checked against the global order. The read stops at the read fence it reads first (see
   * {@link #readFence()}), so every event that could still appear at or before {@code readTo} has been considered;
   * {@code readTo} is the last event below that fence, matching or not, so that a condition on the result looks only
   * at what was appended since. An event committed but not yet below the fence is left to the next read, and a
   * condition on this result then refuses the append, so the decision is made again with it.
   *
   * @param query the query
   * @param after the position to read after; {@link Position#START} reads from the beginning
   * @return the matching events and the position read to
   */
  @Override
  public EventQueryResult read(EventQuery query, Position after) {
    Objects.requireNonNull(query, "query must not be null");
    EventStoreArguments.checkReadAll(after, MAX_READ_LIMIT);
    requireOpen();
    List<EventSql.QueryItem> items = storedItems(query);
    if (items.isEmpty()) {
      return new EventQueryResult(List.of(), after); // every item names only unregistered types: nothing can match
    }
    Position[] head = new Position[1];
    List<EventRows.Raw> rows = Jdbc.withConnection(config, "read by query after " + after, connection -> {
      Optional<EventSql.FirstPage> first = sql.readFirstPage(connection, after, items, QUERY_PAGE);
      long below;
      List<EventRows.Raw> read = new ArrayList<>();
      Position from = after;
      if (first.isPresent()) { // PostgreSQL: the three in one round trip
        below = first.get().fence();
        fence.accumulateAndGet(below, Math::max);
        head[0] = first.get().head();
        read.addAll(first.get().rows());
        if (read.size() < QUERY_PAGE) {
          return read;
        }
        from = read.get(read.size() - 1).position();
      } else {
        below = readFence(connection);
        // the head first: on H2, where no fence holds appends back, an event committed after the matches were read
        // must not lie below readTo
        head[0] = headBelow(connection, below);
      }
      while (true) {
        List<EventRows.Raw> page;
        try (PreparedStatement select = sql.selectMatching(connection, from, below, items, QUERY_PAGE, true)) {
          page = readRows(select, QUERY_PAGE);
        }
        read.addAll(page);
        if (page.size() < QUERY_PAGE) {
          return read;
        }
        from = page.get(page.size() - 1).position();
      }
    });
    List<RecordedEvent> events = EventRows.decodeAll(rows, codec);
    Position readTo = head[0].isAfter(after) ? head[0] : after;
    if (!events.isEmpty() && events.get(events.size() - 1).position().isAfter(readTo)) {
      readTo = events.get(events.size() - 1).position(); // a match that committed after the head was read
    }
    return new EventQueryResult(events, readTo);
  }

  /** The last event below a read fence, in a statement after the one that read the fence. */
  private Position headBelow(Connection connection, long below) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(sql.selectHead())) {
      select.setLong(1, below);
      try (ResultSet result = select.executeQuery()) {
        return result.next() ? Position.of(result.getLong("commit_id"), result.getLong("sequence_id"))
            : Position.START;
      }
    }
  }

  @Override
  public List<RecordedEvent> readAll(Position after, int limit) {
    EventStoreArguments.checkReadAll(after, limit);
    requireOpen();
    return EventRows.decodeAll(readRaw(after, limit), codec);
  }

  /**
   * Opens a feed that reads ahead while the reader catches up: while the caller decodes and handles a batch, a
   * background thread of the feed queries the next ones (at most two batches ahead), so that the database and the
   * caller work at the same time. When a read returns less than a full batch, the reader has caught up and the
   * read-ahead thread ends; later calls read on the caller's thread until the reader falls behind again. What the feed
   * returns is exactly what {@link #readAll} calls in a row would return.
   */
  @Override
  public EventFeed openFeed(Position after, int batchSize) {
    EventStoreArguments.checkReadAll(after, batchSize);
    requireOpen();
    return new ReadAheadFeed(this::readRaw, codec, after, batchSize, threads);
  }

  private List<EventRows.Raw> readRaw(Position after, int limit) {
    List<EventRows.Raw> rows = Jdbc.withConnection(config, "read of all events after " + after,
        connection -> {
          long known = fence.get();
          List<EventRows.Raw> read = readBelow(connection, after, known, limit);
          if (read.size() < limit) {
            long now = readFence(connection);
            if (now > known) {
              Position from = read.isEmpty() ? after : read.get(read.size() - 1).position();
              read.addAll(readBelow(connection, from, now, limit - read.size()));
            }
          }
          return read;
        });
    if (fenceWatch != null && rows.size() < limit) {
      try {
        fenceWatch.readerCaughtUp();
      } catch (RuntimeException e) {
        LOG.debug("could not look at the read fence", e);
      }
    }
    return rows;
  }

  private List<EventRows.Raw> readBelow(Connection connection, Position after, long below, int limit)
      throws SQLException {
    if (after.commit() >= below) {
      return new ArrayList<>();
    }
    try (PreparedStatement select = connection.prepareStatement(sql.selectAfter())) {
      select.setLong(1, after.commit());
      select.setLong(2, after.sequence());
      select.setLong(3, below);
      select.setInt(4, limit);
      return readRows(select, limit);
    }
  }

  /** Reads the read fence in a statement of its own and keeps the highest one seen: a fence once read stays valid. */
  private long readFence(Connection connection) throws SQLException {
    long now = sql.readFence(connection);
    return fence.accumulateAndGet(now, Math::max);
  }

  /**
   * Returns the transaction that holds PostgreSQL readers back now: the oldest open transaction that has appended to
   * this store (or is appending), if any. Readers see only events older than it, so its age is how long events
   * appended since it began may wait before processors see them; publish it as a metric. The store logs it once per
   * episode when it is older than {@link Builder#fenceWarning}. Transactions that do not append (reports, batch
   * updates of other tables, sessions idle in transaction) never hold readers back. H2 has no such fence: its readers
   * are held back only by appends, for as long as they take.
   *
   * @return the holding transaction, or empty when no transaction is appending (or on H2)
   */
  public Optional<ReadFence> readFence() {
    requireOpen();
    Optional<String> holder = sql.selectFenceHolder();
    if (holder.isEmpty()) {
      return Optional.empty();
    }
    return Jdbc.withConnection(config, "read of the read fence", connection -> {
      try (PreparedStatement select = connection.prepareStatement(holder.get());
           ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        return Optional.of(new ReadFence(row.getInt(1), row.getString(2), row.getString(3),
            Duration.ofMillis(Math.max(0, row.getLong(4))), row.getLong(5)));
      }
    });
  }

  private static List<EventRows.Raw> readRows(PreparedStatement select, int limit) throws SQLException {
    List<EventRows.Raw> rows = new ArrayList<>(Math.min(limit, 1000));
    try (ResultSet result = select.executeQuery()) {
      while (result.next()) {
        rows.add(EventRows.read(result, 1));
      }
    }
    return rows;
  }

  private List<RecordedEvent> mapAll(PreparedStatement select) throws SQLException {
    List<RecordedEvent> events = new ArrayList<>();
    try (ResultSet result = select.executeQuery()) {
      while (result.next()) {
        events.add(EventRows.map(result, 1, codec));
      }
    }
    return events;
  }

  @Override
  public Position head() {
    requireOpen();
    return Jdbc.withConnection(config, "read of the head position",
        connection -> headBelow(connection, readFence(connection)));
  }

  @Override
  public long countAfter(Position after) {
    Objects.requireNonNull(after, "after must not be null");
    requireOpen();
    return Jdbc.withConnection(config, "count of events after " + after, connection -> {
      long below = readFence(connection);
      try (PreparedStatement select = connection.prepareStatement(sql.countAfter())) {
        select.setLong(1, after.commit());
        select.setLong(2, after.sequence());
        select.setLong(3, below);
        try (ResultSet result = select.executeQuery()) {
          result.next();
          return result.getLong(1);
        }
      }
    });
  }

  @Override
  public Registration onAppend(Runnable listener) {
    Objects.requireNonNull(listener, "listener must not be null");
    requireOpen();
    listeners.add(listener);
    startListening();
    return () -> listeners.remove(listener);
  }

  private synchronized void startListening() {
    if (notifications == null && !closed && config.database() == Database.POSTGRESQL) {
      notifications = new PostgresNotifications(config.dataSource(), config.tablePrefix() + "events", this::wakeUp,
          threads);
    }
  }

  /**
   * After an append committed: wakes readers, then waits until the read models kept in memory
   * ({@link Builder#inMemoryProjection}) hold the append, so that a command's effect is visible when it returns.
   */
  private void committed(Position last) {
    appended();
    if (last == null || followers.isEmpty()) {
      return;
    }
    for (TrackingProcessor follower : followers) {
      try {
        if (!follower.awaitPosition(last, FOLLOW_WAIT)) {
          LOG.warn("the in-memory read model '{}' did not reach {} within {} ({}); the append is stored and the read"
              + " model catches up on its own", follower.name(), last, FOLLOW_WAIT, follower.status());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** After an append committed: wake this instance's listeners, and tell other instances through the database. */
  private void appended() {
    wakeUp();
    if (config.database() == Database.POSTGRESQL) {
      PostgresNotifier current = notifier();
      if (current != null) {
        current.appended();
      }
    }
  }

  private synchronized PostgresNotifier notifier() {
    if (closed) {
      return null; // an append that raced with close: its events are stored, readers poll
    }
    if (notifier == null) {
      notifier = new PostgresNotifier(config.dataSource(), config.tablePrefix() + "events", threads);
    }
    return notifier;
  }

  private void wakeUp() {
    for (Runnable listener : listeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        LOG.warn("wake-up listener {} failed; ignoring it", listener, e);
      }
    }
  }

  /**
   * Closes the store: stops listening for notifications and ends the notifier thread. Afterwards every read, append,
   * feed and listener registration fails with an {@link IllegalStateException}; stop the processors that read this
   * store first. Closing twice does nothing.
   */
  @Override
  public void close() {
    for (TrackingProcessor follower : followers) {
      follower.stop();
    }
    closeResources();
  }

  private synchronized void closeResources() {
    closed = true;
    if (notifications != null) {
      notifications.close();
      notifications = null;
    }
    if (notifier != null) {
      notifier.close();
      notifier = null;
    }
  }

  /**
   * Waits until every read model of {@link Builder#inMemoryProjection} holds the event at a position, for example one
   * that another instance of the application appended (this instance's own appends are held when they return).
   *
   * @param position a position from an append of any instance
   * @param timeout the longest wait
   * @return {@code true} when they hold it (or there are none), {@code false} on timeout
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public boolean awaitInMemoryProjections(Position position, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(position, "position must not be null");
    Objects.requireNonNull(timeout, "timeout must not be null");
    long deadline = System.nanoTime() + timeout.toNanos();
    for (TrackingProcessor follower : followers) {
      if (!follower.awaitPosition(position, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
        return false;
      }
    }
    return true;
  }

  /** Starts a read model kept in memory and waits until it holds every event stored now. */
  private void follow(Projection projection) {
    TrackingProcessor follower = TrackingProcessor.builder("in-memory-read-model-" + (followers.size() + 1), this,
        projection, new MemoryCheckpoints()).threadFactory(threads).build();
    followers.add(follower);
    follower.start();
    Position head = head();
    try {
      if (!follower.awaitPosition(head, Duration.ofMinutes(10))) {
        throw new CqrsException("the in-memory read model " + projection + " could not catch up with " + head
            + ": " + follower.failure().map(Throwable::toString).orElse(follower.status().toString()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CqrsException("interrupted while the in-memory read model " + projection + " caught up", e);
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException(this + " is closed");
    }
  }

  @Override
  public String toString() {
    return "JdbcEventStore[" + config + "]";
  }

  /** A refused append: the expected version did not hold, or an event id is stored already. */
  private static final class NotAppended extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A refusal by the version check. */
    NotAppended() {
      super(null, null, false, false);
    }

    /** A refusal by a unique constraint: which one goes with the explanation. */
    NotAppended(SQLException constraint) {
      super(null, constraint, false, false);
    }

    /** Tells whether a retry can succeed: the expectation holds on any version, and the refusal was a lost race. */
    boolean retryable(EventSql sql, ExpectedVersion expected) {
      return (expected.equals(ExpectedVersion.any()) || expected.equals(ExpectedVersion.streamExists()))
          && getCause() instanceof SQLException constraint && sql.isStreamVersionRace(constraint);
    }
  }

  /** Configures a {@link JdbcEventStore}. Not thread-safe. */
  public static final class Builder {

    private SchemaMigrations migrations = SchemaMigrations.SHIPPED;

    private final JdbcConfig config;
    private final EventCodec codec;
    private final List<JdbcProjection> inline = new ArrayList<>();
    private final List<Projection> inMemory = new ArrayList<>();
    private ThreadFactory threads = Threads.daemon("cqrs-jdbc");
    private Duration fenceWarning = Duration.ofSeconds(30);

    private Builder(JdbcConfig config, EventCodec codec) {
      this.config = Objects.requireNonNull(config, "config must not be null");
      this.codec = Objects.requireNonNull(codec, "codec must not be null");
    }

    /**
     * Adds an inline projection: it runs in every append's transaction, so its read model commits with the events
     * and is never stale; if it fails, the append fails and nothing of either is stored. Its read model must live in
     * the database, written through the connection it gets: other instances of the application append to the same
     * database, and a read model kept in this JVM's memory would never see their appends. Keep such read models with
     * {@link #inMemoryProjection}, which is fed every instance's appends and is never stale for this instance's. It gets the append's events
     * that it handles with one {@link JdbcProjection#applyBatch} call.
     *
     * @param projection the projection
     * @return this builder
     */
    public Builder inlineProjection(JdbcProjection projection) {
      inline.add(Objects.requireNonNull(projection, "projection must not be null"));
      return this;
    }

    /**
     * Adds a read model kept in this JVM's memory and fed every append to the database, this instance's and every
     * other instance's, each event once and in the global order. The store builds it from the stored events before
     * {@link #build()} returns, and each append through this store returns only once the read model holds it (waiting
     * at most 10 seconds, then logging), so that a command's effect is visible as soon as it returns, as with an
     * inline projection. Use it instead of an inline {@link JdbcProjection} that would keep its read model in memory:
     * that one would never see the appends of the other instances.
     *
     * @param projection the projection; it is applied from one thread of the store's
     * @return this builder
     */
    public Builder inMemoryProjection(Projection projection) {
      inMemory.add(Objects.requireNonNull(projection, "projection must not be null"));
      return this;
    }

    /**
     * Sets the factory of the store's background threads: the read-ahead of catching-up feeds and, on PostgreSQL,
     * the notification listener and sender. The default makes daemon threads named {@code cqrs-jdbc-N}.
     *
     * @param threadFactory the factory
     * @return this builder
     */
    public Builder threadFactory(ThreadFactory threadFactory) {
      this.threads = Objects.requireNonNull(threadFactory, "threadFactory must not be null");
      return this;
    }

    /**
     * Sets the age from which the store logs, once per episode, the PostgreSQL transaction that holds its readers back
     * ({@link JdbcEventStore#readFence()}); the default is 30 seconds. The store looks when a reader has caught up,
     * at most every 5 seconds.
     *
     * @param threshold 1 second to 1 day
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder fenceWarning(Duration threshold) {
      Objects.requireNonNull(threshold, "threshold must not be null");
      if (threshold.compareTo(Duration.ofSeconds(1)) < 0 || threshold.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("fenceWarning must be between 1 second and 1 day, but was " + threshold);
      }
      this.fenceWarning = threshold;
      return this;
    }

    /** Replaces the migration files the schema version is checked against; for the library's own tests. */
    Builder schemaMigrations(SchemaMigrations migrations) {
      this.migrations = Objects.requireNonNull(migrations, "migrations");
      return this;
    }

    /**
     * Builds the store, after checking that the schema is at {@link JdbcSchema#VERSION} and, on PostgreSQL, that the
     * stored order keys belong to this cluster.
     *
     * @return the store
     * @throws CqrsException if the schema is missing, older or newer than this release supports; the message says
     *     what to run
     */
    public JdbcEventStore build() {
      migrations.requireSupported(config);
      if (config.database() == Database.POSTGRESQL) {
        requireOrderKeysOfThisCluster(config);
      }
      JdbcEventStore store = new JdbcEventStore(config, codec, List.copyOf(inline), threads, fenceWarning);
      for (Projection projection : inMemory) {
        store.follow(projection);
      }
      return store;
    }

    /**
     * Order keys are transaction ids of the cluster that wrote them. Events restored into another cluster (a dump and
     * restore, logical replication) can hold keys above every transaction id of this one: readers would never see
     * them, and new events would sort before every checkpoint. That is refused at once instead of stalling silently.
     */
    private static void requireOrderKeysOfThisCluster(JdbcConfig config) {
      Jdbc.withConnection(config, "check of the order keys", connection -> {
        try (PreparedStatement select = connection.prepareStatement("SELECT (SELECT max(transaction_id) FROM "
            + config.table("events") + "), pg_snapshot_xmax(pg_current_snapshot())::text::bigint");
             ResultSet row = select.executeQuery()) {
          row.next();
          long highest = row.getLong(1);
          boolean empty = row.wasNull();
          long next = row.getLong(2);
          if (!empty && highest >= next) {
            throw new CqrsException("the events in " + config.table("events") + " hold order keys up to " + highest
                + ", but this PostgreSQL cluster has handed out transaction ids only below " + next + ": they were"
                + " written by another cluster and restored here (a dump and restore, or logical replication), so"
                + " readers would never see them. Restore into a cluster whose transaction ids are past " + highest
                + " (a physical copy keeps them), or re-key them with JdbcSchema.rekeyRestored(config)");
          }
        }
        return null;
      });
    }
  }
}
