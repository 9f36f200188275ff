package dev.cqrs.example.orders;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.CommandRejectedException;
import dev.cqrs.core.ProcessManager;
import dev.cqrs.core.Projection;
import dev.cqrs.example.orders.Messages.Line;
import dev.cqrs.example.orders.Messages.MarkReadyToShip;
import dev.cqrs.example.orders.Messages.OrderCancelled;
import dev.cqrs.example.orders.Messages.OrderConfirmed;
import dev.cqrs.example.orders.Messages.OrderShipped;
import dev.cqrs.example.orders.Messages.RejectOrder;
import dev.cqrs.example.orders.Messages.ReleaseStock;
import dev.cqrs.example.orders.Messages.ReserveStock;
import dev.cqrs.example.orders.Messages.ShipStock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process manager that links orders and inventory, run by a tracking processor: when an order is confirmed it
 * reserves stock for every line and marks the order ready to ship, or releases what it reserved and rejects the
 * order with the reason; when an order is cancelled it releases its stock; when it ships, the stock leaves. Every
 * command it sends is caused by the event it reacts to, so the whole chain shares the first command's correlation id,
 * and has a message id derived from that event, so a command sent again after a crash changes nothing.
 * Thread-safe as long as one processor runs it.
 */
public final class Fulfillment {

  private static final Logger LOG = LoggerFactory.getLogger(Fulfillment.class);

  /** The projection that a tracking processor runs. */
  public final Projection projection;

  /**
   * Creates the process manager.
   *
   * @param commands where it sends its commands
   */
  public Fulfillment(CommandBus commands) {
    this.projection = ProcessManager.builder(commands)
        .on(OrderConfirmed.class, this::reserve)
        .on(OrderCancelled.class, (cancelled, send) -> {
          for (Line line : cancelled.reservedLines()) {
            send(new ReleaseStock(line.sku(), line.quantity(), cancelled.orderId()), send);
          }
        })
        .on(OrderShipped.class, (shipped, send) -> {
          for (Line line : shipped.lines()) {
            send(new ShipStock(line.sku(), line.quantity(), shipped.orderId()), send);
          }
        })
        .build();
  }

  // process manager begins
  private void reserve(OrderConfirmed confirmed, ProcessManager.Sender send) {
    List<Line> reserved = new ArrayList<>();
    try {
      for (Line line : confirmed.lines()) {
        send.command(new ReserveStock(line.sku(), line.quantity(), confirmed.orderId()));
        reserved.add(line);
      }
    } catch (CommandRejectedException notEnough) {
      for (Line line : reserved) {
        send(new ReleaseStock(line.sku(), line.quantity(), confirmed.orderId()), send);
      }
      send(new RejectOrder(confirmed.orderId(), notEnough.getMessage()), send);
      return;
    }
    send(new MarkReadyToShip(confirmed.orderId()), send);
  }
  // process manager ends

  /** Sends a follow-up command; one that no longer applies (a replayed event) is logged and skipped. */
  private static void send(Command command, ProcessManager.Sender send) {
    try {
      send.command(command);
    } catch (CommandRejectedException stale) {
      LOG.info("skipping {} for {}: {}", command, send.cause(), stale.getMessage());
    }
  }
}
