package dev.cqrs.spring.boot;

import dev.cqrs.core.CommandBus;

/**
 * Registers command handlers on the starter's {@link CommandBus}, as a bean: explicit and typed, no scanning.
 *
 * <pre>{@code
 * @Bean
 * CommandBusCustomizer orderCommands() {
 *   CommandHandler<OrderCommand> orders = EventSourcedHandler.builder(Order.DECIDER, c -> "order-" + c.orderId()).build();
 *   return bus -> bus.register(PlaceOrder.class, orders).register(ShipOrder.class, orders);
 * }
 * }</pre>
 */
@FunctionalInterface
public interface CommandBusCustomizer {

  /**
   * Registers handlers.
   *
   * @param bus the bus
   */
  void customize(CommandBus bus);
}
