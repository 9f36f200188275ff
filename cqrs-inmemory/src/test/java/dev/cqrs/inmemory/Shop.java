package dev.cqrs.inmemory;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandRejectedException;
import dev.cqrs.core.Decider;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import java.util.ArrayList;
import java.util.List;

/** A small order domain the write- and read-model tests share. */
final class Shop {

  private Shop() {
  }

  sealed interface OrderCommand extends Command permits PlaceOrder, AddItem, ConfirmOrder, CloseOrder {
    String orderId();
  }

  record PlaceOrder(String orderId, String customer) implements OrderCommand {
  }

  record AddItem(String orderId, String sku, int quantity) implements OrderCommand {
  }

  record ConfirmOrder(String orderId) implements OrderCommand {
  }

  record CloseOrder(String orderId) implements OrderCommand {
  }

  sealed interface OrderEvent extends Event permits OrderPlaced, ItemAdded, OrderConfirmed, OrderClosed {
  }

  record OrderPlaced(String orderId, String customer) implements OrderEvent {
  }

  record ItemAdded(String orderId, String sku, int quantity) implements OrderEvent {
  }

  record OrderConfirmed(String orderId) implements OrderEvent {
  }

  record OrderClosed(String orderId) implements OrderEvent {
  }

  /** The immutable state of an order. */
  record Order(String id, String customer, List<String> items, boolean confirmed, boolean closed) {
    static final Order NONE = new Order(null, null, List.of(), false, false);

    boolean exists() {
      return id != null;
    }

    Order with(OrderEvent event) {
      if (event instanceof OrderPlaced placed) {
        return new Order(placed.orderId(), placed.customer(), List.of(), false, false);
      }
      if (event instanceof ItemAdded added) {
        List<String> more = new ArrayList<>(items);
        more.add(added.sku() + "x" + added.quantity());
        return new Order(id, customer, List.copyOf(more), confirmed, closed);
      }
      if (event instanceof OrderConfirmed) {
        return new Order(id, customer, items, true, closed);
      }
      return new Order(id, customer, items, confirmed, true);
    }
  }

  static List<OrderEvent> decide(OrderCommand command, Order order) {
    if (command instanceof PlaceOrder place) {
      if (order.exists()) {
        throw new CommandRejectedException("order " + place.orderId() + " exists already");
      }
      return List.of(new OrderPlaced(place.orderId(), place.customer()));
    }
    if (command instanceof AddItem add) {
      requireOpen(order, add.orderId());
      if (add.quantity() <= 0) {
        throw new CommandRejectedException("quantity must be positive, but was " + add.quantity());
      }
      return List.of(new ItemAdded(add.orderId(), add.sku(), add.quantity()));
    }
    if (command instanceof ConfirmOrder confirm) {
      requireOpen(order, confirm.orderId());
      return order.items().isEmpty() ? List.of() : List.of(new OrderConfirmed(confirm.orderId()));
    }
    return List.of(new OrderClosed(command.orderId()));
  }

  private static void requireOpen(Order order, String orderId) {
    if (!order.exists()) {
      throw new CommandRejectedException("order " + orderId + " does not exist");
    }
    if (order.confirmed()) {
      throw new CommandRejectedException("order " + orderId + " is confirmed and cannot change");
    }
  }

  static final Decider<OrderCommand, Order, OrderEvent> ORDERS = Decider.of(
      () -> Order.NONE, Shop::decide, Order::with, Order::closed);

  static final EventTypes TYPES = EventTypes.builder()
      .register(OrderPlaced.class, "OrderPlaced", 1)
      .register(ItemAdded.class, "ItemAdded", 1)
      .register(OrderConfirmed.class, "OrderConfirmed", 1)
      .register(OrderClosed.class, "OrderClosed", 1)
      .build();

  static String stream(OrderCommand command) {
    return "order-" + command.orderId();
  }
}
