package dev.cqrs.core.internal;

import dev.cqrs.core.DispatchInterceptor;
import dev.cqrs.core.DuplicateHandlerException;
import dev.cqrs.core.HandlerInterceptor;
import dev.cqrs.core.Message;
import dev.cqrs.core.Metadata;
import dev.cqrs.core.NoHandlerException;
import dev.cqrs.core.Query;
import dev.cqrs.core.QueryBus;
import dev.cqrs.core.QueryHandler;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/** The in-JVM query bus behind {@link QueryBus#builder()}. Thread-safe. */
public final class SimpleQueryBus implements QueryBus {

  private final ConcurrentHashMap<Class<?>, QueryHandler<Query<Object>, ?>> handlers = new ConcurrentHashMap<>();
  private final Executor executor;
  private final Clock clock;
  private final List<DispatchInterceptor<Query<?>>> dispatchInterceptors;
  private final HandlerInterceptor.Chain<Query<?>, Object> handling;

  /**
   * Creates the bus; called by {@link QueryBus.Builder#build()}.
   *
   * @param executor the executor for asynchronous queries, or null for one of the bus's own
   * @param clock the clock for new metadata
   * @param dispatchInterceptors dispatch interceptors, in order
   * @param handlerInterceptors handler interceptors, outermost first
   */
  public SimpleQueryBus(Executor executor, Clock clock, List<DispatchInterceptor<Query<?>>> dispatchInterceptors,
                        List<HandlerInterceptor<Query<?>, Object>> handlerInterceptors) {
    this.executor = executor != null ? executor : new OwnedExecutor("cqrs-query");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.dispatchInterceptors = List.copyOf(dispatchInterceptors);
    this.handling = Dispatch.compose(List.copyOf(handlerInterceptors), this::invokeHandler);
  }

  @Override
  public void close() {
    if (executor instanceof OwnedExecutor owned) {
      owned.close();
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public <Q extends Query<R>, R> QueryBus register(Class<Q> queryType, QueryHandler<Q, ? extends R> handler) {
    Objects.requireNonNull(queryType, "queryType must not be null");
    Objects.requireNonNull(handler, "handler must not be null");
    if (handlers.putIfAbsent(queryType, (QueryHandler<Query<Object>, ?>) (QueryHandler<?, ?>) handler) != null) {
      throw new DuplicateHandlerException("query", queryType);
    }
    return this;
  }

  @Override
  public <R> R ask(Query<R> query) {
    Objects.requireNonNull(query, "query must not be null");
    return ask(query, Metadata.create(clock));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <R> R ask(Query<R> query, Metadata metadata) {
    Message<Query<?>> message = new Message<>(Objects.requireNonNull(query, "query must not be null"), metadata);
    return (R) handling.proceed(Dispatch.beforeDispatch(dispatchInterceptors, message));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <R> CompletableFuture<R> askAsync(Query<R> query) {
    Objects.requireNonNull(query, "query must not be null");
    Message<Query<?>> dispatched;
    try {
      dispatched = Dispatch.beforeDispatch(dispatchInterceptors, new Message<>(query, Metadata.create(clock)));
    } catch (RuntimeException rejected) {
      return CompletableFuture.failedFuture(rejected);
    }
    return Dispatch.runAsync(executor, () -> (R) handling.proceed(dispatched));
  }

  @SuppressWarnings("unchecked")
  private Object invokeHandler(Message<Query<?>> message) {
    Query<?> query = message.payload();
    QueryHandler<Query<Object>, ?> handler = handlers.get(query.getClass());
    if (handler == null) {
      throw new NoHandlerException("query", query.getClass());
    }
    return handler.handle((Query<Object>) query);
  }
}
