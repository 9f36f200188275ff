package dev.cqrs.core;

import dev.cqrs.core.spi.EventStoreArguments;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Stores events in streams and in one global order. This is both what applications call and what every backend
 * implements ({@code cqrs-inmemory}, {@code cqrs-jdbc}); the contract suite in {@code cqrs-test} checks a backend
 * against every rule below.
 *
 * <ul>
 *   <li>{@link #append} is atomic: all events of a call are stored, or none. The {@link ExpectedVersion} is checked
 *       atomically with the write; a mismatch raises {@link ConcurrencyConflictException}.</li>
 *   <li>Appending events whose ids are all stored already, in the same stream and order, stores nothing and returns the
 *       earlier result; a partial overlap raises {@link DuplicateEventIdException}.</li>
 *   <li>{@link #readStream} returns a stream's events in version order, versions 1..n without holes.</li>
 *   <li>{@link #readAll} returns events in one global order that never changes once read: a reader that remembers the
 *       last position it saw and reads after it never misses an event, whatever the interleaving of writers.</li>
 *   <li>{@link #onAppend} tells tailing readers that new events may exist. It is only a hint: readers re-read from
 *       their checkpoint and keep polling as a fallback.</li>
 * </ul>
 *
 * <p>Bad input (a null or blank stream id, an empty event list, an unregistered event class) is rejected with an
 * exception that says what was wrong, and nothing is written. Implementations must be thread-safe.
 *
 * <p>A store is {@link AutoCloseable}: close it when the application stops, after the processors that read it, and
 * it releases what it holds (the JDBC store's listening connection and notifier thread). A store that holds nothing,
 * such as the in-memory one, keeps working after {@code close()}.
 */
public interface EventStore extends AutoCloseable {

  /** The longest stream id accepted. */
  int MAX_STREAM_ID_LENGTH = 255;

  /** The most events one {@link #readAll} call may ask for. */
  int MAX_READ_LIMIT = 100_000;

  /**
   * Appends events to a stream, atomically, if the stream's version satisfies {@code expectedVersion}.
   *
   * @param streamId the stream, non-blank, at most {@value #MAX_STREAM_ID_LENGTH} characters
   * @param expectedVersion what the stream's version must be for the append to go ahead
   * @param events the events, at least one, with distinct ids
   * @return the recorded events with their versions and positions
   * @throws ConcurrencyConflictException if the stream's version does not satisfy {@code expectedVersion}
   * @throws DuplicateEventIdException if some but not all ids are stored already, or stored in another way
   * @throws UnknownEventTypeException if an event's class is not registered
   * @throws IllegalArgumentException if the stream id is blank or too long, the list is empty, or ids repeat
   * @throws NullPointerException if an argument or an element is null
   */
  AppendResult append(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events);

  /**
   * Appends events that start their own chains, each with a random id and fresh {@link Metadata}.
   *
   * @param streamId the stream
   * @param expectedVersion what the stream's version must be for the append to go ahead
   * @param events the events, at least one
   * @return the recorded events with their versions and positions
   * @see #append(String, ExpectedVersion, List)
   */
  default AppendResult append(String streamId, ExpectedVersion expectedVersion, Event... events) {
    Objects.requireNonNull(events, "events must not be null");
    List<NewEvent> wrapped = new ArrayList<>(events.length);
    for (int i = 0; i < events.length; i++) {
      if (events[i] == null) {
        throw new NullPointerException("event " + i + " of the append to stream '" + streamId + "' is null");
      }
      wrapped.add(NewEvent.of(events[i]));
    }
    return append(streamId, expectedVersion, wrapped);
  }

  /**
   * Reads a stream's events from a version on, in version order.
   *
   * @param streamId the stream
   * @param fromVersion the first version to return, 1 or more
   * @return the events, empty when the stream does not exist or has no event at or after {@code fromVersion}
   * @throws IllegalArgumentException if the stream id is blank or {@code fromVersion} is below 1
   */
  List<RecordedEvent> readStream(String streamId, long fromVersion);

  /**
   * Reads a whole stream in version order.
   *
   * @param streamId the stream
   * @return the events, empty when the stream does not exist
   */
  default List<RecordedEvent> readStream(String streamId) {
    return readStream(streamId, 1);
  }

  /**
   * Reads the event with an id, wherever it is stored; commands use it to recognise that they were handled before.
   *
   * @param eventId the event's id
   * @return the event, or empty when no event has that id
   */
  Optional<RecordedEvent> readEvent(UUID eventId);

  /**
   * Reads events after a position in the global order, at most {@code limit} of them.
   *
   * @param after the position to read after; {@link Position#START} reads from the beginning
   * @param limit the most events to return, 1 to {@value #MAX_READ_LIMIT}
   * @return the next events in global order; fewer than {@code limit} (or none) when the reader has caught up
   * @throws IllegalArgumentException if {@code limit} is out of range
   */
  List<RecordedEvent> readAll(Position after, int limit);

  /**
   * Reads the events that match a query after a position, in global order, and the position the read is complete up
   * to: the basis of a decision whose {@link AppendCondition} is {@code new AppendCondition(query, result.readTo())}.
   * The default reads the global order page by page and filters it; a backend may use an index instead, as long as
   * the result is the same.
   *
   * @param query the query
   * @param after the position to read after; {@link Position#START} reads from the beginning
   * @return the matching events and the position read to, which is {@code after} when nothing was read
   */
  default EventQueryResult read(EventQuery query, Position after) {
    java.util.Objects.requireNonNull(query, "query must not be null");
    EventStoreArguments.checkReadAll(after, MAX_READ_LIMIT);
    List<RecordedEvent> matching = new java.util.ArrayList<>();
    Position readTo = after;
    List<RecordedEvent> page;
    int pageSize = 1_000;
    do {
      page = readAll(readTo, pageSize);
      for (RecordedEvent event : page) {
        if (query.matches(event)) {
          matching.add(event);
        }
      }
      if (!page.isEmpty()) {
        readTo = page.get(page.size() - 1).position();
      }
    } while (page.size() == pageSize);
    return new EventQueryResult(matching, readTo);
  }

  /**
   * Appends events to a stream if the stream's version satisfies the expectation and no event matching the
   * condition's query was appended after the condition's position, both checked atomically with the append. An exact
   * repeat of stored events returns the earlier result, as {@link #append(String, ExpectedVersion, List)} does.
   *
   * @param streamId the stream
   * @param expectedVersion what the stream's version must be; {@link ExpectedVersion#any()} leaves the check to the
   *     condition
   * @param events the events, in order
   * @param condition what must still hold
   * @return what was stored
   * @throws AppendConditionFailedException if an event matching the condition's query lies after its position
   * @throws ConcurrencyConflictException if the expected version does not hold
   * @throws UnsupportedOperationException if this store does not check append conditions (the default)
   */
  default AppendResult append(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events,
                              AppendCondition condition) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not check append conditions");
  }

  /**
   * Opens a feed that reads the global order after a position, batch by batch, for tracking processors. The default
   * feed calls {@link #readAll} once per {@link EventFeed#next()}; a backend may read ahead while the caller handles a
   * batch, as long as the feed returns what {@link #readAll} calls in a row would.
   *
   * @param after the position to read after; {@link Position#START} reads from the beginning
   * @param batchSize the most events one {@link EventFeed#next()} returns, 1 to {@value #MAX_READ_LIMIT}
   * @return an open feed; close it when done
   * @throws IllegalArgumentException if {@code batchSize} is out of range
   */
  default EventFeed openFeed(Position after, int batchSize) {
    EventStoreArguments.checkReadAll(after, batchSize);
    return new EventFeed() {
      private Position position = after;

      @Override
      public List<RecordedEvent> next() {
        List<RecordedEvent> batch = readAll(position, batchSize);
        if (!batch.isEmpty()) {
          position = batch.get(batch.size() - 1).position();
        }
        return batch;
      }

      @Override
      public Position position() {
        return position;
      }

      @Override
      public void close() {
        // nothing read ahead
      }
    };
  }

  /**
   * Returns the position of the last event a reader can see now.
   *
   * @return the head position, {@link Position#START} when the store is empty
   */
  Position head();

  /**
   * Counts the events after a position, for lag reports. The default pages through {@link #readAll}; backends count
   * more cheaply.
   *
   * @param after the position to count after
   * @return how many events a reader at {@code after} has yet to read
   */
  default long countAfter(Position after) {
    long count = 0;
    Position position = after;
    while (true) {
      List<RecordedEvent> page = readAll(position, 10_000);
      if (page.isEmpty()) {
        return count;
      }
      count += page.size();
      position = page.get(page.size() - 1).position();
    }
  }

  /**
   * Registers a listener that is told, after appends become visible, that new events may exist. Listeners must return
   * quickly (wake a reader, do not read in the callback); an exception from a listener is logged and ignored.
   *
   * @param listener the hint listener
   * @return a registration that removes the listener when closed
   */
  Registration onAppend(Runnable listener);

  /**
   * Releases what the store holds; the default holds nothing and does nothing. Closing twice does nothing. A store
   * that held resources refuses every call after it is closed, with an {@link IllegalStateException}.
   */
  @Override
  default void close() {}
}
