package dev.cqrs.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.CommandBus;
import dev.cqrs.core.CommandHandler;
import dev.cqrs.core.EventSourcedHandler;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Projection;
import dev.cqrs.core.Query;
import dev.cqrs.core.QueryBus;
import dev.cqrs.inmemory.Shop.AddItem;
import dev.cqrs.inmemory.Shop.ItemAdded;
import dev.cqrs.inmemory.Shop.OrderCommand;
import dev.cqrs.inmemory.Shop.OrderPlaced;
import dev.cqrs.inmemory.Shop.PlaceOrder;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Inline projections run inside the append, and a query handler answers from their read model. */
class InlineProjectionTest {

  record ItemCount(String orderId) implements Query<Optional<Integer>> {
  }

  @Test
  void the_read_model_is_updated_before_the_command_returns_and_answers_queries() {
    Map<String, Integer> items = new ConcurrentHashMap<>();
    Projection itemCounts = Projection.builder()
        .on(OrderPlaced.class, placed -> items.put(placed.orderId(), 0))
        .on(ItemAdded.class, added -> items.merge(added.orderId(), added.quantity(), Integer::sum))
        .onReset(items::clear)
        .build();
    InMemoryEventStore store = InMemoryEventStore.builder(Shop.TYPES).inlineProjection(itemCounts).build();
    CommandHandler<OrderCommand> orders = EventSourcedHandler.builder(Shop.ORDERS, Shop::stream).build();
    CommandBus commands = CommandBus.builder().eventStore(store).build()
        .register(PlaceOrder.class, orders).register(AddItem.class, orders);
    QueryBus queries = QueryBus.builder().build()
        .register(ItemCount.class, query -> Optional.ofNullable(items.get(query.orderId())));

    commands.send(new PlaceOrder("1", "alice"));
    assertThat(queries.ask(new ItemCount("1"))).contains(0);
    commands.send(new AddItem("1", "book", 3));
    assertThat(queries.ask(new ItemCount("1"))).contains(3);
    assertThat(queries.ask(new ItemCount("2"))).isEmpty();
  }

  @Test
  void a_handler_for_the_sealed_event_interface_sees_every_event_inline_and_tracked() throws Exception {
    java.util.List<String> inline = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.List<String> tracked = new java.util.concurrent.CopyOnWriteArrayList<>();
    Projection allInline = Projection.builder()
        .on(Shop.OrderEvent.class, event -> inline.add(event.getClass().getSimpleName()))
        .on(ItemAdded.class, added -> inline.add("item " + added.sku())) // the more specific handler wins
        .build();
    Projection allTracked = Projection.builder()
        .on(Shop.OrderEvent.class, event -> tracked.add(event.getClass().getSimpleName()))
        .build();
    InMemoryEventStore store = InMemoryEventStore.builder(Shop.TYPES).inlineProjection(allInline).build();
    CommandHandler<OrderCommand> orders = EventSourcedHandler.builder(Shop.ORDERS, Shop::stream).build();
    CommandBus commands = CommandBus.builder().eventStore(store).build().register(OrderCommand.class, orders);
    try (dev.cqrs.core.TrackingProcessor processor = dev.cqrs.core.TrackingProcessor.builder("all", store,
        allTracked, InMemoryCheckpointStore.create()).pollInterval(java.time.Duration.ofMillis(10)).build()) {
      processor.start();
      commands.send(new PlaceOrder("s", "alice"));
      commands.send(new AddItem("s", "book", 1));
      processor.awaitProcessed(store.head(), java.time.Duration.ofSeconds(30));
    }

    assertThat(inline).containsExactly("OrderPlaced", "item book");
    assertThat(tracked).containsExactly("OrderPlaced", "ItemAdded");
    assertThat(allTracked.handles(Shop.OrderConfirmed.class)).isTrue();
  }

  @Test
  void a_failing_inline_projection_fails_the_append_and_stores_nothing() {
    AtomicInteger applied = new AtomicInteger();
    Projection failing = Projection.builder()
        .on(ItemAdded.class, added -> {
          if (added.quantity() > 10) {
            throw new IllegalStateException("read model refuses quantity " + added.quantity());
          }
          applied.incrementAndGet();
        })
        .build();
    InMemoryEventStore store = InMemoryEventStore.builder(Shop.TYPES).inlineProjection(failing).build();
    store.append("order-1", ExpectedVersion.noStream(), new OrderPlaced("1", "bob"));

    assertThatThrownBy(() -> store.append("order-1", ExpectedVersion.exactly(1), new ItemAdded("1", "x", 11)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("read model refuses quantity 11");
    assertThat(store.readStream("order-1")).hasSize(1);
    store.append("order-1", ExpectedVersion.exactly(1), new ItemAdded("1", "x", 2));
    assertThat(store.readStream("order-1")).hasSize(2);
    assertThat(applied.get()).isEqualTo(1);
  }

  @Test
  void a_projection_rejects_two_handlers_for_one_event_class() {
    assertThatThrownBy(() -> Projection.builder().on(ItemAdded.class, e -> { }).on(ItemAdded.class, e -> { }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(ItemAdded.class.getName());
  }
}
