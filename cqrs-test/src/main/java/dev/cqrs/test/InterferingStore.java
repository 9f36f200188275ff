package dev.cqrs.test;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventQuery;
import dev.cqrs.core.EventQueryResult;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Position;
import dev.cqrs.core.spi.ForwardingEventStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An event store that passes everything to another one, counts reads by query, and after the first of them appends the
 * events a fixture gave as written by another writer meanwhile. Not thread-safe: a fixture runs one command at a time.
 */
final class InterferingStore extends ForwardingEventStore {

  private final Map<String, List<Event>> meanwhile = new LinkedHashMap<>();
  private int queryReads;

  InterferingStore(EventStore store) {
    super(store);
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
    EventQueryResult read = delegate().read(query, after);
    queryReads++;
    meanwhile.forEach((streamId, events) -> delegate().append(streamId, ExpectedVersion.any(),
        events.toArray(Event[]::new)));
    meanwhile.clear();
    return read;
  }
}
