package dev.cqrs.benchmarks;

import dev.cqrs.core.Command;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** The messages both libraries handle in every workload: the same records, the same JSON. */
public final class Payloads {

  private Payloads() {
  }

  /**
   * A command with nothing to do, for dispatch cost.
   *
   * @param value anything
   */
  public record Ping(long value) implements Command {
  }

  /**
   * A command that increments a counter stream.
   *
   * @param id the counter
   */
  public record Increment(@TargetAggregateIdentifier String id) implements Command {
  }

  /**
   * A counter was incremented.
   *
   * @param id the counter
   * @param value its new value
   */
  public record Incremented(String id, long value) implements Event {
  }

  /**
   * The event the database workloads append and read: a few fields, about 100 bytes of JSON.
   *
   * @param orderId an order id
   * @param customer a customer
   * @param amount an amount
   * @param note some text
   */
  public record OrderPlaced(String orderId, String customer, long amount, String note) implements Event {
  }

  /** The registry of this library's side. */
  public static final EventTypes TYPES = EventTypes.builder()
      .register(Incremented.class, "Incremented", 1)
      .register(OrderPlaced.class, "OrderPlaced", 1)
      .build();

  static OrderPlaced order(long i) {
    return new OrderPlaced("order-" + i, "customer-" + (i % 1000), i * 7, "a note of some length for the payload");
  }
}
