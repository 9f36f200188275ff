package dev.cqrs.test;

import dev.cqrs.core.AppendCondition;
import dev.cqrs.core.AppendResult;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventFeed;
import dev.cqrs.core.EventQuery;
import dev.cqrs.core.EventQueryResult;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.Registration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * An event store that passes everything to another one, counts reads by query, and after the first of them appends the
 * events a fixture gave as written by another writer meanwhile. Not thread-safe: a fixture runs one command at a time.
 */
final class InterferingStore implements EventStore {

  private final EventStore store;
  private final Map<String, List<Event>> meanwhile = new LinkedHashMap<>();
  private int queryReads;

  InterferingStore(EventStore store) {
    this.store = store;
  }

  void meanwhile(String streamId, List<Event> events) {
    meanwhile.computeIfAbsent(streamId, id -> new ArrayList<>()).addAll(events);
  }

  boolean pending() {
    return !meanwhile.isEmpty();
  }

  int queryReads() {
    return queryReads;
  }

  @Override
  public EventQueryResult read(EventQuery query, Position after) {
    EventQueryResult read = store.read(query, after);
    queryReads++;
    meanwhile.forEach((streamId, events) -> store.append(streamId, ExpectedVersion.any(),
        events.toArray(Event[]::new)));
    meanwhile.clear();
    return read;
  }

  @Override
  public AppendResult append(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events) {
    return store.append(streamId, expectedVersion, events);
  }

  @Override
  public AppendResult append(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events,
                             AppendCondition condition) {
    return store.append(streamId, expectedVersion, events, condition);
  }

  @Override
  public List<RecordedEvent> readStream(String streamId, long fromVersion) {
    return store.readStream(streamId, fromVersion);
  }

  @Override
  public Optional<RecordedEvent> readEvent(UUID eventId) {
    return store.readEvent(eventId);
  }

  @Override
  public List<RecordedEvent> readAll(Position after, int limit) {
    return store.readAll(after, limit);
  }

  @Override
  public EventFeed openFeed(Position after, int batchSize) {
    return store.openFeed(after, batchSize);
  }

  @Override
  public Position head() {
    return store.head();
  }

  @Override
  public long countAfter(Position after) {
    return store.countAfter(after);
  }

  @Override
  public Registration onAppend(Runnable listener) {
    return store.onAppend(listener);
  }
}
