package dev.cqrs.inmemory;

import dev.cqrs.core.AppendResult;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.StateStoredRepository;
import dev.cqrs.core.StoredState;
import dev.cqrs.core.spi.EventStoreArguments;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A thread-safe {@link StateStoredRepository} in memory: states live in a map, and the events of a save are appended to
 * an {@link EventStore} under the same per-entity lock, before the state is replaced. If the append fails, the state
 * stays as it was; once it succeeds, replacing the state cannot fail, so a save stores both or neither.
 *
 * <p>A save whose events repeat stored ones (the same event ids: a command message sent again) changes nothing and
 * returns the earlier result. It keeps the state objects themselves, so use immutable states.
 *
 * @param <S> the state type
 */
public final class InMemoryStateStoredRepository<S> implements StateStoredRepository<S> {

  private final ConcurrentHashMap<String, StoredState<S>> states = new ConcurrentHashMap<>();
  private final EventStore events;

  private InMemoryStateStoredRepository(EventStore events) {
    this.events = Objects.requireNonNull(events, "events must not be null");
  }

  /**
   * Creates an empty repository that appends raised events to {@code events}.
   *
   * @param events the event store for the raised events
   * @param <S> the state type
   * @return the repository
   */
  public static <S> InMemoryStateStoredRepository<S> create(EventStore events) {
    return new InMemoryStateStoredRepository<>(events);
  }

  @Override
  public Optional<StoredState<S>> load(String id) {
    return Optional.ofNullable(states.get(EventStoreArguments.checkStreamId(id)));
  }

  @Override
  public Optional<AppendResult> save(String id, long expectedVersion, S state, List<NewEvent> raised) {
    EventStoreArguments.checkStreamId(id);
    Objects.requireNonNull(state, "state must not be null");
    Objects.requireNonNull(raised, "events must not be null");
    AppendResult[] appended = new AppendResult[1];
    states.compute(id, (key, stored) -> {
      long actual = stored == null ? 0 : stored.version();
      if (actual != expectedVersion) {
        throw new ConcurrencyConflictException(id, ExpectedVersion.exactly(expectedVersion), actual);
      }
      if (!raised.isEmpty()) {
        appended[0] = events.append(id, ExpectedVersion.any(), raised);
        if (appended[0].repeated()) {
          return stored; // the same command saved this change before: keep the state it saved
        }
      }
      return new StoredState<>(id, actual + 1, state);
    });
    return Optional.ofNullable(appended[0]);
  }
}
