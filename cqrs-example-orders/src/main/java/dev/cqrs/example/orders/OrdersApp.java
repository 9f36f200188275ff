package dev.cqrs.example.orders;

import dev.cqrs.core.CheckpointStore;
import dev.cqrs.core.Command;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.CommandHandler;
import dev.cqrs.core.CommandResult;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.EventSourcedHandler;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.Position;
import dev.cqrs.core.Projection;
import dev.cqrs.core.Query;
import dev.cqrs.core.QueryBus;
import dev.cqrs.core.StateStoredHandler;
import dev.cqrs.core.StateStoredRepository;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.core.serialization.EventCodec;
import dev.cqrs.core.serialization.UpcasterChain;
import dev.cqrs.example.orders.Messages.AddItem;
import dev.cqrs.example.orders.Messages.CancelOrder;
import dev.cqrs.example.orders.Messages.ConfirmOrder;
import dev.cqrs.example.orders.Messages.DefinePromotion;
import dev.cqrs.example.orders.Messages.MarkReadyToShip;
import dev.cqrs.example.orders.Messages.OrderCommand;
import dev.cqrs.example.orders.Messages.PlaceOrder;
import dev.cqrs.example.orders.Messages.RedeemPromotion;
import dev.cqrs.example.orders.Messages.RejectOrder;
import dev.cqrs.example.orders.Messages.ReleaseStock;
import dev.cqrs.example.orders.Messages.RemoveItem;
import dev.cqrs.example.orders.Messages.ReserveStock;
import dev.cqrs.example.orders.Messages.Restock;
import dev.cqrs.example.orders.Messages.ShipOrder;
import dev.cqrs.example.orders.Messages.ShipStock;
import dev.cqrs.example.orders.Messages.StockCommand;
import dev.cqrs.inmemory.InMemoryCheckpointStore;
import dev.cqrs.inmemory.InMemoryEventStore;
import dev.cqrs.inmemory.InMemoryStateStoredRepository;
import dev.cqrs.jackson.JacksonSerializer;
import dev.cqrs.jdbc.JdbcConfig;
import dev.cqrs.jdbc.JdbcEventStore;
import dev.cqrs.jdbc.JdbcProcessors;
import dev.cqrs.jdbc.JdbcSchema;
import dev.cqrs.jdbc.JdbcStateStoredRepository;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The whole application wired in plain Java: one event store, a command bus with the order decider and the
 * state-stored inventory and the promotion rules decided over queries, a query bus over five read models (order
 * details never stale, the others tracked), and the fulfillment process manager. Thread-safe; close it to stop its processors.
 */
public final class OrdersApp implements AutoCloseable {

  private final EventStore store;
  private final CommandBus commands;
  private final QueryBus queries = QueryBus.builder().build();
  private final ReadModels.Sales sales = new ReadModels.Sales();
  private final List<TrackingProcessor> processors = new ArrayList<>();
  private final TrackingProcessor salesProcessor;
  private volatile Consumer<ConcurrencyConflictException> conflicts = conflict -> { };

  private OrdersApp(EventStore store, ReadModels.OrderDetails orderDetails, StateStoredRepository<Stock> stock,
                    CheckpointStore fulfillmentCheckpoints, JdbcConfig jdbc) {
    this.store = store;
    // wiring begins
    CommandHandler<OrderCommand> orders = EventSourcedHandler.builder(Order.DECIDER, OrdersApp::orderStream)
        .retryFor(Duration.ofSeconds(5))
        .onConflict(conflict -> conflicts.accept(conflict))
        .build();
    CommandHandler<StockCommand> inventory = StateStoredHandler.builder(stock, OrdersApp::stockId, Stock::change)
        .build(); // retries conflicts for up to 10 seconds, with random pauses
    commands = CommandBus.builder().eventStore(store).build();
    for (Class<? extends OrderCommand> type : List.of(PlaceOrder.class, AddItem.class, RemoveItem.class,
        ConfirmOrder.class, MarkReadyToShip.class, RejectOrder.class, ShipOrder.class, CancelOrder.class)) {
      commands.register(type, orders);
    }
    for (Class<? extends StockCommand> type : List.of(Restock.class, ReserveStock.class, ReleaseStock.class,
        ShipStock.class)) {
      commands.register(type, inventory);
    }
    commands.register(DefinePromotion.class, Promotions.DEFINE);
    commands.register(RedeemPromotion.class, Promotions.REDEEM);

    ReadModels.CustomerHistory history = new ReadModels.CustomerHistory();
    ReadModels.StockLevelsView stockLevels = new ReadModels.StockLevelsView();
    ReadModels.PromotionsView promotions = new ReadModels.PromotionsView();
    orderDetails.register(queries);
    history.register(queries);
    sales.register(queries);
    stockLevels.register(queries);
    promotions.register(queries);

    processors.add(tracked("customer-history", history.projection));
    salesProcessor = tracked("sales-report", sales.projection);
    processors.add(salesProcessor);
    processors.add(tracked("stock-levels", stockLevels.projection));
    processors.add(tracked("promotions", promotions.projection));
    Fulfillment fulfillment = new Fulfillment(commands);
    processors.add(jdbc == null
        ? TrackingProcessor.builder("fulfillment", store, fulfillment.projection, fulfillmentCheckpoints)
            .pollInterval(Duration.ofMillis(50)).build()
        : JdbcProcessors.leased(jdbc, "fulfillment", store, fulfillment.projection,
            "orders-" + UUID.randomUUID(), Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).build());
    processors.forEach(TrackingProcessor::start);
    // wiring ends
    awaitProcessed(store.head()); // the in-memory read models catch up with earlier runs before the first query
  }

  /**
   * Runs the application on in-memory stores.
   *
   * @return the application
   */
  public static OrdersApp inMemory() {
    ReadModels.OrderDetails details = new ReadModels.OrderDetails();
    InMemoryEventStore store = InMemoryEventStore.builder(Messages.TYPES)
        .inlineProjection(details.projection)
        .build();
    return new OrdersApp(store, details, InMemoryStateStoredRepository.create(store),
        InMemoryCheckpointStore.create(), null);
  }

  /**
   * Runs the application on a database (H2 or PostgreSQL), creating the tables it needs. Events, stock and the
   * fulfillment checkpoint persist; the in-memory read models are rebuilt from the events at start.
   *
   * @param dataSource the database
   * @return the application
   */
  public static OrdersApp onDatabase(DataSource dataSource) {
    JdbcConfig config = JdbcConfig.builder(dataSource).build();
    JdbcSchema.migrate(config);
    ReadModels.OrderDetails details = new ReadModels.OrderDetails();
    EventCodec codec = EventCodec.of(Messages.TYPES, JacksonSerializer.create(), UpcasterChain.empty());
    // other instances append to the database too: the details are fed every instance's appends, and each append
    // through this store returns once they hold it
    JdbcEventStore store = JdbcEventStore.builder(config, codec)
        .inMemoryProjection(details.projection)
        .build();
    return new OrdersApp(store, details,
        JdbcStateStoredRepository.create(store, JacksonSerializer.create(), Stock.class), null, config);
  }

  private TrackingProcessor tracked(String name, Projection projection) {
    return TrackingProcessor.builder(name, store, projection, InMemoryCheckpointStore.create())
        .pollInterval(Duration.ofMillis(50))
        .build();
  }

  static String orderStream(OrderCommand command) {
    return "order-" + command.orderId();
  }

  static String stockId(StockCommand command) {
    return "stock-" + command.sku();
  }

  /**
   * Returns the event store.
   *
   * @return the store
   */
  public EventStore store() {
    return store;
  }

  /**
   * Sends a command and waits until every processor has seen its events, so that the next query reads its effect.
   *
   * @param command the command
   * @return the command's result
   */
  public CommandResult send(Command command) {
    CommandResult result = commands.send(command);
    result.lastPosition().ifPresent(this::awaitProcessed);
    return result;
  }

  /**
   * Returns the command bus, for sends that should not wait.
   *
   * @return the bus
   */
  public CommandBus commands() {
    return commands;
  }

  /**
   * Asks a query.
   *
   * @param query the query
   * @param <R> the answer type
   * @return the answer
   */
  public <R> R ask(Query<R> query) {
    return queries.ask(query);
  }

  /**
   * Sets who hears of each conflict that the order handler resolved by deciding again.
   *
   * @param listener the listener
   */
  public void onConflict(Consumer<ConcurrencyConflictException> listener) {
    this.conflicts = listener;
  }

  /**
   * Waits until every processor has processed a position, and until the chain of commands the fulfillment process
   * manager sent in reaction has been processed too.
   *
   * @param position a position from a command result
   */
  public void awaitProcessed(Position position) {
    Position target = position;
    for (int round = 0; round < 10; round++) {
      for (TrackingProcessor processor : processors) {
        processor.awaitProcessed(target, Duration.ofSeconds(30)); // throws, saying why, when it cannot
      }
      if (store instanceof JdbcEventStore jdbc) {
        awaitInMemoryReadModels(jdbc, target);
      }
      Position head = store.head();
      if (!head.isAfter(target)) {
        return;
      }
      target = head;
    }
  }
  /** Waits until the order details, kept in memory on a database, hold a position another instance appended. */
  private static void awaitInMemoryReadModels(JdbcEventStore store, Position position) {
    try {
      if (!store.awaitInMemoryProjections(position, Duration.ofSeconds(30))) {
        throw new IllegalStateException("the order details did not reach " + position + " in 30 seconds");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the order details", e);
    }
  }


  /**
   * Rebuilds the sales report from the first event and returns it, for comparing with the report before.
   *
   * @return the rebuilt report
   */
  public List<Queries.SalesLine> replaySalesReport() {
    salesProcessor.reset();
    awaitProcessed(store.head());
    return ask(new Queries.SalesReport());
  }

  @Override
  public void close() {
    processors.forEach(TrackingProcessor::stop);
    commands.close();
    queries.close();
    store.close();
  }
}
