package dev.cqrs.jdbc.internal;

import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Position;
import dev.cqrs.jdbc.Database;
import dev.cqrs.jdbc.JdbcConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The SQL of one database for the event store. Implementations are immutable and thread-safe. */
public interface EventSql {

  /**
   * Returns the SQL for a configuration's database.
   *
   * @param config the configuration
   * @return the dialect
   */
  static EventSql of(JdbcConfig config) {
    return config.database() == Database.POSTGRESQL ? new PostgresEventSql(config) : new H2EventSql(config);
  }

  /**
   * Tells whether an append must run in an explicit transaction even without inline projections.
   *
   * @return {@code true} when the append takes several statements
   */
  boolean appendNeedsTransaction();

  /**
   * Inserts a batch if the stream's version satisfies the expectation.
   *
   * @param connection the connection, in a transaction when {@link #appendNeedsTransaction()} says so
   * @param streamId the stream
   * @param expected the expectation
   * @param rows the rows
   * @return the position and version of each row, or {@code null} when the expectation did not hold
   * @throws SQLException on a database failure, including a unique violation for a stored event id
   */
  List<Placed> insert(Connection connection, String streamId, ExpectedVersion expected, List<EventRows.Row> rows)
      throws SQLException;

  /**
   * Tells whether a failed insert lost a race for the same stream versions against a concurrent append that has
   * committed since: a retry reads the new version. Where an append locks its stream first (H2), never.
   *
   * @param e the failure
   * @return {@code true} for a unique violation of the (stream, version) index
   */
  default boolean isStreamVersionRace(SQLException e) {
    return false;
  }

  /**
   * One item of an event query in stored terms.
   *
   * @param typeNames the stored type names, one of which the event's must be; empty for any
   * @param tags the tags the event must all carry; empty for any
   */
  record QueryItem(java.util.Set<String> typeNames, java.util.Set<String> tags) {
  }

  /**
   * Takes what makes a condition's check atomic with the append that follows in the same transaction: on PostgreSQL,
   * the condition's tag keys exclusively and the new events' tag keys shared, in ascending order, after the appenders'
   * lock itself, exclusively when an item of the condition has no tag (such a condition waits for every append); on
   * H2, the append counter.
   *
   * @param connection the connection, in a transaction
   * @param keys the tag keys in ascending order, {@code true} for exclusive
   * @param everyAppend whether the condition must hold every other append back (an item without a tag)
   * @throws SQLException on a database failure
   * @throws IllegalStateException if the transaction's isolation cannot see what the check must see
   */
  void lockForCondition(Connection connection, java.util.SortedMap<Integer, Boolean> keys, boolean everyAppend)
      throws SQLException;

  /**
   * Tells whether {@link #appendUnlessMatched} appends with a condition in one round trip, without a transaction of
   * the store's.
   *
   * @return {@code true} when it does
   */
  default boolean appendsConditionallyAlone() {
    return false;
  }

  /**
   * Appends a batch with a condition on an auto-commit connection: takes the locks of {@link #lockForCondition}, then
   * inserts if the expectation holds and no event after the position matches an item, both committed together. The
   * check may look at the recent events only: when it cannot decide, nothing is inserted, and the caller checks again
   * in a transaction ({@link #firstMatchAfter}).
   *
   * @param connection the connection, in auto-commit mode
   * @param streamId the stream
   * @param expected the expectation
   * @param rows the rows
   * @param keys the tag keys in ascending order, {@code true} for exclusive
   * @param everyAppend whether the condition must hold every other append back
   * @param after the condition's position
   * @param items the condition's items, at least one
   * @return the position and version of each row, or empty when nothing was inserted: the expectation or the
   *     condition did not hold, or the check could not decide
   * @throws SQLException on a database failure, including a unique violation for a stored event id
   */
  default Optional<List<Placed>> appendUnlessMatched(Connection connection, String streamId, ExpectedVersion expected,
                                                     List<EventRows.Row> rows,
                                                     java.util.SortedMap<Integer, Boolean> keys, boolean everyAppend,
                                                     Position after, List<QueryItem> items) throws SQLException {
    throw new UnsupportedOperationException("appends with a condition need a transaction");
  }

  /**
   * Prepares the read of the events after a position and below a read fence that match any of the items, in global
   * order, at most {@code limit} of them.
   *
   * @param connection the connection
   * @param after the position to read after
   * @param below the read fence: only events keyed below it (see {@link #readFence}); {@link Long#MAX_VALUE} for all
   * @param items the items, at least one
   * @param limit the most rows
   * @param wholeRows {@code true} for the columns of {@link #selectAfter}, {@code false} for the position only
   *     ({@code commit_id}, {@code sequence_id})
   * @return the statement, ready to run; the caller closes it
   * @throws SQLException on a database failure
   */
  PreparedStatement selectMatching(Connection connection, Position after, long below, List<QueryItem> items,
                                   int limit, boolean wholeRows) throws SQLException;

  /**
   * The start of a read by query: the read fence, the head below it, and the first page of matches below it.
   *
   * @param fence the read fence, read before the rest
   * @param head the last event below the fence, read before the matches
   * @param rows the first matches, at most the page size asked for
   */
  record FirstPage(long fence, Position head, List<EventRows.Raw> rows) {
  }

  /**
   * Reads the read fence, then the head below it, then the first page of matches below it, each in a statement
   * after the one before, in one round trip where the database allows it.
   *
   * @param connection the connection, in auto-commit mode
   * @param after the position to read after
   * @param items the items, at least one
   * @param limit the page size
   * @return the three, or empty when the database needs them one by one ({@link #readFence}, {@link #selectHead},
   *     {@link #selectMatching})
   * @throws SQLException on a database failure
   */
  default Optional<FirstPage> readFirstPage(Connection connection, Position after, List<QueryItem> items, int limit)
      throws SQLException {
    return Optional.empty();
  }

  /**
   * Finds the first event after a position that matches any of the items, in a statement of its own.
   *
   * @param connection the connection, in the transaction that took {@link #lockForCondition}
   * @param after the position
   * @param items the items, at least one
   * @return the first match's position
   * @throws SQLException on a database failure
   */
  default Optional<Position> firstMatchAfter(Connection connection, Position after, List<QueryItem> items)
      throws SQLException {
    try (PreparedStatement select = selectMatching(connection, after, Long.MAX_VALUE, items, 1, false);
         java.sql.ResultSet row = select.executeQuery()) {
      return row.next() ? Optional.of(Position.of(row.getLong("commit_id"), row.getLong("sequence_id")))
          : Optional.empty();
    }
  }

  /**
   * Returns the lock keys an append of these rows writes under: one per tag. A condition takes the key of one tag of
   * each of its items, so that it shares a key with every append whose events its items could match; an item without
   * a tag takes the appenders' lock instead (see {@link #lockForCondition}).
   *
   * @param rows the rows
   * @return the keys, ascending, without repeats
   */
  static java.util.SortedSet<Integer> writeKeys(List<EventRows.Row> rows) {
    java.util.SortedSet<Integer> keys = new java.util.TreeSet<>();
    for (EventRows.Row row : rows) {
      for (String tag : row.event().tags()) {
        keys.add(lockKey(tag));
      }
    }
    return keys;
  }

  /**
   * Returns the keys a condition takes exclusively (see {@link #writeKeys}): the first tag of each item with tags.
   *
   * @param items the condition's items
   * @return the keys
   */
  static java.util.SortedSet<Integer> conditionKeys(List<QueryItem> items) {
    java.util.SortedSet<Integer> keys = new java.util.TreeSet<>();
    for (QueryItem item : items) {
      if (!item.tags().isEmpty()) {
        keys.add(lockKey(new java.util.TreeSet<>(item.tags()).first()));
      }
    }
    return keys;
  }

  /**
   * Tells whether a condition has an item without a tag, which any append could match.
   *
   * @param items the condition's items
   * @return {@code true} when it must hold every append back
   */
  static boolean needsEveryAppend(List<QueryItem> items) {
    return items.stream().anyMatch(item -> item.tags().isEmpty());
  }

  /**
   * Hashes a tag into the second half of an advisory lock key; collisions only make unrelated appends wait.
   *
   * @param tag the tag
   * @return its hash
   */
  static int lockKey(String tag) {
    return tag.hashCode();
  }

  /**
   * Where one inserted row landed.
   *
   * @param position its global position
   * @param version its stream version
   */
  record Placed(Position position, long version) {
  }

  /**
   * Returns the query of a stream's events from a version; parameters: stream id, from version.
   *
   * @return the SQL
   */
  String selectStream();

  /**
   * Reads the read fence: every event whose order key (commit part of its position) is below it has committed or
   * rolled back, and an event appended later gets a key at or above it. Run it in a statement of its own, before the
   * reads that use it, so that their snapshots are taken after it. A fence once read stays valid forever.
   *
   * @param connection the connection, in auto-commit mode or a read committed transaction
   * @return the fence; {@link Long#MAX_VALUE} where positions commit in order (H2)
   * @throws SQLException on a database failure
   */
  long readFence(Connection connection) throws SQLException;

  /**
   * Returns the query of the transaction that holds the read fence, for monitoring; no parameters; columns pid,
   * holder, state, age in milliseconds, transaction id; at most one row.
   *
   * @return the SQL, or empty where readers are not held back by running transactions (H2)
   */
  default Optional<String> selectFenceHolder() {
    return Optional.empty();
  }

  /**
   * Returns the query of the events after a position in global order, below a read fence; parameters: commit,
   * sequence, fence, limit.
   *
   * @return the SQL
   */
  String selectAfter();

  /**
   * Returns the query of the events with given ids; parameter: the ids.
   *
   * @return the SQL
   */
  String selectByEventIds();

  /**
   * Binds the ids for {@link #selectByEventIds()}.
   *
   * @param connection the connection
   * @param ids the ids
   * @return the value to bind as parameter 1
   * @throws SQLException on a database failure
   */
  Object eventIdArray(Connection connection, List<UUID> ids) throws SQLException;

  /**
   * Returns the query of the last readable position; parameter: the read fence; columns commit_id, sequence_id.
   *
   * @return the SQL
   */
  String selectHead();

  /**
   * Returns the count of readable events after a position; parameters: commit, sequence, fence.
   *
   * @return the SQL
   */
  String countAfter();

  /**
   * Returns the query of a stream's version; parameter: stream id.
   *
   * @return the SQL
   */
  String selectStreamVersion();
}
