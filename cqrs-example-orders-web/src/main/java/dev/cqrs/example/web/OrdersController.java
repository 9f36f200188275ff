package dev.cqrs.example.web;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.CommandResult;
import dev.cqrs.core.Position;
import dev.cqrs.core.QueryBus;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.example.orders.Messages.AddItem;
import dev.cqrs.example.orders.Messages.CancelOrder;
import dev.cqrs.example.orders.Messages.ConfirmOrder;
import dev.cqrs.example.orders.Messages.PlaceOrder;
import dev.cqrs.example.orders.Messages.RemoveItem;
import dev.cqrs.example.orders.Messages.Restock;
import dev.cqrs.example.orders.Messages.ShipOrder;
import dev.cqrs.example.orders.Queries;
import dev.cqrs.spring.boot.CqrsProcessors;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The REST endpoints. Every command answers with the position of its last event ({@code commit/sequence}), or none
 * when it appended nothing; a query given {@code ?after=<position>} answers only once its read model holds that
 * position (503 when it cannot within 5 seconds), so a client reads its own writes. Thread-safe.
 */
@RestController
public class OrdersController {

  private static final Pattern ORDER_ID = Pattern.compile("[A-Za-z0-9-]{1,40}");
  private static final Duration READ_YOUR_WRITES = Duration.ofSeconds(5);

  private final CommandBus commands;
  private final QueryBus queries;
  private final CqrsProcessors processors;

  /**
   * Creates the controller.
   *
   * @param commands the command bus
   * @param queries the query bus
   * @param processors the processors, to wait for on read-your-writes
   */
  public OrdersController(CommandBus commands, QueryBus queries, CqrsProcessors processors) {
    this.commands = commands;
    this.queries = queries;
    this.processors = processors;
  }

  /** The body of {@code POST /orders}. @param customer who orders */
  public record NewOrder(String customer) {
  }

  /** The body of {@code POST /orders/{id}/items} and its removal. @param sku the product @param quantity how many */
  public record Items(String sku, Integer quantity) {
  }

  /** The body of {@code POST /stock/{sku}}. @param quantity how many arrived */
  public record Delivery(Integer quantity) {
  }

  /** A command's answer. @param orderId the order, if any @param position the last event's position, if any */
  public record Accepted(String orderId, String position) {
  }

  /**
   * Places an order.
   *
   * @param order the customer
   * @return 201 with the new order's id and position
   */
  @PostMapping("/orders")
  public ResponseEntity<Accepted> place(@RequestBody NewOrder order) {
    String id = UUID.randomUUID().toString().substring(0, 8).toUpperCase(Locale.ROOT);
    Accepted accepted = send(id, new PlaceOrder(id, require(order == null ? null : order.customer(), "customer")));
    return ResponseEntity.created(URI.create("/orders/" + id)).body(accepted);
  }

  /**
   * Adds items.
   *
   * @param id the order
   * @param items what to add
   * @return the position
   */
  @PostMapping("/orders/{id}/items")
  public Accepted add(@PathVariable String id, @RequestBody Items items) {
    return send(id, new AddItem(orderId(id), require(items.sku(), "sku"), require(items.quantity(), "quantity")));
  }

  /**
   * Removes items.
   *
   * @param id the order
   * @param items what to remove
   * @return the position
   */
  @PostMapping("/orders/{id}/removals")
  public Accepted remove(@PathVariable String id, @RequestBody Items items) {
    return send(id, new RemoveItem(orderId(id), require(items.sku(), "sku"), require(items.quantity(), "quantity")));
  }

  /**
   * Confirms an order; fulfillment then reserves its stock.
   *
   * @param id the order
   * @return the position
   */
  @PostMapping("/orders/{id}/confirm")
  public Accepted confirm(@PathVariable String id) {
    return send(id, new ConfirmOrder(orderId(id)));
  }

  /**
   * Ships an order.
   *
   * @param id the order
   * @return the position
   */
  @PostMapping("/orders/{id}/ship")
  public Accepted ship(@PathVariable String id) {
    return send(id, new ShipOrder(orderId(id)));
  }

  /**
   * Cancels an order.
   *
   * @param id the order
   * @return the position
   */
  @PostMapping("/orders/{id}/cancel")
  public Accepted cancel(@PathVariable String id) {
    return send(id, new CancelOrder(orderId(id)));
  }

  /**
   * Restocks a product.
   *
   * @param sku the product
   * @param delivery how many
   * @return the position
   */
  @PostMapping("/stock/{sku}")
  public Accepted restock(@PathVariable String sku, @RequestBody Delivery delivery) {
    return send(null, new Restock(sku, require(delivery.quantity(), "quantity")));
  }

  /**
   * One order.
   *
   * @param id the order
   * @param after a position the answer must include
   * @return the order, 404 when there is none
   */
  @GetMapping("/orders/{id}")
  public Queries.OrderView order(@PathVariable String id, @RequestParam Optional<String> after) {
    await(after);
    return queries.ask(new Queries.FindOrder(orderId(id)))
        .orElseThrow(() -> new ErrorHandling.NotFound("order " + id + " does not exist"));
  }

  /**
   * All orders.
   *
   * @param after a position the answer must include
   * @return the orders
   */
  @GetMapping("/orders")
  public List<Queries.OrderView> orders(@RequestParam Optional<String> after) {
    await(after);
    return queries.ask(new Queries.ListOrders());
  }

  /**
   * A customer's orders.
   *
   * @param customer the customer
   * @param after a position the answer must include
   * @return the orders
   */
  @GetMapping("/customers/{customer}/orders")
  public List<Queries.CustomerOrder> history(@PathVariable String customer, @RequestParam Optional<String> after) {
    await(after);
    return queries.ask(new Queries.OrderHistory(customer));
  }

  /**
   * The sales report.
   *
   * @param after a position the answer must include
   * @return the report
   */
  @GetMapping("/reports/sales")
  public List<Queries.SalesLine> sales(@RequestParam Optional<String> after) {
    await(after);
    return queries.ask(new Queries.SalesReport());
  }

  /**
   * The stock levels.
   *
   * @param after a position the answer must include
   * @return the levels
   */
  @GetMapping("/stock")
  public List<Queries.StockLevel> stock(@RequestParam Optional<String> after) {
    await(after);
    return queries.ask(new Queries.StockLevels());
  }

  private Accepted send(String orderId, Command command) {
    CommandResult result = commands.send(command);
    return new Accepted(orderId, result.lastPosition().map(Position::toString).orElse(null));
  }

  /** Waits until every read model holds the position; ProcessorNotReadyException (503) when one cannot. */
  private void await(Optional<String> after) {
    if (after.isPresent()) {
      Position position = Position.parse(after.get());
      for (TrackingProcessor processor : processors.all()) {
        processor.awaitProcessed(position, READ_YOUR_WRITES);
      }
    }
  }

  private static String orderId(String id) {
    if (!ORDER_ID.matcher(id).matches()) {
      throw new IllegalArgumentException("an order id is 1 to 40 letters, digits or '-'");
    }
    return id;
  }

  private static <T> T require(T value, String field) {
    if (value == null) {
      throw new IllegalArgumentException("the body needs '" + field + "'");
    }
    return value;
  }
}
