package dev.cqrs.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cqrs.core.CheckpointStore;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.Position;
import dev.cqrs.core.Projection;
import dev.cqrs.core.Query;
import dev.cqrs.core.QueryHandler;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.inmemory.InMemoryCheckpointStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A Caffeine cache in front of query handlers. The cache follows the store with a processor of its own; an event that
 * a {@link CachedQuery} declares invalidates the answers it changes. It never serves an answer older than the position
 * a query asks for: it first waits until it has seen the store up to that position (or answers
 * {@link dev.cqrs.core.ProcessorNotReadyException} after the wait), and an answer is only kept when the read model it
 * came from had seen every change the cache knew of, so a change that reaches the cache before the read model cannot
 * leave a stale answer behind.
 *
 * <pre>{@code
 * QueryCache cache = QueryCache.builder(store).maximumSize(10_000).build();
 * queries.register(FindOrder.class, cache.cached(CachedQuery.of(FindOrder.class, orders::find, orderViews)
 *     .key(FindOrder::orderId).invalidatedBy(OrderEvent.class, OrderEvent::orderId)
 *     .after(FindOrder::after).answerKey(FindOrder::orderId)));
 * }</pre>
 *
 * <p>Invalidation is by key: answers whose keys share one of {@value #STRIPES} stripes are invalidated together, which
 * costs hits, never correctness. Close the cache to stop its processor. Thread-safe.
 */
public final class QueryCache implements AutoCloseable {

  /** How many invalidation stripes each query type has. */
  public static final int STRIPES = 1024;

  private final Cache<AnswerKey, Entry> cache;
  private final TrackingProcessor follower;
  private final Duration wait;
  private final List<TypeState<?, ?>> types = new CopyOnWriteArrayList<>();

  /** Where an answer is kept: its query type and the query's answer key. */
  private record AnswerKey(Class<?> type, Object key) {
  }

  /** A cached answer and the generation of its stripe when it was computed. */
  private record Entry(Object answer, long generation) {
  }

  /** How often a stripe changed, and the position of its last change. */
  private record Stamp(long generation, Position lastChange) {
  }

  /**
   * Hits and misses of one query type.
   *
   * @param hits answers served from the cache
   * @param misses answers the handler computed
   */
  public record Stats(long hits, long misses) {
  }

  private QueryCache(EventStore store, long maximumSize, Duration wait) {
    this.cache = Caffeine.newBuilder().maximumSize(maximumSize).build();
    this.wait = wait;
    String name = "query-cache-" + UUID.randomUUID();
    CheckpointStore checkpoints = InMemoryCheckpointStore.create();
    checkpoints.save(name, store.head()); // the cache starts empty: nothing before now can be stale in it
    this.follower = TrackingProcessor.builder(name, store, new Invalidations(), checkpoints)
        .pollInterval(Duration.ofMillis(50)).build();
    follower.start();
  }

  /**
   * Starts configuring a cache on a store.
   *
   * @param store the store whose events invalidate the answers
   * @return the builder
   */
  public static Builder builder(EventStore store) {
    return new Builder(Objects.requireNonNull(store, "store must not be null"));
  }

  /**
   * Returns the cached handler of a query type, to register on the query bus.
   *
   * @param definition how the query type is cached
   * @param <Q> the query type
   * @param <R> the answer type
   * @return the handler
   */
  public <Q extends Query<R>, R> QueryHandler<Q, R> cached(CachedQuery<Q, R> definition) {
    Objects.requireNonNull(definition, "definition must not be null");
    if (definition.invalidators().isEmpty()) {
      throw new IllegalArgumentException(definition + " names no event that invalidates it: its answers would"
          + " never change; declare invalidatedBy(...)");
    }
    TypeState<Q, R> state = new TypeState<>(definition);
    types.add(state);
    return state::answer;
  }

  /**
   * Returns the hits and misses of every cached query type.
   *
   * @return the statistics by query type
   */
  public Map<Class<?>, Stats> stats() {
    return types.stream().collect(Collectors.toMap(t -> t.definition.type(),
        t -> new Stats(t.hits.sum(), t.misses.sum()), (a, b) -> a, java.util.LinkedHashMap::new));
  }

  /** Stops following the store and empties the cache. */
  @Override
  public void close() {
    follower.stop();
    cache.invalidateAll();
  }

  /** The state of one cached query type. */
  private final class TypeState<Q extends Query<R>, R> {
    private final CachedQuery<Q, R> definition;
    private final AtomicReferenceArray<Stamp> stamps;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    TypeState(CachedQuery<Q, R> definition) {
      this.definition = definition;
      this.stamps = new AtomicReferenceArray<>(definition.key().isPresent() ? STRIPES : 1);
      for (int i = 0; i < stamps.length(); i++) {
        stamps.set(i, new Stamp(0, Position.START));
      }
    }

    @SuppressWarnings("unchecked")
    R answer(Q query) {
      Position after = definition.positionOf().apply(query).orElse(Position.START);
      if (after.isAfter(follower.checkpoint())) {
        follower.awaitProcessed(after, wait); // every change up to the caller's position is known to the cache
      }
      int stripe = stripeOf(query);
      Stamp now = stamps.get(stripe);
      AnswerKey answerKey = new AnswerKey(definition.type(), definition.answerKeyOf().apply(query));
      Entry entry = cache.getIfPresent(answerKey);
      if (entry != null && entry.generation() == now.generation()) {
        hits.increment();
        return (R) entry.answer();
      }
      misses.increment();
      TrackingProcessor readModel = definition.readModel();
      readModel.awaitProcessed(after, wait);
      Position seen = readModel.checkpoint(); // the read model holds at least this when the handler reads it
      R answer = definition.handler().handle(query);
      if (!now.lastChange().isAfter(seen)) {
        cache.put(answerKey, new Entry(answer, now.generation())); // ignored once the stripe changes again
      }
      return answer;
    }

    private int stripeOf(Q query) {
      return definition.key().map(key -> stripe(key.apply(query))).orElse(0);
    }

    private int stripe(Object key) {
      return stamps.length() == 1 ? 0 : Math.floorMod(Objects.hashCode(key), stamps.length());
    }

    void changed(RecordedEvent event) {
      Event payload = event.payload();
      for (Map.Entry<Class<? extends Event>, Function<Event, ?>> invalidator : definition.invalidators().entrySet()) {
        if (!invalidator.getKey().isInstance(payload)) {
          continue;
        }
        Object key = invalidator.getValue().apply(payload);
        if (key == CachedQuery.ALL_KEYS) {
          for (int i = 0; i < stamps.length(); i++) {
            bump(i, event.position());
          }
        } else {
          bump(stripe(key), event.position());
        }
      }
    }

    private void bump(int stripe, Position position) {
      stamps.updateAndGet(stripe, stamp -> new Stamp(stamp.generation() + 1,
          position.isAfter(stamp.lastChange()) ? position : stamp.lastChange()));
    }
  }

  /** The cache's own processor: every event, handed to every cached type. */
  private final class Invalidations implements Projection {
    @Override
    public boolean handles(Class<? extends Event> eventType) {
      return true;
    }

    @Override
    public void apply(RecordedEvent event) {
      for (TypeState<?, ?> type : types) {
        type.changed(event);
      }
    }
  }

  /** Configures a {@link QueryCache}. Not thread-safe. */
  public static final class Builder {
    private final EventStore store;
    private long maximumSize = 10_000;
    private Duration wait = Duration.ofSeconds(5);

    private Builder(EventStore store) {
      this.store = store;
    }

    /**
     * Sets how many answers the cache holds at most, over all query types; 10,000 by default.
     *
     * @param maximumSize the most answers
     * @return this builder
     */
    public Builder maximumSize(long maximumSize) {
      if (maximumSize < 1) {
        throw new IllegalArgumentException("maximumSize must be at least 1, but was " + maximumSize);
      }
      this.maximumSize = maximumSize;
      return this;
    }

    /**
     * Sets how long a query waits for the cache and the read model to reach its position; 5 seconds by default.
     *
     * @param wait the longest wait
     * @return this builder
     */
    public Builder awaitTimeout(Duration wait) {
      Objects.requireNonNull(wait, "wait must not be null");
      if (wait.isNegative()) {
        throw new IllegalArgumentException("the wait must not be negative, but was " + wait);
      }
      this.wait = wait;
      return this;
    }

    /**
     * Builds the cache and starts following the store.
     *
     * @return the cache
     */
    public QueryCache build() {
      return new QueryCache(store, maximumSize, wait);
    }
  }
}
