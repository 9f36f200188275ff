package dev.cqrs.example.orders;

import dev.cqrs.core.Command;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** Every command and event of the example, as records. Immutable and thread-safe. */
public final class Messages {

  private Messages() {
  }

  /**
   * One line of an order.
   *
   * @param sku the product
   * @param quantity how many
   * @param unitPrice the price of one, in cents
   */
  public record Line(String sku, int quantity, long unitPrice) {
    /**
     * Returns the line's total.
     *
     * @return quantity times unit price, in cents
     */
    public long total() {
      return quantity * unitPrice;
    }
  }

  // ---- order commands

  /** A command to an order. */
  public sealed interface OrderCommand extends Command
      permits PlaceOrder, AddItem, RemoveItem, ConfirmOrder, MarkReadyToShip, RejectOrder, ShipOrder, CancelOrder {
    /**
     * Returns the order the command is for.
     *
     * @return the order id
     */
    String orderId();
  }

  /**
   * Opens a new order.
   *
   * @param orderId the new order's id
   * @param customer who orders
   */
  public record PlaceOrder(String orderId, String customer) implements OrderCommand {
    /**
     * Checks the fields.
     *
     * @param orderId the new order's id
     * @param customer who orders, not blank
     */
    public PlaceOrder {
      Objects.requireNonNull(orderId, "orderId");
      if (customer == null || customer.isBlank()) {
        throw new IllegalArgumentException("customer must not be blank");
      }
      if (customer.length() > MAX_CUSTOMER_LENGTH) {
        throw new IllegalArgumentException("customer must be at most " + MAX_CUSTOMER_LENGTH + " characters, but had "
            + customer.length());
      }
      for (int i = 0; i < customer.length(); i++) {
        char c = customer.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < customer.length()
            && Character.isLowSurrogate(customer.charAt(i + 1))) {
          i++; // a pair: one character outside the basic plane
          continue;
        }
        if (Character.isISOControl(c) || Character.isSurrogate(c) || Character.getType(c) == Character.FORMAT) {
          throw new IllegalArgumentException(String.format("customer must be printable text, but had U+%04X at"
              + " index %d", (int) c, i));
        }
      }
    }

    /** The longest customer name accepted. */
    public static final int MAX_CUSTOMER_LENGTH = 100;
  }

  /**
   * Adds items to an open order.
   *
   * @param orderId the order
   * @param sku the product
   * @param quantity how many, more than 0
   */
  public record AddItem(String orderId, String sku, int quantity) implements OrderCommand {
  }

  /**
   * Removes items from an open order.
   *
   * @param orderId the order
   * @param sku the product
   * @param quantity how many, more than 0
   */
  public record RemoveItem(String orderId, String sku, int quantity) implements OrderCommand {
  }

  /**
   * Closes an order for changes and asks fulfillment to reserve its stock.
   *
   * @param orderId the order
   */
  public record ConfirmOrder(String orderId) implements OrderCommand {
  }

  /**
   * Sent by fulfillment when every line's stock is reserved.
   *
   * @param orderId the order
   */
  public record MarkReadyToShip(String orderId) implements OrderCommand {
  }

  /**
   * Sent by fulfillment when stock cannot be reserved.
   *
   * @param orderId the order
   * @param reason why
   */
  public record RejectOrder(String orderId, String reason) implements OrderCommand {
  }

  /**
   * Ships an order that is ready to ship.
   *
   * @param orderId the order
   */
  public record ShipOrder(String orderId) implements OrderCommand {
  }

  /**
   * Cancels an order that has not shipped.
   *
   * @param orderId the order
   */
  public record CancelOrder(String orderId) implements OrderCommand {
  }

  // ---- order events

  /** Something that happened to an order. */
  public sealed interface OrderEvent extends Event
      permits OrderPlaced, ItemAdded, ItemRemoved, OrderConfirmed, OrderReadyToShip, OrderRejected, OrderShipped,
      OrderCancelled {
    /**
     * Returns the order it happened to.
     *
     * @return the order id
     */
    String orderId();
  }

  /**
   * An order was opened.
   *
   * @param orderId the order
   * @param customer who ordered
   */
  public record OrderPlaced(String orderId, String customer) implements OrderEvent {
  }

  /**
   * Items were added.
   *
   * @param orderId the order
   * @param sku the product
   * @param quantity how many
   * @param unitPrice the price of one, in cents
   */
  public record ItemAdded(String orderId, String sku, int quantity, long unitPrice) implements OrderEvent {
  }

  /**
   * Items were removed.
   *
   * @param orderId the order
   * @param sku the product
   * @param quantity how many
   */
  public record ItemRemoved(String orderId, String sku, int quantity) implements OrderEvent {
  }

  /**
   * The order was confirmed with these lines.
   *
   * @param orderId the order
   * @param customer who ordered
   * @param lines its lines
   */
  public record OrderConfirmed(String orderId, String customer, List<Line> lines) implements OrderEvent {
  }

  /**
   * All stock was reserved.
   *
   * @param orderId the order
   */
  public record OrderReadyToShip(String orderId) implements OrderEvent {
  }

  /**
   * Stock could not be reserved.
   *
   * @param orderId the order
   * @param reason why
   */
  public record OrderRejected(String orderId, String reason) implements OrderEvent {
  }

  /**
   * The order left the warehouse.
   *
   * @param orderId the order
   * @param lines what was shipped
   */
  public record OrderShipped(String orderId, List<Line> lines) implements OrderEvent {
  }

  /**
   * The order was cancelled.
   *
   * @param orderId the order
   * @param reservedLines the lines whose stock was reserved and must be released; empty when none was
   */
  public record OrderCancelled(String orderId, List<Line> reservedLines) implements OrderEvent {
  }

  // ---- stock commands and events

  /** A command to a product's stock. */
  public sealed interface StockCommand extends Command permits Restock, ReserveStock, ReleaseStock, ShipStock {
    /**
     * Returns the product.
     *
     * @return the sku
     */
    String sku();

    /**
     * Returns how many items the command is about.
     *
     * @return the quantity
     */
    int quantity();
  }

  /**
   * Items arrived in the warehouse.
   *
   * @param sku the product
   * @param quantity how many
   */
  public record Restock(String sku, int quantity) implements StockCommand {
  }

  /**
   * Sets items aside for an order.
   *
   * @param sku the product
   * @param quantity how many
   * @param orderId for which order
   */
  public record ReserveStock(String sku, int quantity, String orderId) implements StockCommand {
  }

  /**
   * Gives reserved items back.
   *
   * @param sku the product
   * @param quantity how many
   * @param orderId from which order
   */
  public record ReleaseStock(String sku, int quantity, String orderId) implements StockCommand {
  }

  /**
   * Reserved items left with a shipped order.
   *
   * @param sku the product
   * @param quantity how many
   * @param orderId which order
   */
  public record ShipStock(String sku, int quantity, String orderId) implements StockCommand {
  }

  /** Something that happened to a product's stock. */
  public sealed interface StockEvent extends Event permits Restocked, StockReserved, StockReleased, StockShipped {
    /**
     * Returns the product.
     *
     * @return the sku
     */
    String sku();
  }

  /**
   * Items arrived.
   *
   * @param sku the product
   * @param quantity how many
   */
  public record Restocked(String sku, int quantity) implements StockEvent {
  }

  /**
   * Items were set aside for an order.
   *
   * @param sku the product
   * @param quantity how many
   * @param orderId for which order
   */
  public record StockReserved(String sku, int quantity, String orderId) implements StockEvent {
  }

  /**
   * Reserved items were given back.
   *
   * @param sku the product
   * @param quantity how many
   * @param orderId from which order
   */
  public record StockReleased(String sku, int quantity, String orderId) implements StockEvent {
  }

  /**
   * Reserved items left the warehouse.
   *
   * @param sku the product
   * @param quantity how many
   * @param orderId with which order
   */
  public record StockShipped(String sku, int quantity, String orderId) implements StockEvent {
  }

  // ---- promotions: a rule across orders, decided over queries instead of one stream

  /** A command about a promotion code. */
  public sealed interface PromotionCommand extends Command permits DefinePromotion, RedeemPromotion {
    /**
     * Returns the promotion code.
     *
     * @return the code
     */
    String code();
  }

  /**
   * Offers a promotion code, redeemable a limited number of times across all orders.
   *
   * @param code the code: 1 to 40 capital letters, digits and dashes
   * @param percentOff the discount, 1 to 100 percent
   * @param maxRedemptions how many orders may use it, at least 1
   */
  public record DefinePromotion(String code, int percentOff, int maxRedemptions) implements PromotionCommand {
    /**
     * Checks the fields.
     *
     * @param code the code
     * @param percentOff the discount
     * @param maxRedemptions how many orders may use it
     */
    public DefinePromotion {
      checkCode(code);
      if (percentOff < 1 || percentOff > 100) {
        throw new IllegalArgumentException("percentOff must be 1 to 100, but was " + percentOff);
      }
      if (maxRedemptions < 1) {
        throw new IllegalArgumentException("maxRedemptions must be at least 1, but was " + maxRedemptions);
      }
    }
  }

  /**
   * Applies a promotion code to an open order.
   *
   * @param code the code
   * @param orderId the order
   */
  public record RedeemPromotion(String code, String orderId) implements PromotionCommand {
    /**
     * Checks the fields.
     *
     * @param code the code
     * @param orderId the order
     */
    public RedeemPromotion {
      checkCode(code);
      Objects.requireNonNull(orderId, "orderId");
    }
  }

  private static final java.util.regex.Pattern CODE = java.util.regex.Pattern.compile("[A-Z0-9-]{1,40}");

  private static void checkCode(String code) {
    Objects.requireNonNull(code, "code");
    if (!CODE.matcher(code).matches()) {
      throw new IllegalArgumentException("a promotion code is 1 to 40 capital letters, digits and dashes, but was '"
          + Table.printable(code) + "'");
    }
  }

  /** Something that happened to a promotion code. */
  public sealed interface PromotionEvent extends Event permits PromotionDefined, PromotionRedeemed {
    /**
     * Returns the promotion code.
     *
     * @return the code
     */
    String code();
  }

  /**
   * A promotion code was offered.
   *
   * @param code the code
   * @param percentOff the discount in percent
   * @param maxRedemptions how many orders may use it
   */
  public record PromotionDefined(String code, int percentOff, int maxRedemptions) implements PromotionEvent {
  }

  /**
   * An order used a promotion code.
   *
   * @param code the code
   * @param orderId the order
   * @param percentOff the discount it got
   */
  public record PromotionRedeemed(String code, String orderId, int percentOff) implements PromotionEvent {
  }

  /** Every kind of order event, for read models that follow whole orders. */
  public static final List<Class<? extends OrderEvent>> ORDER_EVENTS = List.of(OrderPlaced.class, ItemAdded.class,
      ItemRemoved.class, OrderConfirmed.class, OrderReadyToShip.class, OrderRejected.class, OrderShipped.class,
      OrderCancelled.class);

  /** The tag of an order's events: rules across orders read an order's state by it. */
  static String orderTag(String orderId) {
    return "order:" + orderId;
  }

  /** The tag of a promotion code's events. */
  static String promotionTag(String code) {
    return "promotion:" + code;
  }

  /**
   * Every event, under stable names that survive renaming the classes. Each type derives the tags its events carry:
   * an order's events carry its order tag, a promotion's events their code's tag (a redemption also its order's), so
   * that the promotion rule can read both by query.
   */
  public static final EventTypes TYPES = EventTypes.builder()
      .register(OrderPlaced.class, "OrderPlaced", 1, e -> Set.of(orderTag(e.orderId())))
      .register(ItemAdded.class, "ItemAdded", 1, e -> Set.of(orderTag(e.orderId())))
      .register(ItemRemoved.class, "ItemRemoved", 1, e -> Set.of(orderTag(e.orderId())))
      .register(OrderConfirmed.class, "OrderConfirmed", 1, e -> Set.of(orderTag(e.orderId())))
      .register(OrderReadyToShip.class, "OrderReadyToShip", 1, e -> Set.of(orderTag(e.orderId())))
      .register(OrderRejected.class, "OrderRejected", 1, e -> Set.of(orderTag(e.orderId())))
      .register(OrderShipped.class, "OrderShipped", 1, e -> Set.of(orderTag(e.orderId())))
      .register(OrderCancelled.class, "OrderCancelled", 1, e -> Set.of(orderTag(e.orderId())))
      .register(Restocked.class, "Restocked", 1)
      .register(StockReserved.class, "StockReserved", 1)
      .register(StockReleased.class, "StockReleased", 1)
      .register(StockShipped.class, "StockShipped", 1)
      .register(PromotionDefined.class, "PromotionDefined", 1, e -> Set.of(promotionTag(e.code())))
      .register(PromotionRedeemed.class, "PromotionRedeemed", 1,
          e -> Set.of(promotionTag(e.code()), orderTag(e.orderId())))
      .build();
}
