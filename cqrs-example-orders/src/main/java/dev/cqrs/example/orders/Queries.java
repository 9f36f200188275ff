package dev.cqrs.example.orders;

import dev.cqrs.core.Query;
import dev.cqrs.example.orders.Messages.Line;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** The queries the read models answer, and their answers. Immutable and thread-safe. */
public final class Queries {

  private Queries() {
  }

  /**
   * An order as a customer or clerk sees it.
   *
   * @param orderId the order
   * @param customer who ordered
   * @param status its status
   * @param lines its lines
   * @param total its total in cents
   * @param note why it was rejected, or empty
   */
  public record OrderView(String orderId, String customer, Order.Status status, List<Line> lines, long total,
                          String note) {
  }

  /**
   * One order in a customer's history.
   *
   * @param orderId the order
   * @param status its status
   * @param total its total in cents
   */
  public record CustomerOrder(String orderId, Order.Status status, long total) {
  }

  /**
   * What one product sold on one day.
   *
   * @param day the day (UTC) the orders shipped
   * @param sku the product
   * @param quantity items shipped
   * @param revenue their value in cents
   */
  public record SalesLine(LocalDate day, String sku, long quantity, long revenue) {
  }

  /**
   * One product's stock.
   *
   * @param sku the product
   * @param onHand items in the warehouse
   * @param reserved items set aside for orders
   */
  public record StockLevel(String sku, long onHand, long reserved) {
  }

  /**
   * Finds one order.
   *
   * @param orderId the order
   */
  public record FindOrder(String orderId) implements Query<Optional<OrderView>> {
  }

  /** Lists every order. */
  public record ListOrders() implements Query<List<OrderView>> {
  }

  /**
   * Lists a customer's orders, oldest first.
   *
   * @param customer the customer
   */
  public record OrderHistory(String customer) implements Query<List<CustomerOrder>> {
  }

  /** Revenue per product per day. */
  public record SalesReport() implements Query<List<SalesLine>> {
  }

  /** Stock per product. */
  public record StockLevels() implements Query<List<StockLevel>> {
  }

  /**
   * A promotion code and the orders that used it.
   *
   * @param code the code
   * @param percentOff its discount
   * @param maxRedemptions how many orders may use it
   * @param orders the orders that used it, in the order they did
   */
  public record PromotionView(String code, int percentOff, int maxRedemptions, List<String> orders) {
  }

  /**
   * Finds a promotion code.
   *
   * @param code the code
   */
  public record FindPromotion(String code) implements Query<Optional<PromotionView>> {
  }
}
