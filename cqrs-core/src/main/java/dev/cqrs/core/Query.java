package dev.cqrs.core;

/**
 * Marker for a query whose answer has type {@code R}, handled by exactly one handler on a {@link QueryBus}.
 *
 * <p>Because the query names its result type, {@code OrderView view = queries.ask(new FindOrder(id));} needs no cast.
 * Write queries as records; implementations should be immutable, which makes them safe to share between threads.
 *
 * @param <R> the type of the answer
 */
public interface Query<R> {
}
