package dev.cqrs.core;

import dev.cqrs.core.internal.SimpleQueryBus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Routes each query to the one handler registered for its class and returns its typed answer.
 *
 * <pre>{@code
 * QueryBus queries = QueryBus.builder().build();
 * queries.register(FindOrder.class, query -> orders.find(query.orderId()));
 * Optional<OrderView> order = queries.ask(new FindOrder("42")); // no cast
 * }</pre>
 *
 * <p>Asking a query with no handler raises {@link NoHandlerException}; registering a second handler for a class
 * raises {@link DuplicateHandlerException}. Exceptions from handlers reach the asker unchanged ({@link #ask}) or as the
 * future's cause ({@link #askAsync}). Handlers are looked up by the query's exact class.
 *
 * <p>Implementations are thread-safe: queries may be asked and handlers registered from any thread.
 */
public interface QueryBus extends AutoCloseable {

  /**
   * Stops the executor the bus made for asynchronous sends, if it made one, letting queued work finish; later
   * asynchronous sends complete exceptionally. Synchronous sends, which run on the caller's thread, keep working. An
   * executor given to the builder is not touched.
   */
  @Override
  void close();

  /**
   * Registers the handler for a query class.
   *
   * @param queryType the query's class
   * @param handler its handler
   * @param <Q> the query type
   * @param <R> the answer type
   * @return this bus, for chaining
   * @throws DuplicateHandlerException if the class has a handler already
   */
  <Q extends Query<R>, R> QueryBus register(Class<Q> queryType, QueryHandler<Q, ? extends R> handler);

  /**
   * Asks a query and waits for the answer on this thread.
   *
   * @param query the query
   * @param <R> the answer type
   * @return the handler's answer
   * @throws NoHandlerException if no handler is registered for the query's class
   * @throws NullPointerException if the query is null
   */
  <R> R ask(Query<R> query);

  /**
   * Asks a query with the given metadata and waits for the answer on this thread.
   *
   * @param query the query
   * @param metadata its metadata
   * @param <R> the answer type
   * @return the handler's answer
   */
  <R> R ask(Query<R> query, Metadata metadata);

  /**
   * Asks a query to be answered on the bus's executor. Every failure, including a missing handler, completes the
   * future exceptionally with the original exception as its cause.
   *
   * @param query the query
   * @param <R> the answer type
   * @return a future of the answer
   * @throws NullPointerException if the query is null
   */
  <R> CompletableFuture<R> askAsync(Query<R> query);

  /**
   * Starts configuring a query bus.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Configures a {@link QueryBus}; each setting is checked when it is made. Not thread-safe; the bus it builds is.
   */
  final class Builder {

    private Executor executor;
    private Clock clock = Clock.systemUTC();
    private final List<DispatchInterceptor<Query<?>>> dispatchInterceptors = new ArrayList<>();
    private final List<HandlerInterceptor<Query<?>, Object>> handlerInterceptors = new ArrayList<>();

    private Builder() {
    }

    /**
     * Sets the executor that {@link QueryBus#askAsync} hands queries to; by default the bus makes a pool of daemon
     * threads of its own on first use (sized for handlers that block on a database), which {@link #close()} stops. An
     * executor given here is the caller's to shut down.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor must not be null");
      return this;
    }

    /**
     * Sets the clock that timestamps new metadata; the default is the system clock in UTC.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /**
     * Adds a dispatch interceptor; they run in the order added.
     *
     * @param interceptor the interceptor
     * @return this builder
     */
    public Builder dispatchInterceptor(DispatchInterceptor<Query<?>> interceptor) {
      dispatchInterceptors.add(Objects.requireNonNull(interceptor, "interceptor must not be null"));
      return this;
    }

    /**
     * Adds a handler interceptor; the first added is the outermost. It sees answers as {@code Object}.
     *
     * @param interceptor the interceptor
     * @return this builder
     */
    public Builder handlerInterceptor(HandlerInterceptor<Query<?>, Object> interceptor) {
      handlerInterceptors.add(Objects.requireNonNull(interceptor, "interceptor must not be null"));
      return this;
    }

    /**
     * Builds the bus.
     *
     * @return a new, thread-safe query bus without handlers
     */
    public QueryBus build() {
      return new SimpleQueryBus(executor, clock, dispatchInterceptors, handlerInterceptors);
    }
  }
}
