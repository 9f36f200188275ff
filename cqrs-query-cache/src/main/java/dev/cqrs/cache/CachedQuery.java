package dev.cqrs.cache;

import dev.cqrs.core.Event;
import dev.cqrs.core.Position;
import dev.cqrs.core.Query;
import dev.cqrs.core.QueryHandler;
import dev.cqrs.core.TrackingProcessor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * How one query type is cached: its handler, the processor that keeps the read model the handler answers from, the
 * events that change its answers, and where a query carries the position its answer must include. Immutable once
 * given to {@link QueryCache#cached}; the builder methods return copies. Thread-safe.
 *
 * <pre>{@code
 * CachedQuery<FindOrder, Optional<OrderView>> findOrder = CachedQuery
 *     .of(FindOrder.class, orders::find, orderViewsProcessor)
 *     .key(FindOrder::orderId)                                   // what an answer depends on
 *     .invalidatedBy(OrderEvent.class, OrderEvent::orderId)      // the events that change it, and for which key
 *     .after(FindOrder::after)                                   // the client's read-your-writes position
 *     .answerKey(FindOrder::orderId);                            // the answer's key, without the position
 * }</pre>
 *
 * @param <Q> the query type
 * @param <R> the answer type
 */
public final class CachedQuery<Q extends Query<R>, R> {

  private final Class<Q> type;
  private final QueryHandler<Q, R> handler;
  private final TrackingProcessor readModel;
  private final Function<? super Q, ?> key;
  private final Map<Class<? extends Event>, Function<Event, ?>> invalidators;
  private final Function<? super Q, Optional<Position>> after;
  private final Function<? super Q, ?> answerKey;

  private CachedQuery(Class<Q> type, QueryHandler<Q, R> handler, TrackingProcessor readModel,
                      Function<? super Q, ?> key, Map<Class<? extends Event>, Function<Event, ?>> invalidators,
                      Function<? super Q, Optional<Position>> after, Function<? super Q, ?> answerKey) {
    this.type = type;
    this.handler = handler;
    this.readModel = readModel;
    this.key = key;
    this.invalidators = Map.copyOf(invalidators);
    this.after = after;
    this.answerKey = answerKey;
  }

  /**
   * Starts a definition.
   *
   * @param type the query type
   * @param handler the handler whose answers are cached
   * @param readModel the processor that keeps the read model the handler reads
   * @param <Q> the query type
   * @param <R> the answer type
   * @return the definition, invalidated by nothing yet
   */
  public static <Q extends Query<R>, R> CachedQuery<Q, R> of(Class<Q> type, QueryHandler<Q, R> handler,
                                                             TrackingProcessor readModel) {
    return new CachedQuery<>(Objects.requireNonNull(type, "type"), Objects.requireNonNull(handler, "handler"),
        Objects.requireNonNull(readModel, "readModel"), null, new LinkedHashMap<>(), query -> Optional.empty(),
        Function.identity());
  }

  /**
   * Returns a copy whose answers depend on a key of the query (an order id): an event invalidates only the answers
   * whose key it names. Without a key every invalidating event invalidates every answer of the type.
   *
   * @param key the key of a query; equal keys for queries whose answers change together
   * @return the copy
   */
  public CachedQuery<Q, R> key(Function<? super Q, ?> key) {
    return new CachedQuery<>(type, handler, readModel, Objects.requireNonNull(key, "key"), new LinkedHashMap<>(
        invalidators), after, answerKey);
  }

  /**
   * Returns a copy that every event of a type (or a subtype) invalidates, whatever the key.
   *
   * @param eventType the event type
   * @return the copy
   */
  public CachedQuery<Q, R> invalidatedBy(Class<? extends Event> eventType) {
    return with(eventType, null);
  }

  /**
   * Returns a copy that an event of a type (or a subtype) invalidates for the answers whose key it names.
   *
   * @param eventType the event type
   * @param key the key the event changes, compared with {@link #key}'s keys by {@code equals}
   * @param <E> the event type
   * @return the copy
   */
  public <E extends Event> CachedQuery<Q, R> invalidatedBy(Class<E> eventType, Function<? super E, ?> key) {
    Objects.requireNonNull(key, "key");
    return with(eventType, event -> key.apply(eventType.cast(event)));
  }

  private CachedQuery<Q, R> with(Class<? extends Event> eventType, Function<Event, ?> eventKey) {
    Objects.requireNonNull(eventType, "eventType");
    Map<Class<? extends Event>, Function<Event, ?>> copy = new LinkedHashMap<>(invalidators);
    copy.put(eventType, eventKey == null ? ALL : eventKey);
    return new CachedQuery<>(type, handler, readModel, key, copy, after, answerKey);
  }

  /**
   * Returns a copy that reads from each query the position its answer must include (a client's last write).
   *
   * @param after the position a query names, empty for none
   * @return the copy
   */
  public CachedQuery<Q, R> after(Function<? super Q, Optional<Position>> after) {
    return new CachedQuery<>(type, handler, readModel, key, new LinkedHashMap<>(invalidators),
        Objects.requireNonNull(after, "after"), answerKey);
  }

  /**
   * Returns a copy whose answers are cached under a key made from the query; by default the query itself. Queries
   * that carry a position ({@link #after}) need one that leaves the position out, or every position would get an
   * answer of its own: for example {@code q -> q.orderId()}, or a record of the fields that decide the answer.
   *
   * @param answerKey the key of a query's answer; equal for queries with equal answers
   * @return the copy
   */
  public CachedQuery<Q, R> answerKey(Function<? super Q, ?> answerKey) {
    return new CachedQuery<>(type, handler, readModel, key, new LinkedHashMap<>(invalidators), after,
        Objects.requireNonNull(answerKey, "answerKey"));
  }

  /** The key of an invalidation without a key: every answer. */
  static final Object ALL_KEYS = new Object();
  /** The invalidation without a key. */
  static final Function<Event, ?> ALL = event -> ALL_KEYS;

  Class<Q> type() {
    return type;
  }

  QueryHandler<Q, R> handler() {
    return handler;
  }

  TrackingProcessor readModel() {
    return readModel;
  }

  Optional<Function<? super Q, ?>> key() {
    return Optional.ofNullable(key);
  }

  Map<Class<? extends Event>, Function<Event, ?>> invalidators() {
    return invalidators;
  }

  Function<? super Q, Optional<Position>> positionOf() {
    return after;
  }

  Function<? super Q, ?> answerKeyOf() {
    return answerKey;
  }

  @Override
  public String toString() {
    return "CachedQuery[" + type.getSimpleName() + ", invalidated by " + invalidators.keySet().stream()
        .map(Class::getSimpleName).toList() + "]";
  }
}
