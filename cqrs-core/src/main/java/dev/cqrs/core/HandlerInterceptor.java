package dev.cqrs.core;

/**
 * Wraps the handling of every message, on the thread that handles it: logging, metrics, transactions, retries. It
 * calls {@link Chain#proceed(Message)} to go on to the next interceptor and finally the handler, or answers without
 * calling it.
 *
 * <pre>{@code
 * HandlerInterceptor<Command, CommandResult> timing = (message, chain) -> {
 *   long start = System.nanoTime();
 *   try {
 *     return chain.proceed(message);
 *   } finally {
 *     metrics.record(message.payload().getClass(), System.nanoTime() - start);
 *   }
 * };
 * }</pre>
 *
 * <p>Implementations must be thread-safe.
 *
 * @param <M> the kind of message: {@link Command} or {@code Query<?>}
 * @param <R> the result of handling: {@link CommandResult} for commands, the answer for queries
 */
@FunctionalInterface
public interface HandlerInterceptor<M, R> {

  /**
   * Handles a message, usually by calling {@code chain.proceed(message)}.
   *
   * @param message the message being handled
   * @param chain the rest of the interceptors and the handler
   * @return the result of handling
   */
  R intercept(Message<M> message, Chain<M, R> chain);

  /**
   * The rest of the handling: the remaining interceptors, then the handler. Thread-safe.
   *
   * @param <M> the kind of message
   * @param <R> the result of handling
   */
  @FunctionalInterface
  interface Chain<M, R> {

    /**
     * Continues handling.
     *
     * @param message the message to hand on, possibly with changed metadata
     * @return the result of handling
     */
    R proceed(Message<M> message);
  }
}
