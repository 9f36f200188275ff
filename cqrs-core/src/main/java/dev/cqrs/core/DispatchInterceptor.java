package dev.cqrs.core;

/**
 * Sees every message when it is sent, on the sender's thread, before it is handed to a handler (or to the executor,
 * for asynchronous sends). It may return the message with changed metadata, or reject it by throwing. Validation is
 * the typical use:
 *
 * <pre>{@code
 * DispatchInterceptor<Command> validation = message -> {
 *   if (message.payload() instanceof SelfValidating command) {
 *     command.validate(); // throws IllegalArgumentException naming the bad field
 *   }
 *   return message;
 * };
 * CommandBus bus = CommandBus.builder().dispatchInterceptor(validation).build();
 * }</pre>
 *
 * <p>Implementations must be thread-safe.
 *
 * @param <M> the kind of message: {@link Command} or {@code Query<?>}
 */
@FunctionalInterface
public interface DispatchInterceptor<M> {

  /**
   * Inspects a message before dispatch.
   *
   * @param message the message being sent
   * @return the message to dispatch, never null
   */
  Message<M> beforeDispatch(Message<M> message);
}
