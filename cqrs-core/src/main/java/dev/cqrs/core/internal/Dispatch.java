package dev.cqrs.core.internal;

import dev.cqrs.core.DispatchInterceptor;
import dev.cqrs.core.HandlerInterceptor;
import dev.cqrs.core.Message;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/** What the command and query buses share: interceptor chains composed once, and asynchronous hand-off. */
final class Dispatch {

  private Dispatch() {
  }

  /** Composes the handler interceptors around the terminal step once, so that dispatch allocates no chain. */
  static <M, R> HandlerInterceptor.Chain<M, R> compose(
      List<HandlerInterceptor<M, R>> interceptors, HandlerInterceptor.Chain<M, R> terminal) {
    HandlerInterceptor.Chain<M, R> chain = terminal;
    for (int i = interceptors.size() - 1; i >= 0; i--) {
      HandlerInterceptor<M, R> interceptor = interceptors.get(i);
      HandlerInterceptor.Chain<M, R> next = chain;
      chain = message -> interceptor.intercept(message, next);
    }
    return chain;
  }

  static <M> Message<M> beforeDispatch(List<DispatchInterceptor<M>> interceptors, Message<M> message) {
    Message<M> current = message;
    for (int i = 0, n = interceptors.size(); i < n; i++) {
      DispatchInterceptor<M> interceptor = interceptors.get(i);
      Message<M> next = interceptor.beforeDispatch(current);
      current = Objects.requireNonNull(next, () -> "dispatch interceptor " + interceptor + " returned null");
    }
    return current;
  }

  /**
   * Runs {@code work} on {@code executor}; the future fails with the work's own exception as its cause (not wrapped in
   * a {@code CompletionException}), and with the executor's exception if it rejects the work.
   */
  static <R> CompletableFuture<R> runAsync(Executor executor, Supplier<R> work) {
    CompletableFuture<R> future = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        try {
          future.complete(work.get());
        } catch (Throwable failure) {
          future.completeExceptionally(failure);
        }
      });
    } catch (RuntimeException rejected) {
      future.completeExceptionally(rejected);
    }
    return future;
  }
}
