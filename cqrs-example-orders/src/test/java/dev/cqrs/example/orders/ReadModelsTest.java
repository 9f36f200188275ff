package dev.cqrs.example.orders;

import dev.cqrs.example.orders.Messages.ItemAdded;
import dev.cqrs.example.orders.Messages.Line;
import dev.cqrs.example.orders.Messages.OrderConfirmed;
import dev.cqrs.example.orders.Messages.OrderPlaced;
import dev.cqrs.example.orders.Messages.OrderRejected;
import dev.cqrs.example.orders.Messages.OrderShipped;
import dev.cqrs.example.orders.Messages.Restocked;
import dev.cqrs.example.orders.Messages.StockReleased;
import dev.cqrs.example.orders.Messages.StockReserved;
import dev.cqrs.example.orders.Messages.StockShipped;
import dev.cqrs.example.orders.Queries.CustomerOrder;
import dev.cqrs.example.orders.Queries.OrderView;
import dev.cqrs.example.orders.Queries.SalesLine;
import dev.cqrs.example.orders.Queries.StockLevel;
import dev.cqrs.test.ProjectionFixture;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each read model, fed events by the projection fixture. */
class ReadModelsTest {

  private static final List<Line> LINES = List.of(new Line("book", 2, 1_500), new Line("pen", 1, 250));

  @Test
  void order_details_follow_an_order_and_keep_the_rejection_reason() {
    ReadModels.OrderDetails details = new ReadModels.OrderDetails();
    ProjectionFixture.of(details.projection)
        .given(new OrderPlaced("1", "alice"), new ItemAdded("1", "book", 2, 1_500), new ItemAdded("1", "pen", 1, 250),
            new OrderConfirmed("1", "alice", LINES), new OrderRejected("1", "no books"))
        .thenState(() -> details.find("1"), Optional.of(new OrderView("1", "alice", Order.Status.REJECTED, LINES,
            3_250, "no books")))
        .thenState(() -> details.find("2"), Optional.empty());
  }

  @Test
  void the_history_lists_a_customers_orders_in_placing_order() {
    ReadModels.CustomerHistory history = new ReadModels.CustomerHistory();
    ProjectionFixture.of(history.projection)
        .given(new OrderPlaced("1", "alice"), new OrderPlaced("2", "bob"), new OrderPlaced("3", "alice"),
            new ItemAdded("3", "mug", 1, 900))
        .thenList(() -> history.of("alice"), new CustomerOrder("1", Order.Status.OPEN, 0),
            new CustomerOrder("3", Order.Status.OPEN, 900))
        .thenList(() -> history.of("bob"), new CustomerOrder("2", Order.Status.OPEN, 0));
  }

  @Test
  void the_sales_report_sums_shipped_lines_per_product_and_day() {
    ReadModels.Sales sales = new ReadModels.Sales();
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    ProjectionFixture.of(sales.projection)
        .given(new OrderShipped("1", LINES), new OrderShipped("2", List.of(new Line("book", 1, 1_500))),
            new OrderConfirmed("3", "x", List.of(new Line("mug", 9, 900))))
        .thenList(sales::report, new SalesLine(today, "book", 3, 4_500), new SalesLine(today, "pen", 1, 250));
  }

  @Test
  void stock_levels_follow_the_inventory_events() {
    ReadModels.StockLevelsView levels = new ReadModels.StockLevelsView();
    ProjectionFixture.of(levels.projection)
        .given(new Restocked("mug", 10), new StockReserved("mug", 4, "1"), new StockReleased("mug", 1, "1"),
            new StockShipped("mug", 3, "1"), new Restocked("pen", 2))
        .thenList(levels::all, new StockLevel("mug", 7, 0), new StockLevel("pen", 2, 0));
  }
}
