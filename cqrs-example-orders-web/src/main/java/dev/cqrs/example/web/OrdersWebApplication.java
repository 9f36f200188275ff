package dev.cqrs.example.web;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.CommandHandler;
import dev.cqrs.core.EventSourcedHandler;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.StateStoredHandler;
import dev.cqrs.core.StateStoredRepository;
import dev.cqrs.example.orders.Fulfillment;
import dev.cqrs.example.orders.Messages;
import dev.cqrs.example.orders.Messages.OrderCommand;
import dev.cqrs.example.orders.Messages.StockCommand;
import dev.cqrs.example.orders.Order;
import dev.cqrs.example.orders.ReadModels;
import dev.cqrs.example.orders.Stock;
import dev.cqrs.inmemory.InMemoryEventStore;
import dev.cqrs.inmemory.InMemoryStateStoredRepository;
import dev.cqrs.jackson.JacksonSerializer;
import dev.cqrs.jdbc.JdbcEventStore;
import dev.cqrs.jdbc.JdbcStateStoredRepository;
import dev.cqrs.spring.boot.CommandBusCustomizer;
import dev.cqrs.spring.boot.ProcessorDefinition;
import dev.cqrs.spring.boot.QueryBusCustomizer;
import java.time.Duration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The application: the plain example's domain as beans; the starter does the wiring. Run it with {@code ./mvnw -q
 * -pl cqrs-example-orders-web -am compile exec:java}, then {@code curl -X POST localhost:8080/orders -H
 * 'Content-Type: application/json' -d '{"customer":"alice"}'}.
 */
@SpringBootApplication
public class OrdersWebApplication {

  /** Creates the configuration; Spring calls it. */
  public OrdersWebApplication() {
  }

  /**
   * Starts the service.
   *
   * @param args Spring Boot's arguments, such as {@code --server.port=9090}
   */
  public static void main(String[] args) {
    SpringApplication.run(OrdersWebApplication.class, args);
  }

  /**
   * The domain's event types, as the plain example registers them.
   *
   * @return the types
   */
  @Bean
  EventTypes eventTypes() {
    return Messages.TYPES;
  }

  /**
   * The stock's state-stored repository, on the store the starter chose.
   *
   * @param store the store
   * @return the repository
   */
  @Bean
  StateStoredRepository<Stock> stockRepository(EventStore store) {
    if (store instanceof JdbcEventStore jdbc) {
      return JdbcStateStoredRepository.create(jdbc, JacksonSerializer.create(), Stock.class);
    }
    return InMemoryStateStoredRepository.create((InMemoryEventStore) store);
  }

  /**
   * The command handlers: orders as a decider, stock state-stored.
   *
   * @param stock the stock repository
   * @return the registration
   */
  @Bean
  CommandBusCustomizer orderCommands(StateStoredRepository<Stock> stock) {
    CommandHandler<OrderCommand> orders = EventSourcedHandler.builder(Order.DECIDER,
        (OrderCommand command) -> "order-" + command.orderId()).retryFor(Duration.ofSeconds(5)).build();
    CommandHandler<StockCommand> inventory = StateStoredHandler.builder(stock,
        (StockCommand command) -> "stock-" + command.sku(), Stock::change).build();
    return bus -> {
      for (Class<?> type : Messages.OrderCommand.class.getPermittedSubclasses()) {
        register(bus, type, orders);
      }
      for (Class<?> type : Messages.StockCommand.class.getPermittedSubclasses()) {
        register(bus, type, inventory);
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static <C extends Command> void register(CommandBus bus, Class<?> type, CommandHandler<? super C> handler) {
    bus.register((Class<C>) type, handler);
  }

  /**
   * The order details read model.
   *
   * @return the read model
   */
  @Bean
  ReadModels.OrderDetails orderDetails() {
    return new ReadModels.OrderDetails();
  }

  /**
   * The customers' order histories.
   *
   * @return the read model
   */
  @Bean
  ReadModels.CustomerHistory customerHistory() {
    return new ReadModels.CustomerHistory();
  }

  /**
   * The sales report.
   *
   * @return the read model
   */
  @Bean
  ReadModels.Sales sales() {
    return new ReadModels.Sales();
  }

  /**
   * The stock levels.
   *
   * @return the read model
   */
  @Bean
  ReadModels.StockLevelsView stockLevels() {
    return new ReadModels.StockLevelsView();
  }

  /**
   * The queries, answered by the read models.
   *
   * @param details order details
   * @param history order histories
   * @param sales the sales report
   * @param stock stock levels
   * @return the registration
   */
  @Bean
  QueryBusCustomizer orderQueries(ReadModels.OrderDetails details, ReadModels.CustomerHistory history,
                                  ReadModels.Sales sales, ReadModels.StockLevelsView stock) {
    return bus -> {
      details.register(bus);
      history.register(bus);
      sales.register(bus);
      stock.register(bus);
    };
  }

  /**
   * The processor of the order details.
   *
   * @param details the read model
   * @return the definition
   */
  @Bean
  ProcessorDefinition orderDetailsProcessor(ReadModels.OrderDetails details) {
    return ProcessorDefinition.inMemory("order-details", details.projection);
  }

  /**
   * The processor of the order histories.
   *
   * @param history the read model
   * @return the definition
   */
  @Bean
  ProcessorDefinition customerHistoryProcessor(ReadModels.CustomerHistory history) {
    return ProcessorDefinition.inMemory("customer-history", history.projection);
  }

  /**
   * The processor of the sales report.
   *
   * @param sales the read model
   * @return the definition
   */
  @Bean
  ProcessorDefinition salesProcessor(ReadModels.Sales sales) {
    return ProcessorDefinition.inMemory("sales-report", sales.projection);
  }

  /**
   * The processor of the stock levels.
   *
   * @param stock the read model
   * @return the definition
   */
  @Bean
  ProcessorDefinition stockLevelsProcessor(ReadModels.StockLevelsView stock) {
    return ProcessorDefinition.inMemory("stock-levels", stock.projection);
  }

  /**
   * The fulfillment process manager: reserves stock for confirmed orders through the command bus, one instance at a
   * time from a stored checkpoint (its effects are stored events, and each is made once).
   *
   * @param commands the command bus
   * @return the definition
   */
  @Bean
  ProcessorDefinition fulfillment(CommandBus commands) {
    return ProcessorDefinition.leased("fulfillment", new Fulfillment(commands).projection);
  }
}
