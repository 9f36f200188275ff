package dev.cqrs.spring.boot;

import dev.cqrs.core.QueryBus;

/** Registers query handlers on the starter's {@link QueryBus}, as a bean: {@code bus -> bus.register(...)}. */
@FunctionalInterface
public interface QueryBusCustomizer {

  /**
   * Registers handlers.
   *
   * @param bus the bus
   */
  void customize(QueryBus bus);
}
