package dev.cqrs.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.CommandHandler;
import dev.cqrs.core.CommandRejectedException;
import dev.cqrs.core.CommandResult;
import dev.cqrs.core.Decider;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventSourcedHandler;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.Position;
import dev.cqrs.core.Projection;
import dev.cqrs.core.Query;
import dev.cqrs.core.QueryBus;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.inmemory.InMemoryCheckpointStore;
import dev.cqrs.inmemory.InMemoryEventStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The README's section on deciders, projections and fixtures, kept compiling and passing here. */
class ReadmeModelTest {

  interface OrderCommand extends Command { String orderId(); }
  record PlaceOrder(String orderId, String customer) implements OrderCommand {}
  record ConfirmOrder(String orderId) implements OrderCommand {}
  interface OrderEvent extends Event {}
  record OrderPlaced(String orderId, String customer) implements OrderEvent {}
  record OrderConfirmed(String orderId) implements OrderEvent {}
  record OrderStatus(String orderId) implements Query<Optional<String>> {}

  // decider begins
  record Order(boolean placed, boolean confirmed) {}

  static final Decider<OrderCommand, Order, OrderEvent> ORDERS = Decider.of(
      new Order(false, false),
      (command, order) -> {
        if (command instanceof PlaceOrder place) {
          if (order.placed()) {
            throw new CommandRejectedException("order " + place.orderId() + " exists already");
          }
          return List.of(new OrderPlaced(place.orderId(), place.customer()));
        }
        if (!order.placed()) {
          throw new CommandRejectedException("order " + command.orderId() + " does not exist");
        }
        return order.confirmed() ? List.of() : List.of(new OrderConfirmed(command.orderId()));
      },
      (order, event) -> event instanceof OrderPlaced ? new Order(true, false) : new Order(true, true));
  // decider ends

  @Test
  void wiring_a_decider_a_projection_and_a_query_and_reading_your_own_writes() throws Exception {
    EventTypes types = EventTypes.builder()
        .register(OrderPlaced.class, "OrderPlaced", 1)
        .register(OrderConfirmed.class, "OrderConfirmed", 1)
        .build();
    InMemoryEventStore store = InMemoryEventStore.create(types);
    // wiring begins
    CommandHandler<OrderCommand> orders =
        EventSourcedHandler.builder(ORDERS, command -> "order-" + command.orderId()).build();
    CommandBus commands = CommandBus.builder().eventStore(store).build()
        .register(PlaceOrder.class, orders)
        .register(ConfirmOrder.class, orders);

    Map<String, String> statusById = new ConcurrentHashMap<>();
    Projection statuses = Projection.builder()
        .on(OrderPlaced.class, placed -> statusById.put(placed.orderId(), "placed"))
        .on(OrderConfirmed.class, confirmed -> statusById.put(confirmed.orderId(), "confirmed"))
        .onReset(statusById::clear)
        .build();
    TrackingProcessor processor = TrackingProcessor
        .builder("order-status", store, statuses, InMemoryCheckpointStore.create())
        .build();
    processor.start();

    QueryBus queries = QueryBus.builder().build()
        .register(OrderStatus.class, query -> Optional.ofNullable(statusById.get(query.orderId())));

    commands.send(new PlaceOrder("42", "alice"));
    CommandResult result = commands.send(new ConfirmOrder("42"));
    result.lastPosition().ifPresent(p -> processor.awaitProcessed(p, Duration.ofSeconds(5))); // read your own write
    Optional<String> status = queries.ask(new OrderStatus("42"));                            // Optional[confirmed]
    // wiring ends

    // read your writes begins
    queries.register(OrderStatusAfter.class, query -> {
      // Waits until the read model holds the client's last write; ProcessorNotReadyException (a timeout, or a
      // failed processor) says why it cannot, and never an answer without that write.
      query.after().ifPresent(position -> processor.awaitProcessed(position, Duration.ofSeconds(2)));
      return Optional.ofNullable(statusById.get(query.orderId()));
    });

    // The client keeps the newest position its commands returned. A command that appended nothing (confirming a
    // confirmed order, or an exact repeat) returns no position, and the client keeps the one it had.
    Position written = Position.START;
    written = commands.send(new PlaceOrder("43", "bob")).lastPosition().orElse(written);
    written = commands.send(new ConfirmOrder("43")).lastPosition().orElse(written);
    CommandResult again = commands.send(new ConfirmOrder("43"));     // appends nothing
    written = again.lastPosition().orElse(written);                   // still the confirmation's position
    Optional<String> fresh = queries.ask(new OrderStatusAfter("43", Optional.of(written)));  // Optional[confirmed]
    // read your writes ends

    assertThat(again.lastPosition()).isEmpty();
    assertThat(fresh).contains("confirmed");
    assertThat(processor.checkpoint().compareTo(written)).isGreaterThanOrEqualTo(0);
    processor.stop();

    assertThat(status).contains("confirmed");
  }

  /** A query that names the newest position the client wrote, so that its answer includes the client's writes. */
  record OrderStatusAfter(String orderId, Optional<Position> after) implements Query<Optional<String>> {}

  @Test
  void testing_with_fixtures() {
    Map<String, String> statusById = new ConcurrentHashMap<>();
    Projection statuses = Projection.builder()
        .on(OrderPlaced.class, placed -> statusById.put(placed.orderId(), "placed"))
        .on(OrderConfirmed.class, confirmed -> statusById.put(confirmed.orderId(), "confirmed"))
        .onReset(statusById::clear)
        .build();
    // fixtures begin
    DeciderFixture.of(ORDERS)
        .given(new OrderPlaced("42", "alice"))
        .when(new ConfirmOrder("42"))
        .then(new OrderConfirmed("42"));

    DeciderFixture.of(ORDERS)
        .given()
        .when(new ConfirmOrder("42"))
        .thenThrows(CommandRejectedException.class, "does not exist");

    ProjectionFixture.of(statuses)
        .given(new OrderPlaced("42", "alice"), new OrderConfirmed("42"))
        .thenState(() -> statusById.get("42"), "confirmed");
    // fixtures end
  }
}
