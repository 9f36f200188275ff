package dev.cqrs.core;

/**
 * Answers one type of query, usually from a read model. Register it with {@link QueryBus#register(Class,
 * QueryHandler)}.
 *
 * <pre>{@code
 * queries.register(FindOrder.class, query -> Optional.ofNullable(orderViews.get(query.orderId())));
 * }</pre>
 *
 * <p>Handlers may be called from several threads at once, so they must be thread-safe. Runtime exceptions they throw
 * reach the asker unchanged.
 *
 * @param <Q> the query type
 * @param <R> the answer type
 */
@FunctionalInterface
public interface QueryHandler<Q extends Query<R>, R> {

  /**
   * Answers a query.
   *
   * @param query the query
   * @return the answer
   */
  R handle(Q query);
}
