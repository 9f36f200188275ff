package dev.cqrs.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.CommandBus;
import dev.cqrs.core.CommandHandler;
import dev.cqrs.core.CommandResult;
import dev.cqrs.core.EventSourcedHandler;
import dev.cqrs.core.Metadata;
import dev.cqrs.core.ProcessManager;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.SnapshotPolicy;
import dev.cqrs.core.StateChange;
import dev.cqrs.core.StateStoredHandler;
import dev.cqrs.inmemory.Shop.AddItem;
import dev.cqrs.inmemory.Shop.ItemAdded;
import dev.cqrs.inmemory.Shop.Order;
import dev.cqrs.inmemory.Shop.OrderCommand;
import dev.cqrs.inmemory.Shop.OrderPlaced;
import dev.cqrs.inmemory.Shop.PlaceOrder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Resending the same command message stores nothing new (guarantee 7): the events a command appends get ids derived
 * from its message id, its handler finds what it appended before, and process managers derive their commands' ids
 * from the event they react to.
 */
class IdempotentCommandsTest {

  private final InMemoryEventStore store = InMemoryEventStore.create(Shop.TYPES);

  private CommandBus orders(boolean snapshots) {
    EventSourcedHandler.Builder<OrderCommand, Order, Shop.OrderEvent> builder =
        EventSourcedHandler.builder(Shop.ORDERS, Shop::stream);
    if (snapshots) {
      builder.snapshots(InMemorySnapshotStore.create(), Order.class, 1, SnapshotPolicy.everyNEvents(1));
    }
    CommandHandler<OrderCommand> handler = builder.build();
    return CommandBus.builder().eventStore(store).build().register(OrderCommand.class, handler);
  }

  @Test
  void an_event_sourced_command_sent_again_returns_the_earlier_result_and_stores_nothing() {
    for (boolean snapshots : new boolean[] {false, true}) {
      CommandBus bus = orders(snapshots);
      String order = "again-" + snapshots;
      bus.send(new PlaceOrder(order, "alice"));
      Metadata message = Metadata.create();

      CommandResult first = bus.send(new AddItem(order, "book", 2), message);
      CommandResult again = bus.send(new AddItem(order, "book", 2), message);

      assertThat(again.events()).as("snapshots %s", snapshots).isEqualTo(first.events());
      assertThat(store.readStream("order-" + order)).extracting(RecordedEvent::payload)
          .containsExactly(new OrderPlaced(order, "alice"), new ItemAdded(order, "book", 2));
      bus.send(new AddItem(order, "book", 2)); // a new message adds again
      assertThat(store.readStream("order-" + order)).hasSize(3);
    }
  }

  @Test
  void the_same_message_gets_the_same_event_ids_and_other_messages_other_ids() {
    CommandBus bus = orders(false);
    Metadata message = Metadata.create();
    CommandResult placed = bus.send(new PlaceOrder("ids", "alice"), message);
    InMemoryEventStore other = InMemoryEventStore.create(Shop.TYPES);
    CommandResult elsewhere = CommandBus.builder().eventStore(other).build()
        .register(OrderCommand.class, EventSourcedHandler.builder(Shop.ORDERS, Shop::stream).build())
        .send(new PlaceOrder("ids", "alice"), message);
    assertThat(elsewhere.events().get(0).eventId()).isEqualTo(placed.events().get(0).eventId());
    CommandResult another = bus.send(new PlaceOrder("ids-2", "alice"));
    assertThat(another.events().get(0).eventId()).isNotEqualTo(placed.events().get(0).eventId());
    assertThat(placed.events().get(0).eventId().version()).as("a derived (custom) id").isEqualTo(8);
  }

  record Account(long balance) {
  }

  @Test
  void a_state_stored_command_sent_again_changes_the_state_once() {
    InMemoryStateStoredRepository<Account> accounts = InMemoryStateStoredRepository.create(store);
    CommandBus bus = CommandBus.builder().eventStore(store).build().register(AddItem.class,
        StateStoredHandler.<AddItem, Account>builder(accounts, AddItem::orderId, (Optional<Account> account,
            AddItem command) -> StateChange.of(new Account(account.map(Account::balance).orElse(0L)
            + command.quantity()), new ItemAdded(command.orderId(), command.sku(), command.quantity()))).build());
    Metadata message = Metadata.create();

    CommandResult first = bus.send(new AddItem("acc", "x", 5), message);
    CommandResult again = bus.send(new AddItem("acc", "x", 5), message);

    assertThat(again.events()).isEqualTo(first.events());
    assertThat(accounts.load("acc").orElseThrow().state().balance()).isEqualTo(5);
    assertThat(accounts.load("acc").orElseThrow().version()).isEqualTo(1);
    assertThat(store.readStream("acc")).hasSize(1);
  }

  @Test
  void a_process_manager_that_handles_an_event_again_changes_nothing() {
    CommandBus bus = orders(false);
    Projection manager = ProcessManager.builder(bus)
        .on(OrderPlaced.class, (placed, send) -> {
          send.command(new AddItem(placed.orderId(), "welcome-gift", 1));
          send.command(new AddItem(placed.orderId(), "catalogue", 1));
        })
        .build();
    bus.send(new PlaceOrder("pm", "alice"));
    RecordedEvent placed = store.readStream("order-pm").get(0);

    manager.apply(placed);
    manager.apply(placed); // delivered again, as after a crash before the processor's checkpoint

    assertThat(store.readStream("order-pm")).extracting(RecordedEvent::payload).containsExactly(
        new OrderPlaced("pm", "alice"), new ItemAdded("pm", "welcome-gift", 1), new ItemAdded("pm", "catalogue", 1));
    assertThat(store.readStream("order-pm").get(1).metadata().causationId()).isNotEqualTo(placed.eventId());
    assertThat(store.readStream("order-pm").get(1).metadata().correlationId())
        .isEqualTo(placed.metadata().correlationId());
  }
}
