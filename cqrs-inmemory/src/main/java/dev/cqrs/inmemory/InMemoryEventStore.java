package dev.cqrs.inmemory;

import dev.cqrs.core.AppendCondition;
import dev.cqrs.core.AppendConditionFailedException;
import dev.cqrs.core.AppendResult;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventType;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.Registration;
import dev.cqrs.core.UnknownEventTypeException;
import dev.cqrs.core.spi.EventStoreArguments;
import dev.cqrs.core.spi.RepeatedAppends;
import dev.cqrs.inmemory.internal.AppendOnlyLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread-safe {@link EventStore} in memory, with the same semantics as the database backends: one global order,
 * atomic appends checked against the expected version, idempotent event ids, and a wake-up hint after each append. It
 * passes the whole contract suite of {@code cqrs-test}.
 *
 * <pre>{@code
 * EventStore store = InMemoryEventStore.create(types);
 * }</pre>
 *
 * <p>Appends are serialized by one short lock held only to check versions and ids and to publish the new events;
 * arguments are checked and copied before it is taken. Reads take no lock at all: they read published events only, so
 * they never block writers. Inline projections ({@link Builder#inlineProjection}) run inside the append. Events are kept as the objects appended (they should be immutable records); positions have
 * {@code commit} 0 and a {@code sequence} counting from 1.
 */
public final class InMemoryEventStore implements EventStore {

  private static final Logger LOG = LoggerFactory.getLogger(InMemoryEventStore.class);

  private final Data data;
  private final EventTypes types;

  private InMemoryEventStore(Data data, EventTypes types) {
    this.data = data;
    this.types = Objects.requireNonNull(types, "types must not be null");
  }

  /**
   * Creates an empty store that accepts events of the registered classes.
   *
   * @param types the registry of event classes
   * @return a new, empty store
   */
  public static InMemoryEventStore create(EventTypes types) {
    return builder(types).build();
  }

  /**
   * Starts configuring a store, for example with inline projections.
   *
   * @param types the registry of event classes
   * @return a new builder
   */
  public static Builder builder(EventTypes types) {
    return new Builder(types);
  }

  /**
   * Returns a store over the same events that reads and writes with another registry, as an application restarted
   * with changed event classes would. Reading an event whose type name that registry lacks raises
   * {@link UnknownEventTypeException}.
   *
   * @param otherTypes the registry to use
   * @return a store sharing this store's events
   */
  public InMemoryEventStore withTypes(EventTypes otherTypes) {
    return new InMemoryEventStore(data, otherTypes);
  }

  @Override
  public AppendResult append(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events) {
    return appendIf(streamId, expectedVersion, events, null);
  }

  /**
   * {@inheritDoc} The condition is checked under the store's lock, against the events after its position.
   */
  @Override
  public AppendResult append(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events,
                             AppendCondition condition) {
    Objects.requireNonNull(condition, "condition must not be null");
    return appendIf(streamId, expectedVersion, events, condition);
  }

  private AppendResult appendIf(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events,
                                AppendCondition condition) {
    List<NewEvent> checked = EventStoreArguments.checkAppend(streamId, expectedVersion, events, types);
    EventType[] eventTypes = new EventType[checked.size()];
    for (int i = 0; i < eventTypes.length; i++) {
      eventTypes[i] = types.typeOf(checked.get(i).payload().getClass());
    }
    AppendResult result;
    data.lock.lock();
    try {
      AppendResult earlier = data.findRepeat(streamId, checked);
      if (earlier != null) {
        return earlier;
      }
      if (condition != null) {
        for (int i = (int) Math.min(data.log.size(), condition.after().sequence()); i < data.log.size(); i++) {
          RecordedEvent stored = data.log.get(i);
          if (condition.failIfEventsMatch().matches(stored)) {
            throw new AppendConditionFailedException(streamId, condition, stored.position());
          }
        }
      }
      AppendOnlyLog<RecordedEvent> stream = data.streams.get(streamId);
      long version = stream == null ? 0 : stream.size();
      if (!expectedVersion.isSatisfiedBy(version)) {
        throw new ConcurrencyConflictException(streamId, expectedVersion, version);
      }
      List<RecordedEvent> recorded = new ArrayList<>(checked.size());
      for (int i = 0; i < eventTypes.length; i++) {
        NewEvent event = checked.get(i);
        recorded.add(new RecordedEvent(streamId, ++version, Position.of(0, data.log.size() + i + 1L),
            event.eventId(), eventTypes[i], event.payload(), event.metadata(), event.tags()));
      }
      data.applyInline(recorded);
      for (RecordedEvent record : recorded) {
        data.byEventId.put(record.eventId(), record);
      }
      // Publish the whole batch at once in each view, so that no reader sees part of it.
      if (stream == null) {
        stream = new AppendOnlyLog<>();
        data.streams.put(streamId, stream);
      }
      stream.addAll(recorded);
      data.log.addAll(recorded);
      result = new AppendResult(streamId, recorded);
    } finally {
      data.lock.unlock();
    }
    data.wakeUp();
    return result;
  }

  @Override
  public Optional<RecordedEvent> readEvent(UUID eventId) {
    Objects.requireNonNull(eventId, "eventId must not be null");
    RecordedEvent event;
    data.lock.lock();
    try {
      event = data.byEventId.get(eventId);
    } finally {
      data.lock.unlock();
    }
    return event == null ? Optional.empty() : Optional.of(checkTypes(List.of(event)).get(0));
  }

  @Override
  public List<RecordedEvent> readStream(String streamId, long fromVersion) {
    EventStoreArguments.checkReadStream(streamId, fromVersion);
    AppendOnlyLog<RecordedEvent> stream = data.streams.get(streamId);
    if (stream == null) {
      return List.of();
    }
    int size = stream.size();
    if (fromVersion > size) {
      return List.of();
    }
    return checkTypes(stream.copy((int) fromVersion - 1, size));
  }

  @Override
  public List<RecordedEvent> readAll(Position after, int limit) {
    EventStoreArguments.checkReadAll(after, limit);
    int size = data.log.size();
    if (after.commit() > 0 || after.sequence() >= size) {
      return List.of();
    }
    int from = (int) after.sequence();
    return checkTypes(data.log.copy(from, (int) Math.min(size, (long) from + limit)));
  }

  @Override
  public Position head() {
    int size = data.log.size();
    return size == 0 ? Position.START : data.log.get(size - 1).position();
  }

  @Override
  public long countAfter(Position after) {
    Objects.requireNonNull(after, "after must not be null");
    int size = data.log.size();
    return after.commit() > 0 ? 0 : Math.max(0, size - after.sequence());
  }

  @Override
  public Registration onAppend(Runnable listener) {
    Objects.requireNonNull(listener, "listener must not be null");
    data.listeners.add(listener);
    return () -> data.listeners.remove(listener);
  }

  private List<RecordedEvent> checkTypes(List<RecordedEvent> events) {
    for (RecordedEvent event : events) {
      String name = event.type().name();
      if (types.classOf(name).isEmpty()) {
        throw new UnknownEventTypeException(name, "stored event type '" + name + "' at stream '"
            + event.streamId() + "' version " + event.version() + " position " + event.position()
            + " is not registered in " + types);
      }
    }
    return events;
  }

  @Override
  public String toString() {
    return "InMemoryEventStore[" + data.log.size() + " events in " + data.streams.size() + " streams]";
  }

  /**
   * Configures an {@link InMemoryEventStore}. Not thread-safe.
   */
  public static final class Builder {

    private final EventTypes types;
    private final List<Projection> inline = new ArrayList<>();

    private Builder(EventTypes types) {
      this.types = Objects.requireNonNull(types, "types must not be null");
    }

    /**
     * Adds an inline projection: it is applied inside every append, under the append lock and before the events become
     * visible, so its read model is never stale. If it throws, the append fails and stores nothing; read-model changes
     * that projections made for that append before the failure are not undone in memory, so inline projections should
     * check before they change anything.
     *
     * @param projection the projection
     * @return this builder
     */
    public Builder inlineProjection(Projection projection) {
      inline.add(Objects.requireNonNull(projection, "projection must not be null"));
      return this;
    }

    /**
     * Builds an empty store.
     *
     * @return the store
     */
    public InMemoryEventStore build() {
      return new InMemoryEventStore(new Data(List.copyOf(inline)), types);
    }
  }

  /** The events, shared by every view made with {@link #withTypes}. */
  private static final class Data {

    final List<Projection> inline;

    Data(List<Projection> inline) {
      this.inline = inline;
    }

    void applyInline(List<RecordedEvent> recorded) {
      for (Projection projection : inline) {
        for (RecordedEvent event : recorded) {
          if (projection.handles(event.payload().getClass())) {
            projection.apply(event);
          }
        }
      }
    }

    final ReentrantLock lock = new ReentrantLock();
    final AppendOnlyLog<RecordedEvent> log = new AppendOnlyLog<>();
    final Map<String, AppendOnlyLog<RecordedEvent>> streams = new ConcurrentHashMap<>();
    /** Guarded by {@link #lock}. */
    final Map<UUID, RecordedEvent> byEventId = new HashMap<>();
    final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    /** Returns the earlier result of an exact repeat, or null. Called with the lock held. */
    AppendResult findRepeat(String streamId, List<NewEvent> events) {
      Map<UUID, RecordedEvent> stored = new HashMap<>();
      for (NewEvent event : events) {
        RecordedEvent existing = byEventId.get(event.eventId());
        if (existing != null) {
          stored.put(event.eventId(), existing);
        }
      }
      return RepeatedAppends.earlierResult(streamId, events, stored).orElse(null);
    }

    void wakeUp() {
      for (Runnable listener : listeners) {
        try {
          listener.run();
        } catch (RuntimeException e) {
          LOG.warn("wake-up listener {} failed; ignoring it", listener, e);
        }
      }
    }
  }
}
