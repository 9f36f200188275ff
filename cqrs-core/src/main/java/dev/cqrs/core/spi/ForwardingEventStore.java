package dev.cqrs.core.spi;

import dev.cqrs.core.AppendCondition;
import dev.cqrs.core.AppendResult;
import dev.cqrs.core.EventFeed;
import dev.cqrs.core.EventQuery;
import dev.cqrs.core.EventQueryResult;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.Registration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * An event store that passes every call to another one, for wrappers that change a few calls (metrics, tests): a
 * subclass overrides what it observes, and every other method, including those that {@link EventStore} gains later,
 * still reaches the wrapped store instead of an interface default (a wrapper that implemented the interface itself
 * would answer conditional appends with the default's {@link UnsupportedOperationException}, and reads by query with
 * the default's scan).
 *
 * <p>Thread-safe when the wrapped store is and the subclass adds no unsafe state.
 */
public abstract class ForwardingEventStore implements EventStore {

  private final EventStore delegate;

  /**
   * Wraps a store.
   *
   * @param delegate the store every call goes to
   */
  protected ForwardingEventStore(EventStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
  }

  /**
   * Returns the wrapped store.
   *
   * @return the store every call goes to
   */
  protected EventStore delegate() {
    return delegate;
  }

  @Override
  public AppendResult append(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events) {
    return delegate.append(streamId, expectedVersion, events);
  }

  @Override
  public AppendResult append(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events,
                             AppendCondition condition) {
    return delegate.append(streamId, expectedVersion, events, condition);
  }

  @Override
  public EventQueryResult read(EventQuery query, Position after) {
    return delegate.read(query, after);
  }

  @Override
  public List<RecordedEvent> readStream(String streamId, long fromVersion) {
    return delegate.readStream(streamId, fromVersion);
  }

  @Override
  public Optional<RecordedEvent> readEvent(UUID eventId) {
    return delegate.readEvent(eventId);
  }

  @Override
  public List<RecordedEvent> readAll(Position after, int limit) {
    return delegate.readAll(after, limit);
  }

  @Override
  public EventFeed openFeed(Position after, int batchSize) {
    return delegate.openFeed(after, batchSize);
  }

  @Override
  public Position head() {
    return delegate.head();
  }

  @Override
  public long countAfter(Position after) {
    return delegate.countAfter(after);
  }

  @Override
  public Registration onAppend(Runnable listener) {
    return delegate.onAppend(listener);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
