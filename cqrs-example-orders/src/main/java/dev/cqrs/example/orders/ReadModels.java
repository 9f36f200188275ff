package dev.cqrs.example.orders;

import dev.cqrs.core.Projection;
import dev.cqrs.core.QueryBus;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.example.orders.Messages.Line;
import dev.cqrs.example.orders.Messages.OrderEvent;
import dev.cqrs.example.orders.Messages.OrderRejected;
import dev.cqrs.example.orders.Messages.OrderShipped;
import dev.cqrs.example.orders.Messages.PromotionDefined;
import dev.cqrs.example.orders.Messages.PromotionRedeemed;
import dev.cqrs.example.orders.Messages.Restocked;
import dev.cqrs.example.orders.Messages.StockReleased;
import dev.cqrs.example.orders.Messages.StockReserved;
import dev.cqrs.example.orders.Messages.StockShipped;
import dev.cqrs.example.orders.Queries.CustomerOrder;
import dev.cqrs.example.orders.Queries.FindOrder;
import dev.cqrs.example.orders.Queries.FindPromotion;
import dev.cqrs.example.orders.Queries.ListOrders;
import dev.cqrs.example.orders.Queries.OrderHistory;
import dev.cqrs.example.orders.Queries.OrderView;
import dev.cqrs.example.orders.Queries.PromotionView;
import dev.cqrs.example.orders.Queries.SalesLine;
import dev.cqrs.example.orders.Queries.SalesReport;
import dev.cqrs.example.orders.Queries.StockLevel;
import dev.cqrs.example.orders.Queries.StockLevels;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The five read models, each a plain in-memory structure kept by a {@link Projection} and read by query handlers.
 * Each class is thread-safe: its projection writes and its queries read under the object's lock.
 */
public final class ReadModels {

  private ReadModels() {
  }

  /** Starts a projection that hands every kind of order event to one handler. */
  static Projection.Builder followOrders(Consumer<OrderEvent> handler) {
    Projection.Builder builder = Projection.builder();
    for (Class<? extends OrderEvent> type : Messages.ORDER_EVENTS) {
      builder.on(type, handler);
    }
    return builder;
  }

  // order details begin
  /** Order details by id; kept inline, so a command's effect is visible as soon as it returns. */
  public static final class OrderDetails {
    private final Map<String, Order> orders = new TreeMap<>();
    private final Map<String, String> notes = new TreeMap<>();

    /** The projection that keeps the details: it folds the same {@link Order#evolve} as the write model. */
    public final Projection projection = followOrders(this::apply).onReset(this::clear).build();

    /** Creates an empty read model. */
    public OrderDetails() {
    }

    private synchronized void apply(OrderEvent event) {
      orders.put(event.orderId(), Order.evolve(orders.getOrDefault(event.orderId(), Order.NONE), event));
      if (event instanceof OrderRejected rejected) {
        notes.put(event.orderId(), rejected.reason());
      }
    }

    private synchronized void clear() {
      orders.clear();
      notes.clear();
    }

    /**
     * Answers {@link FindOrder} and {@link ListOrders}.
     *
     * @param queries the query bus
     */
    public void register(QueryBus queries) {
      queries.register(FindOrder.class, query -> find(query.orderId()))
          .register(ListOrders.class, query -> all());
    }

    synchronized Optional<OrderView> find(String orderId) {
      return Optional.ofNullable(orders.get(orderId)).map(order -> view(order, notes.getOrDefault(orderId, "")));
    }

    synchronized List<OrderView> all() {
      return orders.values().stream().map(order -> view(order, notes.getOrDefault(order.id(), ""))).toList();
    }

    private static OrderView view(Order order, String note) {
      return new OrderView(order.id(), order.customer(), order.status(), order.lines(), order.total(), note);
    }
  }
  // order details end

  /** Each customer's orders, oldest first; kept by a tracking processor. */
  public static final class CustomerHistory {
    private final Map<String, Order> orders = new LinkedHashMap<>();

    /** The projection that keeps the history. */
    public final Projection projection = followOrders(this::apply).onReset(this::clear).build();

    /** Creates an empty read model. */
    public CustomerHistory() {
    }

    private synchronized void apply(OrderEvent event) {
      orders.put(event.orderId(), Order.evolve(orders.getOrDefault(event.orderId(), Order.NONE), event));
    }

    private synchronized void clear() {
      orders.clear();
    }

    /**
     * Answers {@link OrderHistory}.
     *
     * @param queries the query bus
     */
    public void register(QueryBus queries) {
      queries.register(OrderHistory.class, query -> of(query.customer()));
    }

    synchronized List<CustomerOrder> of(String customer) {
      return orders.values().stream().filter(order -> customer.equals(order.customer()))
          .map(order -> new CustomerOrder(order.id(), order.status(), order.total())).toList();
    }
  }

  // sales report begins
  /** Revenue per product per day of shipping; kept by a tracking processor, and rebuilt by replay. */
  public static final class Sales {
    private final Map<String, SalesLine> lines = new TreeMap<>();

    /** The projection that keeps the report. */
    public final Projection projection = Projection.builder()
        .on(OrderShipped.class, this::apply)
        .onReset(this::clear)
        .build();

    /** Creates an empty read model. */
    public Sales() {
    }

    private synchronized void apply(OrderShipped shipped, RecordedEvent recorded) {
      LocalDate day = LocalDate.ofInstant(recorded.metadata().timestamp(), ZoneOffset.UTC);
      for (Line line : shipped.lines()) {
        lines.merge(day + "/" + line.sku(), new SalesLine(day, line.sku(), line.quantity(), line.total()),
            (a, b) -> new SalesLine(day, line.sku(), a.quantity() + b.quantity(), a.revenue() + b.revenue()));
      }
    }

    private synchronized void clear() {
      lines.clear();
    }

    /**
     * Answers {@link SalesReport}.
     *
     * @param queries the query bus
     */
    public void register(QueryBus queries) {
      queries.register(SalesReport.class, query -> report());
    }

    synchronized List<SalesLine> report() {
      return new ArrayList<>(lines.values());
    }
  }
  // sales report ends

  /** Stock per product, from the inventory's events; kept by a tracking processor. */
  public static final class StockLevelsView {
    private final Map<String, StockLevel> levels = new TreeMap<>();

    /** The projection that keeps the levels. */
    public final Projection projection = Projection.builder()
        .on(Restocked.class, e -> change(e.sku(), e.quantity(), 0))
        .on(StockReserved.class, e -> change(e.sku(), 0, e.quantity()))
        .on(StockReleased.class, e -> change(e.sku(), 0, -e.quantity()))
        .on(StockShipped.class, e -> change(e.sku(), -e.quantity(), -e.quantity()))
        .onReset(this::clear)
        .build();

    /** Creates an empty read model. */
    public StockLevelsView() {
    }

    private synchronized void change(String sku, long onHand, long reserved) {
      StockLevel level = levels.getOrDefault(sku, new StockLevel(sku, 0, 0));
      levels.put(sku, new StockLevel(sku, level.onHand() + onHand, level.reserved() + reserved));
    }

    private synchronized void clear() {
      levels.clear();
    }

    /**
     * Answers {@link StockLevels}.
     *
     * @param queries the query bus
     */
    public void register(QueryBus queries) {
      queries.register(StockLevels.class, query -> all());
    }

    synchronized List<StockLevel> all() {
      return new ArrayList<>(levels.values());
    }
  }

  /** Promotion codes and the orders that used them; kept by a tracking processor. */
  public static final class PromotionsView {
    private final Map<String, PromotionView> promotions = new TreeMap<>();

    /** The projection that keeps the codes. */
    public final Projection projection = Projection.builder()
        .on(PromotionDefined.class, this::defined)
        .on(PromotionRedeemed.class, this::redeemed)
        .onReset(this::clear)
        .build();

    /** Creates an empty read model. */
    public PromotionsView() {
    }

    private synchronized void defined(PromotionDefined e) {
      promotions.put(e.code(), new PromotionView(e.code(), e.percentOff(), e.maxRedemptions(), List.of()));
    }

    private synchronized void redeemed(PromotionRedeemed e) {
      PromotionView view = promotions.get(e.code());
      List<String> orders = new ArrayList<>(view.orders());
      orders.add(e.orderId());
      promotions.put(e.code(), new PromotionView(e.code(), view.percentOff(), view.maxRedemptions(),
          List.copyOf(orders)));
    }

    private synchronized void clear() {
      promotions.clear();
    }

    /**
     * Answers {@link FindPromotion}.
     *
     * @param queries the query bus
     */
    public void register(QueryBus queries) {
      queries.register(FindPromotion.class, query -> find(query.code()));
    }

    synchronized Optional<PromotionView> find(String code) {
      return Optional.ofNullable(promotions.get(code));
    }
  }
}
