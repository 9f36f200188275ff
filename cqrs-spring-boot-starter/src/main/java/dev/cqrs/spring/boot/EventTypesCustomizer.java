package dev.cqrs.spring.boot;

import dev.cqrs.core.EventTypes;

/**
 * Registers event types, as a bean: every customizer in the context adds its types to the one {@code EventTypes} the
 * starter builds. The application must declare at least one.
 *
 * <pre>{@code
 * @Bean
 * EventTypesCustomizer orderEvents() {
 *   return types -> types.register(OrderPlaced.class, "OrderPlaced", 1).register(OrderShipped.class, "OrderShipped", 1);
 * }
 * }</pre>
 */
@FunctionalInterface
public interface EventTypesCustomizer {

  /**
   * Adds event types.
   *
   * @param types the builder of the application's event types
   */
  void customize(EventTypes.Builder types);
}
