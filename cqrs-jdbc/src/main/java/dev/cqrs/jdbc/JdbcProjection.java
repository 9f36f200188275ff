package dev.cqrs.jdbc;

import dev.cqrs.core.Event;
import dev.cqrs.core.RecordedEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A projection whose read model lives in the same database as the events: it writes through the {@link Connection}
 * of the transaction it runs in, so its changes commit together with the append (inline, see
 * {@link JdbcEventStore.Builder#inlineProjection}) and never without it.
 *
 * <pre>{@code
 * JdbcProjection orderCounts = new JdbcProjection() {
 *   public boolean handles(Class<? extends Event> type) {
 *     return type == OrderPlaced.class;
 *   }
 *
 *   public void apply(RecordedEvent event, Connection connection) throws SQLException {
 *     try (PreparedStatement update = connection.prepareStatement(
 *         "UPDATE order_counts SET orders = orders + 1 WHERE customer = ?")) {
 *       update.setString(1, event.payloadAs(OrderPlaced.class).customer());
 *       update.executeUpdate();
 *     }
 *   }
 * };
 * }</pre>
 *
 * <p>Write the read model through the connection, into the database: an inline projection that kept its read model in
 * memory would see only the appends of its own instance of the application, never those of the others. For read models
 * in memory use {@link JdbcEventStore.Builder#inMemoryProjection}. Implementations
 * must not commit, roll back or close the connection. The library calls a projection from one
 * thread at a time per transaction; implementations holding no state of their own are thread-safe.
 */
public interface JdbcProjection {

  /**
   * Tells whether this projection applies events of a class.
   *
   * @param eventType an event class
   * @return {@code true} when {@link #apply} handles it
   */
  boolean handles(Class<? extends Event> eventType);

  /**
   * Applies one event within the caller's transaction.
   *
   * @param event the event as stored
   * @param connection the transaction's connection
   * @throws SQLException on a database failure, which rolls the whole transaction back
   */
  void apply(RecordedEvent event, Connection connection) throws SQLException;

  /**
   * Applies several events in one go, within the caller's transaction: the events of one append (inline) or of one
   * batch of {@link JdbcProcessors#transactional} processors. Override it to write many events with few statements,
   * for example one JDBC batch:
   *
   * <pre>{@code
   * public void applyBatch(List<RecordedEvent> events, Connection connection) throws SQLException {
   *   try (PreparedStatement insert = connection.prepareStatement("INSERT INTO orders (id, amount) VALUES (?, ?)")) {
   *     for (RecordedEvent event : events) {
   *       OrderPlaced placed = event.payloadAs(OrderPlaced.class);
   *       insert.setString(1, placed.orderId());
   *       insert.setLong(2, placed.amount());
   *       insert.addBatch();
   *     }
   *     insert.executeBatch();
   *   }
   * }
   * }</pre>
   *
   * <p>The result must be the same as applying each event with {@link #apply} in order, which is what the default
   * does. When a processor's batch fails here, it runs again event by event through {@link #apply}, each under a
   * savepoint, so that retries and dead letters concern single events.
   *
   * @param events the events this projection {@linkplain #handles handles}, in global order, at least one
   * @param connection the transaction's connection
   * @throws SQLException on a database failure, which rolls the whole transaction back
   */
  default void applyBatch(List<RecordedEvent> events, Connection connection) throws SQLException {
    for (RecordedEvent event : events) {
      apply(event, connection);
    }
  }

  /**
   * Clears the read model before a replay, within the caller's transaction. Does nothing by default.
   *
   * @param connection the transaction's connection
   * @throws SQLException on a database failure
   */
  default void reset(Connection connection) throws SQLException {
  }
}
