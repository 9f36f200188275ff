package dev.cqrs.core;

/**
 * Handles one type of command. Register it with {@link CommandBus#register(Class, CommandHandler)}.
 *
 * <pre>{@code
 * bus.register(PlaceOrder.class, (command, context) ->
 *     context.append("order-" + command.orderId(), ExpectedVersion.noStream(),
 *         List.of(new OrderPlaced(command.orderId(), command.customer()))));
 * }</pre>
 *
 * <p>A handler is called from the sending thread ({@link CommandBus#send}) or from the bus's executor
 * ({@link CommandBus#sendAsync}), possibly from several threads at once, so it must be thread-safe. Runtime exceptions
 * it throws reach the sender unchanged.
 *
 * @param <C> the command type
 */
@FunctionalInterface
public interface CommandHandler<C extends Command> {

  /**
   * Handles a command.
   *
   * @param command the command
   * @param context the command's metadata, and the way to append events caused by it
   */
  void handle(C command, CommandContext context);
}
