package dev.cqrs.example.orders;

import dev.cqrs.core.CommandRejectedException;
import dev.cqrs.core.StateChange;
import dev.cqrs.example.orders.Messages.ReleaseStock;
import dev.cqrs.example.orders.Messages.ReserveStock;
import dev.cqrs.example.orders.Messages.Restock;
import dev.cqrs.example.orders.Messages.Restocked;
import dev.cqrs.example.orders.Messages.StockCommand;
import dev.cqrs.example.orders.Messages.StockReleased;
import dev.cqrs.example.orders.Messages.StockReserved;
import dev.cqrs.example.orders.Messages.StockShipped;
import java.util.Optional;

/**
 * The inventory write model, state-stored: one row per product with how many are on hand and how many of those are
 * reserved for orders. Its changes raise events too, so read models follow it.
 *
 * @param sku the product
 * @param onHand items in the warehouse
 * @param reserved items set aside for orders, at most {@code onHand}
 */
public record Stock(String sku, long onHand, long reserved) {

  /**
   * Returns how many items can still be reserved.
   *
   * @return on hand minus reserved
   */
  public long available() {
    return onHand - reserved;
  }

  // stock begins
  /**
   * Computes the new stock and its event for a command, or rejects it.
   *
   * @param current the stock, empty for a product never restocked
   * @param command the command
   * @return the change
   * @throws CommandRejectedException when a rule forbids the command
   */
  public static StateChange<Stock> change(Optional<Stock> current, StockCommand command) {
    Catalog.priceOf(command.sku());
    if (command.quantity() <= 0 || command.quantity() > Order.MAX_QUANTITY) {
      throw new CommandRejectedException("quantity must be from 1 to " + Order.MAX_QUANTITY + ", but was "
          + command.quantity());
    }
    Stock stock = current.orElse(new Stock(command.sku(), 0, 0));
    int quantity = command.quantity();
    if (command instanceof Restock) {
      return StateChange.of(new Stock(stock.sku, stock.onHand + quantity, stock.reserved),
          new Restocked(stock.sku, quantity));
    }
    if (command instanceof ReserveStock reserve) {
      if (stock.available() < quantity) {
        throw new CommandRejectedException("not enough '" + stock.sku + "' in stock: " + stock.available()
            + " available, " + quantity + " wanted");
      }
      return StateChange.of(new Stock(stock.sku, stock.onHand, stock.reserved + quantity),
          new StockReserved(stock.sku, quantity, reserve.orderId()));
    }
    if (stock.reserved < quantity) {
      throw new CommandRejectedException("only " + stock.reserved + " of '" + stock.sku + "' are reserved, not "
          + quantity);
    }
    if (command instanceof ReleaseStock release) {
      return StateChange.of(new Stock(stock.sku, stock.onHand, stock.reserved - quantity),
          new StockReleased(stock.sku, quantity, release.orderId()));
    }
    Messages.ShipStock ship = (Messages.ShipStock) command;
    return StateChange.of(new Stock(stock.sku, stock.onHand - quantity, stock.reserved - quantity),
        new StockShipped(stock.sku, quantity, ship.orderId()));
  }
  // stock ends
}
