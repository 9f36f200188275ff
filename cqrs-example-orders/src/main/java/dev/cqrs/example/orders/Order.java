package dev.cqrs.example.orders;

import dev.cqrs.core.CommandRejectedException;
import dev.cqrs.core.Decider;
import dev.cqrs.example.orders.Messages.AddItem;
import dev.cqrs.example.orders.Messages.CancelOrder;
import dev.cqrs.example.orders.Messages.ConfirmOrder;
import dev.cqrs.example.orders.Messages.ItemAdded;
import dev.cqrs.example.orders.Messages.ItemRemoved;
import dev.cqrs.example.orders.Messages.Line;
import dev.cqrs.example.orders.Messages.MarkReadyToShip;
import dev.cqrs.example.orders.Messages.OrderCancelled;
import dev.cqrs.example.orders.Messages.OrderCommand;
import dev.cqrs.example.orders.Messages.OrderConfirmed;
import dev.cqrs.example.orders.Messages.OrderEvent;
import dev.cqrs.example.orders.Messages.OrderPlaced;
import dev.cqrs.example.orders.Messages.OrderReadyToShip;
import dev.cqrs.example.orders.Messages.OrderRejected;
import dev.cqrs.example.orders.Messages.OrderShipped;
import dev.cqrs.example.orders.Messages.PlaceOrder;
import dev.cqrs.example.orders.Messages.RejectOrder;
import dev.cqrs.example.orders.Messages.RemoveItem;
import dev.cqrs.example.orders.Messages.ShipOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The order write model as a decider: an immutable state, the rules in {@link #decide}, and {@link #evolve}.
 *
 * @param id the order id, null before it is placed
 * @param customer who ordered
 * @param status where the order is in its life
 * @param lines its lines, one per product
 */
public record Order(String id, String customer, Status status, List<Line> lines) {

  /** Where an order is in its life. */
  public enum Status {
    /** Not placed yet. */
    NONE,
    /** Placed; items can be added and removed. */
    OPEN,
    /** Confirmed; fulfillment is reserving stock. */
    CONFIRMED,
    /** Stock is reserved. */
    READY_TO_SHIP,
    /** Stock could not be reserved. */
    REJECTED,
    /** Shipped. */
    SHIPPED,
    /** Cancelled before shipping. */
    CANCELLED
  }

  /** The state of an order that does not exist yet. */
  public static final Order NONE = new Order(null, null, Status.NONE, List.of());

  // decider begins
  /** The order decider that the command handler runs. */
  public static final Decider<OrderCommand, Order, OrderEvent> DECIDER =
      Decider.of(NONE, Order::decide, Order::evolve);

  /**
   * Decides what a command does to an order, or rejects it.
   *
   * @param command the command
   * @param order the order's state
   * @return the new events
   * @throws CommandRejectedException when a rule forbids the command
   */
  public static List<OrderEvent> decide(OrderCommand command, Order order) {
    if (command instanceof PlaceOrder place) {
      if (order.status != Status.NONE) {
        throw new CommandRejectedException("order " + place.orderId() + " exists already");
      }
      return List.of(new OrderPlaced(place.orderId(), place.customer()));
    }
    order.requireExists(command.orderId());
    if (command instanceof AddItem add) {
      order.requireOpen("add items to");
      requirePositive(add.quantity());
      long total = (long) order.quantityOf(add.sku()) + add.quantity();
      if (total > MAX_QUANTITY) {
        throw new CommandRejectedException("order " + order.id + " would hold " + total + " of '" + add.sku()
            + "', but an order holds at most " + MAX_QUANTITY + " of a product");
      }
      return List.of(new ItemAdded(order.id, add.sku(), add.quantity(), Catalog.priceOf(add.sku())));
    }
    if (command instanceof RemoveItem remove) {
      order.requireOpen("remove items from");
      requirePositive(remove.quantity());
      int has = order.quantityOf(remove.sku());
      if (has < remove.quantity()) {
        throw new CommandRejectedException("order " + order.id + " has " + has + " of '" + remove.sku()
            + "', so " + remove.quantity() + " cannot be removed");
      }
      return List.of(new ItemRemoved(order.id, remove.sku(), remove.quantity()));
    }
    if (command instanceof ConfirmOrder) {
      order.requireOpen("confirm");
      if (order.lines.isEmpty()) {
        throw new CommandRejectedException("order " + order.id + " has no items to confirm");
      }
      return List.of(new OrderConfirmed(order.id, order.customer, order.lines));
    }
    if (command instanceof MarkReadyToShip) {
      order.requireStatus(Status.CONFIRMED, "be marked ready to ship");
      return List.of(new OrderReadyToShip(order.id));
    }
    if (command instanceof RejectOrder reject) {
      order.requireStatus(Status.CONFIRMED, "be rejected");
      return List.of(new OrderRejected(order.id, reject.reason()));
    }
    if (command instanceof ShipOrder) {
      if (order.status == Status.OPEN || order.status == Status.CONFIRMED) {
        throw new CommandRejectedException("order " + order.id + " cannot ship before it is confirmed and its stock"
            + " reserved (it is " + order.status + ")");
      }
      order.requireStatus(Status.READY_TO_SHIP, "ship");
      return List.of(new OrderShipped(order.id, order.lines));
    }
    CancelOrder cancel = (CancelOrder) command;
    if (order.status == Status.SHIPPED) {
      throw new CommandRejectedException("order " + cancel.orderId() + " has shipped and cannot be cancelled");
    }
    if (order.status == Status.CANCELLED) {
      return List.of();
    }
    return List.of(new OrderCancelled(order.id,
        order.status == Status.READY_TO_SHIP ? order.lines : List.of()));
  }

  /**
   * Returns the order after an event.
   *
   * @param order the order before
   * @param event the event
   * @return the order after
   */
  public static Order evolve(Order order, OrderEvent event) {
    if (event instanceof OrderPlaced placed) {
      return new Order(placed.orderId(), placed.customer(), Status.OPEN, List.of());
    }
    if (event instanceof ItemAdded added) {
      return order.withLines(changeQuantity(order.lines, added.sku(), added.quantity(), added.unitPrice()));
    }
    if (event instanceof ItemRemoved removed) {
      return order.withLines(changeQuantity(order.lines, removed.sku(), -removed.quantity(), 0));
    }
    if (event instanceof OrderConfirmed) {
      return order.withStatus(Status.CONFIRMED);
    }
    if (event instanceof OrderReadyToShip) {
      return order.withStatus(Status.READY_TO_SHIP);
    }
    if (event instanceof OrderRejected) {
      return order.withStatus(Status.REJECTED);
    }
    if (event instanceof OrderShipped) {
      return order.withStatus(Status.SHIPPED);
    }
    return order.withStatus(Status.CANCELLED);
  }
  // decider ends

  /**
   * Returns how many of a product the order holds.
   *
   * @param sku the product
   * @return the quantity, 0 when none
   */
  public int quantityOf(String sku) {
    return lines.stream().filter(line -> line.sku().equals(sku)).mapToInt(Line::quantity).sum();
  }

  /**
   * Returns the order's total.
   *
   * @return the sum of its lines, in cents
   */
  public long total() {
    return lines.stream().mapToLong(Line::total).sum();
  }

  static List<Line> changeQuantity(List<Line> lines, String sku, int delta, long unitPrice) {
    List<Line> changed = new ArrayList<>();
    boolean found = false;
    for (Line line : lines) {
      if (line.sku().equals(sku)) {
        found = true;
        int quantity = line.quantity() + delta;
        if (quantity > 0) {
          changed.add(new Line(sku, quantity, line.unitPrice()));
        }
      } else {
        changed.add(line);
      }
    }
    if (!found && delta > 0) {
      changed.add(new Line(sku, delta, unitPrice));
    }
    return List.copyOf(changed);
  }

  private Order withLines(List<Line> newLines) {
    return new Order(id, customer, status, newLines);
  }

  private Order withStatus(Status newStatus) {
    return new Order(id, customer, newStatus, lines);
  }

  private void requireExists(String orderId) {
    if (status == Status.NONE) {
      throw new CommandRejectedException("order " + orderId + " does not exist");
    }
  }

  private void requireOpen(String action) {
    if (status != Status.OPEN) {
      throw new CommandRejectedException("cannot " + action + " order " + id + ": it is " + status
          + ", and orders cannot change after confirmation");
    }
  }

  private void requireStatus(Status required, String action) {
    if (status != required) {
      throw new CommandRejectedException("order " + id + " is " + status + " and cannot " + action);
    }
  }

  /** The most of one product an order may hold (also the most one command may add or restock). */
  public static final int MAX_QUANTITY = 10_000;

  private static void requirePositive(int quantity) {
    if (quantity <= 0) {
      throw new CommandRejectedException("quantity must be positive, but was " + quantity);
    }
  }
}
