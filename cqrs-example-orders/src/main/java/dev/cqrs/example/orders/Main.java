package dev.cqrs.example.orders;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandRejectedException;
import dev.cqrs.core.CommandResult;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.CqrsException;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.example.orders.Messages.AddItem;
import dev.cqrs.example.orders.Messages.CancelOrder;
import dev.cqrs.example.orders.Messages.ConfirmOrder;
import dev.cqrs.example.orders.Messages.Line;
import dev.cqrs.example.orders.Messages.PlaceOrder;
import dev.cqrs.example.orders.Messages.RemoveItem;
import dev.cqrs.example.orders.Messages.Restock;
import dev.cqrs.example.orders.Messages.ShipOrder;
import dev.cqrs.example.orders.Queries.CustomerOrder;
import dev.cqrs.example.orders.Queries.FindOrder;
import dev.cqrs.example.orders.Queries.ListOrders;
import dev.cqrs.example.orders.Queries.OrderHistory;
import dev.cqrs.example.orders.Queries.OrderView;
import dev.cqrs.example.orders.Queries.SalesLine;
import dev.cqrs.example.orders.Queries.SalesReport;
import dev.cqrs.example.orders.Queries.StockLevel;
import dev.cqrs.example.orders.Queries.StockLevels;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The command line: {@code demo} (the default) tells the story of the library on the console; the other subcommands
 * let a person place and follow orders. Options choose the database. Bad input gets a one-line error and exit code 1
 * (2 for malformed arguments), never a stack trace.
 */
public final class Main {

  static final String USAGE = String.join("\n",
      "usage: orders [options] [command]",
      "commands:",
      "  demo                          tell the story (the default)",
      "  place <customer>              place an order, print its id",
      "  add <order> <sku> <quantity>  add items (skus: " + String.join(", ", Catalog.skus()) + ")",
      "  remove <order> <sku> <qty>    remove items",
      "  confirm <order>               confirm; fulfillment reserves stock",
      "  ship <order> | cancel <order> ship or cancel",
      "  restock <sku> <quantity>      add stock",
      "  show <order> | list           one order, or all orders",
      "  history <customer>            a customer's orders",
      "  report | stock                sales report, stock levels",
      "  replay                        rebuild the sales report from the events and compare",
      "options:",
      "  --data <dir>                  H2 database directory (default ./cqrs-example-data)",
      "  --in-memory                   keep everything in memory",
      "  --db <jdbc-url> [--user <u>] [--password <p>]   use PostgreSQL");

  private final PrintStream out;

  private Main(PrintStream out) {
    this.out = out;
  }

  /**
   * Runs the command line and exits with its code.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Runs the command line.
   *
   * @param args the arguments
   * @param out where the output goes
   * @param err where errors go
   * @return the exit code: 0, 1 for rejected or failed commands, 2 for malformed arguments
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    try (OrdersApp app = options.open()) {
      new Main(out).execute(app, options);
      return 0;
    } catch (CommandRejectedException | ConcurrencyConflictException e) {
      err.println("error: " + e.getMessage());
      return 1;
    } catch (UsageException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    } catch (CqrsException | IllegalArgumentException | IllegalStateException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }

  /** Malformed arguments. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /** The parsed options and the command with its arguments. */
  record Options(String database, String url, String user, String password, Path data, List<String> command) {

    static Options parse(String[] args) {
      String database = "h2";
      String url = null;
      String user = "postgres";
      String password = "";
      Path data = Path.of("cqrs-example-data");
      List<String> command = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--in-memory" -> database = "memory";
          case "--db" -> {
            database = "postgresql";
            url = value(args, ++i, "--db");
          }
          case "--user" -> user = value(args, ++i, "--user");
          case "--password" -> password = value(args, ++i, "--password");
          case "--data" -> data = Path.of(value(args, ++i, "--data"));
          default -> {
            if (args[i].startsWith("--")) {
              throw new IllegalArgumentException("unknown option " + args[i]);
            }
            command.add(args[i]);
          }
        }
      }
      if (command.isEmpty()) {
        command.add("demo");
      }
      return new Options(database, url, user, password, data, List.copyOf(command));
    }

    private static String value(String[] args, int index, String option) {
      if (index >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[index];
    }

    OrdersApp open() {
      if (database.equals("memory")) {
        return OrdersApp.inMemory();
      }
      DataSource dataSource;
      if (database.equals("postgresql")) {
        PGSimpleDataSource postgres = new PGSimpleDataSource();
        postgres.setURL(url);
        postgres.setUser(user);
        postgres.setPassword(password);
        dataSource = postgres;
      } else {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + data.toAbsolutePath().resolve("orders") + ";WRITE_DELAY=0");
        dataSource = h2;
      }
      return OrdersApp.onDatabase(dataSource);
    }

    String describe() {
      return switch (database) {
        case "memory" -> "in memory";
        case "postgresql" -> "PostgreSQL at " + url;
        default -> "H2 file " + data.toAbsolutePath().resolve("orders.mv.db");
      };
    }
  }

  private void execute(OrdersApp app, Options options) {
    List<String> command = options.command();
    String name = command.get(0).toLowerCase(Locale.ROOT);
    switch (name) {
      case "demo" -> demo(app, options);
      case "place" -> {
        String id = newOrderId();
        app.send(new PlaceOrder(id, argument(command, 1, "customer")));
        out.println(id);
      }
      case "add" -> {
        app.send(new AddItem(argument(command, 1, "order"), argument(command, 2, "sku"), quantity(command, 3)));
        show(app, argument(command, 1, "order"));
      }
      case "remove" -> {
        app.send(new RemoveItem(argument(command, 1, "order"), argument(command, 2, "sku"), quantity(command, 3)));
        show(app, argument(command, 1, "order"));
      }
      case "confirm" -> {
        app.send(new ConfirmOrder(argument(command, 1, "order")));
        show(app, argument(command, 1, "order"));
      }
      case "ship" -> {
        app.send(new ShipOrder(argument(command, 1, "order")));
        show(app, argument(command, 1, "order"));
      }
      case "cancel" -> {
        app.send(new CancelOrder(argument(command, 1, "order")));
        show(app, argument(command, 1, "order"));
      }
      case "restock" -> {
        app.send(new Restock(argument(command, 1, "sku"), quantity(command, 2)));
        printStock(app);
      }
      case "show" -> show(app, argument(command, 1, "order"));
      case "list" -> printOrders(app);
      case "history" -> printHistory(app, argument(command, 1, "customer"));
      case "report" -> printReport(app.ask(new SalesReport()));
      case "stock" -> printStock(app);
      case "replay" -> replay(app);
      default -> throw new UsageException("unknown command '" + command.get(0) + "'");
    }
  }

  private static String argument(List<String> command, int index, String what) {
    if (index >= command.size()) {
      throw new UsageException(command.get(0) + " needs " + (what.matches("[aeiou].*") ? "an " : "a ") + what);
    }
    return command.get(index);
  }

  private static int quantity(List<String> command, int index) {
    String text = argument(command, index, "quantity");
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new UsageException("quantity must be a whole number, but was '" + text + "'");
    }
  }

  private static String newOrderId() {
    return String.format("%04X", ThreadLocalRandom.current().nextInt(0x10000)) + "-"
        + UUID.randomUUID().toString().substring(0, 4).toUpperCase(Locale.ROOT);
  }

  private void show(OrdersApp app, String orderId) {
    OrderView order = app.ask(new FindOrder(orderId))
        .orElseThrow(() -> new CommandRejectedException("order " + orderId + " does not exist"));
    out.printf("order %s of %s: %s, total %s%s%n", order.orderId(), order.customer(), order.status(),
        Catalog.money(order.total()), order.note().isEmpty() ? "" : " (" + order.note() + ")");
    for (Line line : order.lines()) {
      out.printf("  %3d x %-5s at %s%n", line.quantity(), line.sku(), Catalog.money(line.unitPrice()));
    }
  }

  // ---- the story

  private void demo(OrdersApp app, Options options) {
    out.println("cqrs orders example, " + options.describe());
    int before = app.ask(new ListOrders()).size();
    out.println(before == 0 ? "The database is empty: this is the first run."
        : "The database already holds " + before + " orders from earlier runs; they are all still here.");

    chapter("1. Restock the warehouse (a state-stored write model that still raises events)");
    for (String sku : Catalog.skus()) {
      sendAndShow(app, new Restock(sku, sku.equals("lamp") ? 2 : 20));
    }

    chapter("2. Alice places an order (an event-sourced decider)");
    String alice = newOrderId();
    sendAndShow(app, new PlaceOrder(alice, "alice"));
    sendAndShow(app, new AddItem(alice, "book", 2));
    sendAndShow(app, new AddItem(alice, "pen", 3));
    sendAndShow(app, new RemoveItem(alice, "pen", 1));

    chapter("3. Alice confirms; the fulfillment process manager reserves stock through the command bus");
    CommandResult confirmed = sendAndShow(app, new ConfirmOrder(alice));
    printChain(app, confirmed);
    show(app, alice);

    chapter("4. A rule says no: orders cannot change after confirmation");
    tryCommand(app, new AddItem(alice, "mug", 1));

    chapter("5. Bob wants more lamps than the warehouse has: fulfillment rejects the order with the reason");
    String bob = newOrderId();
    sendAndShow(app, new PlaceOrder(bob, "bob"));
    long lamps = app.ask(new StockLevels()).stream().filter(level -> level.sku().equals("lamp"))
        .mapToLong(level -> level.onHand() - level.reserved()).findFirst().orElse(0);
    sendAndShow(app, new AddItem(bob, "lamp", (int) lamps + 3));
    sendAndShow(app, new AddItem(bob, "mug", 1));
    printChain(app, sendAndShow(app, new ConfirmOrder(bob)));
    show(app, bob);

    chapter("6. Four clerks add items to one order at the same moment: conflicts are resolved by deciding again");
    String carol = newOrderId();
    sendAndShow(app, new PlaceOrder(carol, "carol"));
    concurrentClerks(app, carol);
    show(app, carol);

    chapter("7. Ship Alice's order; cancelling it afterwards is refused");
    printChain(app, sendAndShow(app, new ShipOrder(alice)));
    tryCommand(app, new CancelOrder(alice));
    sendAndShow(app, new ConfirmOrder(carol));
    sendAndShow(app, new ShipOrder(carol));

    chapter("8. Read models, answered through the query bus");
    printOrders(app);
    printHistory(app, "alice");
    printReport(app.ask(new SalesReport()));
    printStock(app);

    chapter("9. Replay: rebuild the sales report from the first event");
    replay(app);
  }

  /** The random tail of an id: the head of a version 7 UUID is its timestamp, the same for ids made together. */
  private static String shortId(UUID id) {
    String text = id.toString();
    return text.substring(text.length() - 8);
  }

  private void chapter(String title) {
    out.println();
    out.println("== " + title);
  }

  private CommandResult sendAndShow(OrdersApp app, Command command) {
    out.println("> " + command);
    CommandResult result = app.send(command);
    for (RecordedEvent event : result.events()) {
      printEvent(event);
    }
    return result;
  }

  private void printEvent(RecordedEvent event) {
    out.printf("    %-16s v%-3d @%-9s corr %s  %s%n", event.streamId(), event.version(), event.position(),
        shortId(event.metadata().correlationId()), event.payload());
  }

  /** Prints the events that share the command's correlation id but came from the process manager. */
  private void printChain(OrdersApp app, CommandResult result) {
    Position after = result.lastPosition().orElse(Position.START);
    List<RecordedEvent> followers = new ArrayList<>();
    List<RecordedEvent> page;
    Position cursor = after;
    while (!(page = app.store().readAll(cursor, 500)).isEmpty()) {
      for (RecordedEvent event : page) {
        if (event.metadata().correlationId().equals(result.metadata().correlationId())) {
          followers.add(event);
        }
      }
      cursor = page.get(page.size() - 1).position();
    }
    if (!followers.isEmpty()) {
      out.println("  then, in the same chain (correlation " + shortId(result.metadata().correlationId()) + "):");
      followers.forEach(this::printEvent);
    }
  }

  private void tryCommand(OrdersApp app, Command command) {
    out.println("> " + command);
    try {
      app.send(command);
      out.println("    accepted");
    } catch (CommandRejectedException rejected) {
      out.println("    rejected: " + rejected.getMessage());
    }
  }

  private void concurrentClerks(OrdersApp app, String orderId) {
    List<ConcurrencyConflictException> conflicts = new CopyOnWriteArrayList<>();
    app.onConflict(conflicts::add);
    String[] skus = {"book", "pen", "mug", "pen"};
    for (int round = 0; round < 10 && conflicts.isEmpty(); round++) {
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> clerks = new ArrayList<>();
      for (String sku : skus) {
        Thread clerk = new Thread(() -> {
          try {
            start.await();
            app.commands().send(new AddItem(orderId, sku, 1));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        clerk.start();
        clerks.add(clerk);
      }
      start.countDown();
      for (Thread clerk : clerks) {
        try {
          clerk.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    app.onConflict(conflict -> { });
    app.awaitProcessed(app.store().head());
    for (ConcurrencyConflictException conflict : conflicts) {
      out.println("    conflict on " + conflict.streamId() + ": expected " + conflict.expectedVersion()
          + ", stream was at " + conflict.actualVersion() + " -> decided again on fresh state");
    }
    if (conflicts.isEmpty()) {
      out.println("    (the clerks never collided this time; every add still went through exactly once)");
    }
    out.println("    " + app.store().readStream(OrdersApp.orderStream(new PlaceOrder(orderId, "x"))).size()
        + " events in the order's stream, versions without holes");
  }

  private void printOrders(OrdersApp app) {
    out.println("Orders (inline read model, never stale):");
    Table table = new Table("order", "customer", "status", "items", "total", "note");
    for (OrderView order : app.ask(new ListOrders())) {
      table.row(order.orderId(), order.customer(), order.status(),
          order.lines().stream().mapToInt(Line::quantity).sum(), Catalog.money(order.total()), order.note());
    }
    table.print(out);
  }

  private void printHistory(OrdersApp app, String customer) {
    out.println("Order history of " + customer + " (tracked):");
    Table table = new Table("order", "status", "total");
    for (CustomerOrder order : app.ask(new OrderHistory(customer))) {
      table.row(order.orderId(), order.status(), Catalog.money(order.total()));
    }
    table.print(out);
  }

  private void printReport(List<SalesLine> report) {
    out.println("Sales report (tracked):");
    Table table = new Table("day", "product", "quantity", "revenue");
    for (SalesLine line : report) {
      table.row(line.day(), line.sku(), line.quantity(), Catalog.money(line.revenue()));
    }
    table.print(out);
  }

  private void printStock(OrdersApp app) {
    out.println("Stock levels (tracked):");
    Table table = new Table("product", "on hand", "reserved", "available");
    for (StockLevel level : app.ask(new StockLevels())) {
      table.row(level.sku(), level.onHand(), level.reserved(), level.onHand() - level.reserved());
    }
    table.print(out);
  }

  private void replay(OrdersApp app) {
    List<SalesLine> before = app.ask(new SalesReport());
    List<SalesLine> rebuilt = app.replaySalesReport();
    out.println("Rebuilt the sales report from " + app.store().countAfter(Position.START) + " events: "
        + (rebuilt.equals(before) ? "identical to the report before the replay." : "DIFFERENT from before!"));
    printReport(rebuilt);
  }
}
