package dev.cqrs.example.orders;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandRejectedException;
import dev.cqrs.core.CommandResult;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.example.orders.Messages.AddItem;
import dev.cqrs.example.orders.Messages.CancelOrder;
import dev.cqrs.example.orders.Messages.ConfirmOrder;
import dev.cqrs.example.orders.Messages.DefinePromotion;
import dev.cqrs.example.orders.Messages.Line;
import dev.cqrs.example.orders.Messages.PlaceOrder;
import dev.cqrs.example.orders.Messages.RedeemPromotion;
import dev.cqrs.example.orders.Messages.RemoveItem;
import dev.cqrs.example.orders.Messages.Restock;
import dev.cqrs.example.orders.Messages.ShipOrder;
import dev.cqrs.example.orders.Queries.CustomerOrder;
import dev.cqrs.example.orders.Queries.FindOrder;
import dev.cqrs.example.orders.Queries.FindPromotion;
import dev.cqrs.example.orders.Queries.ListOrders;
import dev.cqrs.example.orders.Queries.OrderHistory;
import dev.cqrs.example.orders.Queries.OrderView;
import dev.cqrs.example.orders.Queries.SalesLine;
import dev.cqrs.example.orders.Queries.SalesReport;
import dev.cqrs.example.orders.Queries.StockLevel;
import dev.cqrs.example.orders.Queries.StockLevels;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * The command line: {@code demo} (the default) tells the story of the library on the console; the other subcommands
 * let a person place and follow orders. Options choose the database. Bad input gets a one-line error and exit code 1
 * (2 for malformed arguments), never a stack trace.
 */
public final class Main {

  /** The environment variable holding the PostgreSQL password. */
  static final String PASSWORD_VARIABLE = "ORDERS_DB_PASSWORD";

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
      "  promote <code> <percent> <n>  offer a promotion code for n orders (capitals, digits, dashes)",
      "  redeem <code> <order>         apply a promotion code to an open order",
      "  promotion <code>              a promotion code and the orders that used it",
      "  show <order> | list           one order, or all orders",
      "  history <customer>            a customer's orders",
      "  report | stock                sales report, stock levels",
      "  replay                        rebuild the sales report from the events and compare",
      "options:",
      "  --data <dir>                  H2 database directory (default ./cqrs-example-data)",
      "  --in-memory                   keep everything in memory",
      "  --db <jdbc-url> [--user <u>]  use PostgreSQL; the password comes from the environment variable "
          + PASSWORD_VARIABLE,
      "                                (--password <p> works too, but other users of the machine can see it)");

  /** How long to wait for PostgreSQL to connect and log in, and for any one answer, before giving up. */
  static final int CONNECT_SECONDS = 5;
  static final int SOCKET_SECONDS = 60;

  /** What an order id may look like: the ids this program makes are two groups of four hex digits. */
  private static final java.util.regex.Pattern ORDER_ID = java.util.regex.Pattern.compile("[A-Za-z0-9-]{1,40}");

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
      options = Options.parse(args, System.getenv(PASSWORD_VARIABLE));
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    if (options.passwordOnCommandLine()) {
      err.println("warning: --password is visible to every user of this machine; set " + PASSWORD_VARIABLE
          + " instead");
    }
    try (HikariDataSource pool = options.pool(); OrdersApp app = options.open(pool)) {
      new Main(out).execute(app, options);
      return 0;
    } catch (UsageException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    } catch (RuntimeException e) {
      // Rejections, conflicts, bad values and failures alike: one line, never a stack trace.
      err.println("error: " + oneLine(e));
      return 1;
    }
  }

  /** The message of a failure and of its causes, on one line, with control characters shown as escapes. */
  static String oneLine(Throwable failure) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = failure; t != null && text.length() < 600; t = t.getCause() == t ? null : t.getCause()) {
      String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      if (text.indexOf(message) < 0) {
        text.append(text.length() == 0 ? "" : ": ").append(message);
      }
      if (t instanceof CommandRejectedException || t instanceof UsageException) {
        break; // a conflict goes on to its cause, when it has one: the constraint that refused the append
      }
    }
    return Table.printable(text.toString());
  }

  /** Malformed arguments. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /** The parsed options and the command with its arguments. */
  record Options(String database, String url, String user, String password, boolean passwordOnCommandLine,
                 Path data, List<String> command) {

    static Options parse(String[] args, String passwordFromEnvironment) {
      String database = "h2";
      String url = null;
      String user = "postgres";
      String password = passwordFromEnvironment == null ? "" : passwordFromEnvironment;
      boolean passwordOnCommandLine = false;
      String data = "cqrs-example-data";
      List<String> command = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--in-memory" -> database = "memory";
          case "--db" -> {
            database = "postgresql";
            url = value(args, ++i, "--db");
          }
          case "--user" -> user = value(args, ++i, "--user");
          case "--password" -> {
            password = value(args, ++i, "--password");
            passwordOnCommandLine = true;
          }
          case "--data" -> data = value(args, ++i, "--data");
          default -> {
            if (args[i].startsWith("--")) {
              throw new IllegalArgumentException("unknown option " + Table.printable(args[i]));
            }
            command.add(args[i]);
          }
        }
      }
      if (url != null && !url.startsWith("jdbc:postgresql://")) {
        throw new IllegalArgumentException("--db takes a PostgreSQL JDBC URL, jdbc:postgresql://host:port/database,"
            + " but was '" + Table.printable(url) + "'");
      }
      if (data.contains(";")) {
        // H2 reads everything after a ';' in its URL as settings (INIT= even runs SQL), so it cannot be in a path.
        throw new IllegalArgumentException("--data must not contain ';', which H2 would read as the start of its"
            + " settings, but was '" + Table.printable(data) + "'");
      }
      if (command.isEmpty()) {
        command.add("demo");
      }
      return new Options(database, url, user, password, passwordOnCommandLine, Path.of(data),
          List.copyOf(command));
    }

    private static String value(String[] args, int index, String option) {
      if (index >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[index];
    }

    /** Returns the connection pool a real application would use, or {@code null} in memory. */
    HikariDataSource pool() {
      if (database.equals("memory")) {
        return null;
      }
      HikariConfig pool = new HikariConfig();
      pool.setPoolName("orders");
      pool.setMaximumPoolSize(8);
      pool.setConnectionTimeout(Duration.ofSeconds(CONNECT_SECONDS * 2L).toMillis());
      if (database.equals("postgresql")) {
        pool.setJdbcUrl(url);
        pool.setUsername(user);
        pool.setPassword(password);
        // A server that accepts a connection and never answers must not hang the program.
        // (as text: the driver reads its properties with getProperty, which ignores numbers)
        pool.addDataSourceProperty("connectTimeout", String.valueOf(CONNECT_SECONDS));
        pool.addDataSourceProperty("loginTimeout", String.valueOf(CONNECT_SECONDS));
        pool.addDataSourceProperty("socketTimeout", String.valueOf(SOCKET_SECONDS));
      } else {
        pool.setJdbcUrl("jdbc:h2:file:" + dataDirectory().resolve("orders") + ";WRITE_DELAY=0");
      }
      try {
        return new HikariDataSource(pool);
      } catch (RuntimeException e) {
        throw new IllegalStateException("cannot open " + describe() + ": " + oneLine(e), e);
      }
    }

    /** Returns the H2 directory as an absolute path, created if missing, refusing what cannot hold a database. */
    private Path dataDirectory() {
      Path directory = data.toAbsolutePath().normalize();
      if (Files.exists(directory) && !Files.isDirectory(directory)) {
        throw new IllegalArgumentException("--data " + Table.printable(data.toString()) + " is a file; it must name a"
            + " directory for the database");
      }
      try {
        Files.createDirectories(directory);
      } catch (IOException e) {
        throw new IllegalArgumentException("--data " + Table.printable(data.toString()) + " cannot be created: "
            + Table.printable(String.valueOf(e.getMessage())), e);
      }
      if (!Files.isWritable(directory)) {
        throw new IllegalArgumentException("--data " + Table.printable(data.toString()) + " is not writable");
      }
      return directory;
    }

    OrdersApp open(DataSource pool) {
      return pool == null ? OrdersApp.inMemory() : OrdersApp.onDatabase(pool);
    }

    String describe() {
      return switch (database) {
        case "memory" -> "in memory";
        case "postgresql" -> "PostgreSQL at " + Table.printable(url);
        default -> "H2 file " + data.toAbsolutePath().normalize().resolve("orders.mv.db");
      };
    }
  }

  /** How many arguments each command takes. */
  private static final java.util.Map<String, Integer> ARITY = java.util.Map.ofEntries(
      java.util.Map.entry("demo", 0), java.util.Map.entry("place", 1), java.util.Map.entry("add", 3),
      java.util.Map.entry("remove", 3), java.util.Map.entry("confirm", 1), java.util.Map.entry("ship", 1),
      java.util.Map.entry("cancel", 1), java.util.Map.entry("restock", 2), java.util.Map.entry("show", 1),
      java.util.Map.entry("list", 0), java.util.Map.entry("history", 1), java.util.Map.entry("report", 0),
      java.util.Map.entry("stock", 0), java.util.Map.entry("replay", 0), java.util.Map.entry("promote", 3),
      java.util.Map.entry("redeem", 2), java.util.Map.entry("promotion", 1));

  private void execute(OrdersApp app, Options options) {
    List<String> command = options.command();
    String name = command.get(0).toLowerCase(Locale.ROOT);
    Integer arity = ARITY.get(name);
    if (arity != null && command.size() - 1 > arity) {
      throw new UsageException(name + " takes " + (arity == 0 ? "no arguments" : arity == 1 ? "1 argument"
          : arity + " arguments") + ", but got " + (command.size() - 1) + ": unexpected '"
          + Table.printable(command.get(arity + 1)) + "'");
    }
    switch (name) {
      case "demo" -> demo(app, options);
      case "place" -> {
        String id = newOrderId();
        app.send(new PlaceOrder(id, argument(command, 1, "customer")));
        out.println(id);
      }
      case "add" -> {
        app.send(new AddItem(orderId(command), argument(command, 2, "sku"), quantity(command, 3)));
        show(app, orderId(command));
      }
      case "remove" -> {
        app.send(new RemoveItem(orderId(command), argument(command, 2, "sku"), quantity(command, 3)));
        show(app, orderId(command));
      }
      case "confirm" -> {
        app.send(new ConfirmOrder(orderId(command)));
        show(app, orderId(command));
      }
      case "ship" -> {
        app.send(new ShipOrder(orderId(command)));
        show(app, orderId(command));
      }
      case "cancel" -> {
        app.send(new CancelOrder(orderId(command)));
        show(app, orderId(command));
      }
      case "restock" -> {
        app.send(new Restock(argument(command, 1, "sku"), quantity(command, 2)));
        printStock(app);
      }
      case "promote" -> {
        app.send(new DefinePromotion(argument(command, 1, "code"), number(command, 2, "percent"),
            number(command, 3, "n")));
        printPromotion(app, argument(command, 1, "code"));
      }
      case "redeem" -> {
        app.send(new RedeemPromotion(argument(command, 1, "code"), argument(command, 2, "order")));
        printPromotion(app, argument(command, 1, "code"));
      }
      case "promotion" -> printPromotion(app, argument(command, 1, "code"));
      case "show" -> show(app, orderId(command));
      case "list" -> printOrders(app);
      case "history" -> printHistory(app, argument(command, 1, "customer"));
      case "report" -> printReport(app.ask(new SalesReport()));
      case "stock" -> printStock(app);
      case "replay" -> replay(app);
      default -> throw new UsageException("unknown command '" + Table.printable(command.get(0)) + "'");
    }
  }

  private static String argument(List<String> command, int index, String what) {
    if (index >= command.size()) {
      throw new UsageException(Table.printable(command.get(0)) + " needs " + (what.matches("[aeiou].*") ? "an " : "a ")
          + what);
    }
    return command.get(index);
  }

  private static String orderId(List<String> command) {
    String id = argument(command, 1, "order");
    if (!ORDER_ID.matcher(id).matches()) {
      throw new UsageException("an order id is 1 to 40 letters, digits or '-', such as 1A2B-C3D4, but was '"
          + Table.printable(id.length() > 60 ? id.substring(0, 60) + "..." : id) + "'");
    }
    return id;
  }

  private static int quantity(List<String> command, int index) {
    String text = argument(command, index, "quantity");
    try {
      return Integer.parseInt(text); // the rules refuse 0, negative and too large quantities, saying why
    } catch (NumberFormatException e) {
      throw new UsageException("quantity must be a whole number from 1 to " + Order.MAX_QUANTITY + ", but was '"
          + Table.printable(text.length() > 60 ? text.substring(0, 60) + "..." : text) + "'");
    }
  }

  private static int number(List<String> command, int index, String name) {
    String text = argument(command, index, name);
    try {
      return Integer.parseInt(text); // the rules refuse values out of range, saying why
    } catch (NumberFormatException e) {
      throw new UsageException(name + " must be a whole number, but was '"
          + Table.printable(text.length() > 60 ? text.substring(0, 60) + "..." : text) + "'");
    }
  }

  private static String newOrderId() {
    return String.format("%04X", ThreadLocalRandom.current().nextInt(0x10000)) + "-"
        + UUID.randomUUID().toString().substring(0, 4).toUpperCase(Locale.ROOT);
  }

  private void show(OrdersApp app, String orderId) {
    OrderView order = app.ask(new FindOrder(orderId))
        .orElseThrow(() -> new CommandRejectedException("order " + orderId + " does not exist"));
    out.printf("order %s of %s: %s, total %s%s%n", order.orderId(), Table.printable(order.customer()),
        order.status(), Catalog.money(order.total()),
        order.note().isEmpty() ? "" : " (" + Table.printable(order.note()) + ")");
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

    out.println("Each event below is shown as: stream, version in its stream (v), position in the global order");
    out.println("(@commit/sequence: on PostgreSQL the writing transaction's id, then a counter; in memory and on H2,");
    out.println("0 and a counter), the tail of its correlation id, and the event.");

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

    chapter("7. A promotion code for two orders; three open orders redeem it at the same moment (a rule across"
        + " orders, decided over queries)");
    String code = "SPRING-" + newOrderId().substring(0, 4);
    sendAndShow(app, new DefinePromotion(code, 10, 2));
    String dave = newOrderId();
    sendAndShow(app, new PlaceOrder(dave, "dave"));
    String erin = newOrderId();
    sendAndShow(app, new PlaceOrder(erin, "erin"));
    racingRedemptions(app, code, List.of(carol, dave, erin));
    tryCommand(app, new RedeemPromotion(code, alice));
    printPromotion(app, code);

    chapter("8. Ship Alice's order; cancelling it afterwards is refused");
    printChain(app, sendAndShow(app, new ShipOrder(alice)));
    tryCommand(app, new CancelOrder(alice));
    sendAndShow(app, new ConfirmOrder(carol));
    sendAndShow(app, new ShipOrder(carol));

    chapter("9. Read models, answered through the query bus");
    printOrders(app);
    printHistory(app, "alice");
    printReport(app.ask(new SalesReport()));
    printStock(app);

    chapter("10. Replay: rebuild the sales report from the first event");
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
    out.println("> " + Table.printable(command.toString()));
    CommandResult result = app.send(command);
    for (RecordedEvent event : result.events()) {
      printEvent(event);
    }
    return result;
  }

  private void printEvent(RecordedEvent event) {
    out.printf("    %-16s v%-3d @%-9s corr %s  %s%n", Table.printable(event.streamId()), event.version(),
        event.position(), shortId(event.metadata().correlationId()), Table.printable(event.payload().toString()));
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
    out.println("> " + Table.printable(command.toString()));
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
    List<Runnable> clerks = new ArrayList<>();
    for (String sku : List.of("book", "pen", "mug", "pen")) {
      clerks.add(() -> app.commands().send(new AddItem(orderId, sku, 1)));
    }
    atTheSameMoment(clerks);
    app.onConflict(conflict -> { });
    app.awaitProcessed(app.store().head());
    List<ConcurrencyConflictException> seen = List.copyOf(conflicts); // every clerk has finished
    for (ConcurrencyConflictException conflict : seen) {
      out.println("    conflict on " + conflict.streamId() + ": expected " + conflict.expectedVersion()
          + ", stream was at " + conflict.actualVersion() + " -> decided again on fresh state");
    }
    out.println(seen.isEmpty() ? "    the clerks did not collide this time; each add went through once"
        : "    " + seen.size() + (seen.size() == 1 ? " collision, resolved" : " collisions, all resolved")
        + "; each add went through once");
    out.println("    " + app.store().readStream(OrdersApp.orderStream(new PlaceOrder(orderId, "x"))).size()
        + " events in the order's stream, versions without holes");
  }

  /** Runs each task on a thread of its own, all released at once, and waits for them all. */
  private static void atTheSameMoment(List<Runnable> tasks) {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (Runnable task : tasks) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
          task.run();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      thread.start();
      threads.add(thread);
    }
    start.countDown();
    for (Thread thread : threads) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Several orders redeem one code at once: the code's limit holds across them, whoever wins the race. */
  private void racingRedemptions(OrdersApp app, String code, List<String> orderIds) {
    java.util.Map<String, String> outcomes = new java.util.concurrent.ConcurrentHashMap<>();
    List<Runnable> customers = new ArrayList<>();
    for (String orderId : orderIds) {
      customers.add(() -> {
        try {
          app.commands().send(new RedeemPromotion(code, orderId));
          outcomes.put(orderId, "redeemed");
        } catch (CommandRejectedException rejected) {
          outcomes.put(orderId, "rejected: " + rejected.getMessage());
        }
      });
    }
    atTheSameMoment(customers);
    app.awaitProcessed(app.store().head());
    for (String orderId : orderIds) {
      out.println("> " + new RedeemPromotion(code, orderId) + " (at the same moment)");
      out.println("    " + outcomes.getOrDefault(orderId, "interrupted"));
    }
  }

  private void printPromotion(OrdersApp app, String code) {
    app.ask(new FindPromotion(code)).ifPresentOrElse(
        promotion -> out.println("Promotion " + promotion.code() + ": " + promotion.percentOff() + "% off, "
            + promotion.orders().size() + " of " + promotion.maxRedemptions() + " redemptions taken"
            + (promotion.orders().isEmpty() ? "" : ", by orders " + String.join(", ", promotion.orders()))),
        () -> out.println("Promotion " + Table.printable(code) + ": (none)"));
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
    out.println("Order history of " + Table.printable(customer) + " (tracked):");
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
