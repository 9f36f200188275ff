package dev.cqrs.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.CommandResult;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Position;
import dev.cqrs.core.Query;
import dev.cqrs.core.QueryBus;
import dev.cqrs.core.RecordedEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's quick start, kept compiling and passing here; copy changes to README.md. */
class QuickStartTest {

  // quick start begins
  record PlaceOrder(String orderId, String customer) implements Command {}
  record OrderPlaced(String orderId, String customer) implements Event {}
  record CountOrders(String customer) implements Query<Long> {}

  @Test
  void quick_start() {
    EventTypes types = EventTypes.builder().register(OrderPlaced.class, "OrderPlaced", 1).build();
    EventStore store = InMemoryEventStore.create(types);

    CommandBus commands = CommandBus.builder().eventStore(store).build()
        .register(PlaceOrder.class, (command, context) -> context.append(
            "order-" + command.orderId(), ExpectedVersion.noStream(),
            List.of(new OrderPlaced(command.orderId(), command.customer()))));

    QueryBus queries = QueryBus.builder().build()
        .register(CountOrders.class, query -> store.readAll(Position.START, 1000).stream()
            .filter(e -> e.payload() instanceof OrderPlaced placed && placed.customer().equals(query.customer()))
            .count());

    CommandResult result = commands.send(new PlaceOrder("42", "alice"));
    long orders = queries.ask(new CountOrders("alice")); // typed answer, no cast
    RecordedEvent placed = result.events().get(0);       // stream "order-42", version 1
    // quick start ends

    assertThat(orders).isEqualTo(1);
    assertThat(placed.streamId()).isEqualTo("order-42");
    assertThat(placed.version()).isEqualTo(1);
    assertThat(placed.payload()).isEqualTo(new OrderPlaced("42", "alice"));
    assertThat(placed.metadata().causationId()).isEqualTo(result.metadata().messageId());
  }
}
