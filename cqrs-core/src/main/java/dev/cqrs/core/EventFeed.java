package dev.cqrs.core;

import java.util.List;

/**
 * Reads the global order batch by batch from a position on: what a {@link TrackingProcessor} consumes. Opened with
 * {@link EventStore#openFeed}; each {@link #next()} returns the events after {@link #position()} and moves it to the
 * last of them, so a feed never skips or repeats an event. A backend may read the next batch while the caller handles
 * the current one ({@code JdbcEventStore} does while a reader catches up); what the caller gets is the same as from
 * {@link EventStore#readAll} calls in a row.
 *
 * <p>When {@link #next()} throws (a lost connection, an event that cannot be decoded), nothing is consumed: the feed
 * stays at its position and the next call reads from there again. Close a feed that is no longer read, so that its
 * read-ahead stops.
 *
 * <p>Not thread-safe: one reader calls it at a time.
 */
public interface EventFeed extends AutoCloseable {

  /**
   * Returns the next events in the global order, at most the feed's batch size; fewer, or none, when the reader has
   * caught up with what is readable now.
   *
   * @return the events after {@link #position()}, in global order
   * @throws CqrsException if the events cannot be read or decoded; the position does not move
   */
  List<RecordedEvent> next();

  /**
   * Returns the position of the last event returned, or the position the feed was opened at.
   *
   * @return where the next call reads after
   */
  Position position();

  /** Stops any read-ahead; the feed must not be used afterwards. */
  @Override
  void close();
}
