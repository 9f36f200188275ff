package dev.cqrs.example.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.CommandResult;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.example.orders.Messages.AddItem;
import dev.cqrs.example.orders.Messages.ConfirmOrder;
import dev.cqrs.example.orders.Messages.PlaceOrder;
import dev.cqrs.example.orders.Messages.Restock;
import dev.cqrs.example.orders.Queries.ListOrders;
import dev.cqrs.example.orders.Queries.OrderView;
import dev.cqrs.example.orders.Queries.SalesLine;
import dev.cqrs.example.orders.Queries.SalesReport;
import dev.cqrs.example.orders.Queries.StockLevel;
import dev.cqrs.example.orders.Queries.StockLevels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo run on in-memory stores and on an H2 file, checked through the read models; and the command line. */
class EndToEndTest {

  record Run(int code, String out, String err) {
  }

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void the_demo_tells_the_whole_story_in_memory() {
    Run run = run("--in-memory");

    assertThat(run.code()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out())
        .contains("The database is empty")
        .contains("then, in the same chain")
        .contains("StockReserved").contains("OrderReadyToShip")
        .contains("rejected: cannot add items to order")
        .contains("OrderRejected").contains("not enough 'lamp' in stock")
        .contains("events in the order's stream, versions without holes")
        .contains("rejected: order").contains("has shipped and cannot be cancelled")
        .contains("Sales report").contains("Stock levels")
        .contains("identical to the report before the replay")
        .contains("is used up: all 2 redemptions are taken").contains("promotion codes apply to open orders only")
        .contains("10% off, 2 of 2 redemptions taken, by orders ");
  }

  @Test
  void the_demo_on_an_h2_file_keeps_its_orders_for_the_next_run(@TempDir Path data) {
    Run first = run("--data", data.toString());
    assertThat(first.code()).as("%s%nafter:%n%s", first.err(), tail(first.out())).isZero();
    assertThat(first.out()).contains("The database is empty").contains("identical to the report before");

    try (OrdersApp app = OrdersApp.onDatabase(h2(data))) {
      List<OrderView> orders = app.ask(new ListOrders());
      assertThat(orders).extracting(OrderView::customer).containsExactlyInAnyOrder("alice", "bob", "carol", "dave",
          "erin");
      Map<String, OrderView> byCustomer = orders.stream()
          .collect(Collectors.toMap(OrderView::customer, Function.identity()));
      assertThat(byCustomer.get("alice").status()).isEqualTo(Order.Status.SHIPPED);
      assertThat(byCustomer.get("alice").total()).isEqualTo(3_500);
      assertThat(byCustomer.get("bob").status()).isEqualTo(Order.Status.REJECTED);
      assertThat(byCustomer.get("bob").note()).contains("not enough 'lamp'");
      assertThat(byCustomer.get("carol").status()).isEqualTo(Order.Status.SHIPPED);
      long shippedRevenue = byCustomer.get("alice").total() + byCustomer.get("carol").total();
      assertThat(app.ask(new SalesReport()).stream().mapToLong(SalesLine::revenue).sum()).isEqualTo(shippedRevenue);
      Map<String, StockLevel> stock = app.ask(new StockLevels()).stream()
          .collect(Collectors.toMap(StockLevel::sku, Function.identity()));
      assertThat(stock.get("lamp")).isEqualTo(new StockLevel("lamp", 2, 0));
      assertThat(stock.values()).allSatisfy(level -> assertThat(level.reserved()).isZero());
    }

    Run second = run("--data", data.toString());
    assertThat(second.code()).as(second.err()).isZero();
    assertThat(second.out()).contains("already holds 5 orders from earlier runs");
    try (OrdersApp app = OrdersApp.onDatabase(h2(data))) {
      assertThat(app.ask(new ListOrders())).hasSize(10);
    }
  }

  @Test
  void the_demo_runs_on_postgresql_given_a_jdbc_url() throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      String url = postgres.getJdbcUrl("postgres", "postgres");
      Run first = run("--db", url, "--user", "postgres");
      assertThat(first.code()).as(first.err()).isZero();
      assertThat(first.out()).contains("PostgreSQL at " + url).contains("The database is empty")
          .contains("identical to the report before the replay")
          .contains("is used up: all 2 redemptions are taken").contains("2 of 2 redemptions taken");
      Run list = run("--db", url, "--user", "postgres", "list");
      assertThat(list.out()).contains("alice").contains("bob").contains("carol").contains("REJECTED");
    }
  }

  private static JdbcDataSource h2(Path data) {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:file:" + data.toAbsolutePath().resolve("orders") + ";WRITE_DELAY=0");
    return dataSource;
  }

  @Test
  void every_event_of_a_fulfillment_chain_carries_the_first_commands_correlation_id() {
    try (OrdersApp app = OrdersApp.inMemory()) {
      app.send(new Restock("book", 5));
      app.send(new PlaceOrder("X", "dora"));
      app.send(new AddItem("X", "book", 2));
      CommandResult confirmed = app.send(new ConfirmOrder("X"));

      List<RecordedEvent> chain = app.store().readAll(Position.START, 1000).stream()
          .filter(e -> e.metadata().correlationId().equals(confirmed.metadata().correlationId())).toList();
      assertThat(chain).extracting(e -> e.payload().getClass().getSimpleName())
          .containsExactly("OrderConfirmed", "StockReserved", "OrderReadyToShip");
      assertThat(chain.get(1).metadata().causationId()).isNotEqualTo(confirmed.metadata().messageId());
      assertThat(app.ask(new Queries.FindOrder("X")).orElseThrow().status()).isEqualTo(Order.Status.READY_TO_SHIP);
    }
  }

  @Test
  void subcommands_let_a_person_play(@TempDir Path data) {
    String dir = data.toString();
    Run placed = run("--data", dir, "place", "erin");
    assertThat(placed.code()).as(placed.err()).isZero();
    String order = placed.out().strip();
    assertThat(run("--data", dir, "restock", "mug", "4").out()).contains("mug").contains("4");
    assertThat(run("--data", dir, "add", order, "mug", "3").out()).contains("3 x mug");
    assertThat(run("--data", dir, "promote", "MUGS-1", "25", "1").out())
        .contains("Promotion MUGS-1: 25% off, 0 of 1 redemptions taken");
    assertThat(run("--data", dir, "redeem", "MUGS-1", order).out())
        .contains("Promotion MUGS-1: 25% off, 1 of 1 redemptions taken, by orders " + order);
    assertThat(run("--data", dir, "promotion", "MUGS-1").out()).contains("1 of 1 redemptions taken");
    assertThat(run("--data", dir, "confirm", order).out()).contains("READY_TO_SHIP");
    assertThat(run("--data", dir, "list").out()).contains(order).contains("erin");
    assertThat(run("--data", dir, "ship", order).out()).contains("SHIPPED");
    assertThat(run("--data", dir, "report").out()).contains("mug").contains("27.00");
    assertThat(run("--data", dir, "history", "erin").out()).contains(order);
    assertThat(run("--data", dir, "replay").out()).contains("identical");
  }

  @Test
  void bad_input_gets_a_one_line_error_and_a_non_zero_exit_code(@TempDir Path data) {
    String dir = data.toString();
    assertOneLineError(run("--data", dir, "add", "NOPE", "book", "1"), 1, "error: order NOPE does not exist");
    String order = run("--data", dir, "place", "fay").out().strip();
    assertOneLineError(run("--data", dir, "add", order, "book", "-2"), 1,
        "error: quantity must be positive, but was -2");
    assertOneLineError(run("--data", dir, "add", order, "piano", "1"), 1, "error: unknown product 'piano'");
    assertOneLineError(run("--data", dir, "ship", order), 1, "cannot ship before it is confirmed");
    assertOneLineError(run("--data", dir, "promote", "spring", "10", "1"), 1,
        "error: a promotion code is 1 to 40 capital letters, digits and dashes, but was 'spring'");
    assertOneLineError(run("--data", dir, "promote", "SPRING", "0", "1"), 1,
        "error: percentOff must be 1 to 100, but was 0");
    assertOneLineError(run("--data", dir, "redeem", "SPRING", order), 1, "error: unknown promotion code SPRING");
    assertThat(run("--data", dir, "promote", "SPRING", "ten", "1").err())
        .startsWith("error: percent must be a whole number, but was 'ten'");
    assertThat(run("--data", dir, "promotion", "SPRING").out()).contains("Promotion SPRING: (none)");

    Run malformed = run("--data", dir, "add", order, "book", "many");
    assertThat(malformed.code()).isEqualTo(2);
    assertThat(malformed.err()).startsWith("error: quantity must be a whole number from 1 to 10000, but was 'many'")
        .contains("usage:").doesNotContain("\tat ");
    assertThat(run("--data", dir, "fly").code()).isEqualTo(2);
    assertThat(run("--bogus").code()).isEqualTo(2);
    assertThat(run("--data", dir, "add").err()).startsWith("error: add needs an order");
  }

  /** The last lines of an output, to show with a failure. */
  static String tail(String out) {
    List<String> lines = out.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  private static void assertOneLineError(Run run, int code, String message) {
    assertThat(run.code()).isEqualTo(code);
    assertThat(run.err().lines().toList()).singleElement().asString().contains(message);
    assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }
}
