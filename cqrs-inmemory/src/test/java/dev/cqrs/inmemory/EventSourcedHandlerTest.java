package dev.cqrs.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.CommandBus;
import dev.cqrs.core.CommandHandler;
import dev.cqrs.core.CommandRejectedException;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.Decider;
import dev.cqrs.core.EventSourcedHandler;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.Snapshot;
import dev.cqrs.core.SnapshotPolicy;
import dev.cqrs.inmemory.Shop.AddItem;
import dev.cqrs.inmemory.Shop.CloseOrder;
import dev.cqrs.inmemory.Shop.ConfirmOrder;
import dev.cqrs.inmemory.Shop.ItemAdded;
import dev.cqrs.inmemory.Shop.Order;
import dev.cqrs.inmemory.Shop.OrderCommand;
import dev.cqrs.inmemory.Shop.OrderConfirmed;
import dev.cqrs.inmemory.Shop.OrderEvent;
import dev.cqrs.inmemory.Shop.OrderPlaced;
import dev.cqrs.inmemory.Shop.PlaceOrder;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventSourcedHandlerTest {

  private final InMemoryEventStore store = InMemoryEventStore.create(Shop.TYPES);
  private final ExecutorService executor = Executors.newFixedThreadPool(2);

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  private CommandBus bus(CommandHandler<OrderCommand> handler) {
    return CommandBus.builder().eventStore(store).executor(executor).build()
        .register(PlaceOrder.class, handler)
        .register(AddItem.class, handler)
        .register(ConfirmOrder.class, handler)
        .register(CloseOrder.class, handler);
  }

  @Test
  void loads_folds_decides_and_appends_with_the_loaded_version() {
    CommandBus bus = bus(EventSourcedHandler.builder(Shop.ORDERS, Shop::stream).build());

    bus.send(new PlaceOrder("1", "alice"));
    bus.send(new AddItem("1", "book", 2));
    bus.send(new ConfirmOrder("1"));

    assertThat(store.readStream("order-1")).extracting(RecordedEvent::payload).containsExactly(
        new OrderPlaced("1", "alice"), new ItemAdded("1", "book", 2), new OrderConfirmed("1"));
  }

  @Test
  void a_rejected_command_stores_nothing_and_reaches_the_sender() {
    CommandBus bus = bus(EventSourcedHandler.builder(Shop.ORDERS, Shop::stream).build());
    bus.send(new PlaceOrder("2", "bob"));

    assertThatThrownBy(() -> bus.send(new AddItem("2", "pen", 0)))
        .isInstanceOf(CommandRejectedException.class)
        .hasMessage("quantity must be positive, but was 0");
    assertThatThrownBy(() -> bus.send(new AddItem("9", "pen", 1)))
        .isInstanceOf(CommandRejectedException.class)
        .hasMessage("order 9 does not exist");
    assertThat(store.readStream("order-2")).hasSize(1);
    assertThat(store.readStream("order-9")).isEmpty();
  }

  @Test
  void a_decision_without_events_appends_nothing() {
    CommandBus bus = bus(EventSourcedHandler.builder(Shop.ORDERS, Shop::stream).build());
    bus.send(new PlaceOrder("3", "carol"));

    assertThat(bus.send(new ConfirmOrder("3")).events()).isEmpty();
    assertThat(store.readStream("order-3")).hasSize(1);
  }

  @Test
  void a_terminal_stream_rejects_further_commands_without_deciding() {
    CommandBus bus = bus(EventSourcedHandler.builder(Shop.ORDERS, Shop::stream).build());
    bus.send(new PlaceOrder("4", "dan"));
    bus.send(new CloseOrder("4"));

    assertThatThrownBy(() -> bus.send(new AddItem("4", "cup", 1)))
        .isInstanceOf(CommandRejectedException.class)
        .hasMessageContaining("stream 'order-4' is closed")
        .hasMessageContaining("AddItem");
  }

  /** Both senders load the same version before either appends, so one of them must conflict and decide again. */
  @Test
  void a_real_conflict_between_two_threads_is_resolved_by_deciding_again() throws Exception {
    CyclicBarrier bothLoaded = new CyclicBarrier(2);
    AtomicInteger decisions = new AtomicInteger();
    Decider<OrderCommand, Order, OrderEvent> racing = racingDecider(bothLoaded, decisions);
    List<ConcurrencyConflictException> retried = new CopyOnWriteArrayList<>();
    CommandBus bus = bus(EventSourcedHandler.builder(racing, Shop::stream).maxRetries(3).onConflict(retried::add)
        .build());
    bus.send(new PlaceOrder("5", "erin"));
    decisions.set(0);

    CompletableFuture<?> first = bus.sendAsync(new AddItem("5", "apple", 1));
    CompletableFuture<?> second = bus.sendAsync(new AddItem("5", "pear", 1));
    first.get(10, TimeUnit.SECONDS);
    second.get(10, TimeUnit.SECONDS);

    List<RecordedEvent> events = store.readStream("order-5");
    assertThat(events).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L);
    assertThat(events.subList(1, 3)).extracting(e -> ((ItemAdded) e.payload()).sku())
        .containsExactlyInAnyOrder("apple", "pear");
    assertThat(decisions.get()).as("two first decisions and one retry").isEqualTo(3);
    assertThat(retried).singleElement().satisfies(conflict -> {
      assertThat(conflict.streamId()).isEqualTo("order-5");
      assertThat(conflict.actualVersion()).isEqualTo(2);
    });
  }

  @Test
  void when_retries_run_out_the_conflict_reaches_the_sender_with_its_versions() throws Exception {
    CyclicBarrier bothLoaded = new CyclicBarrier(2);
    AtomicInteger decisions = new AtomicInteger();
    CommandBus bus = bus(EventSourcedHandler.builder(racingDecider(bothLoaded, decisions), Shop::stream)
        .maxRetries(0).build());
    bus.send(new PlaceOrder("6", "finn"));

    CompletableFuture<?> first = bus.sendAsync(new AddItem("6", "apple", 1));
    CompletableFuture<?> second = bus.sendAsync(new AddItem("6", "pear", 1));
    Throwable failure = null;
    for (CompletableFuture<?> future : List.of(first, second)) {
      try {
        future.get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        failure = e.getCause();
      }
    }

    assertThat(failure).isInstanceOf(ConcurrencyConflictException.class);
    ConcurrencyConflictException conflict = (ConcurrencyConflictException) failure;
    assertThat(conflict.streamId()).isEqualTo("order-6");
    assertThat(conflict.expectedVersion()).isEqualTo(ExpectedVersion.exactly(1));
    assertThat(conflict.actualVersion()).isEqualTo(2);
    assertThat(store.readStream("order-6")).hasSize(2);
  }

  /** A decider whose first two AddItem decisions wait for each other, after both have loaded the same state. */
  private static Decider<OrderCommand, Order, OrderEvent> racingDecider(CyclicBarrier bothLoaded,
                                                                        AtomicInteger decisions) {
    return Decider.of(() -> Order.NONE, (command, order) -> {
      if (command instanceof AddItem && decisions.incrementAndGet() <= 2) {
        try {
          bothLoaded.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
      return Shop.decide(command, order);
    }, Order::with, Order::closed);
  }

  @Test
  void snapshots_every_n_events_and_loads_from_the_snapshot() {
    InMemorySnapshotStore snapshots = InMemorySnapshotStore.create();
    AtomicInteger evolutions = new AtomicInteger();
    Decider<OrderCommand, Order, OrderEvent> counting = Decider.of(() -> Order.NONE, Shop::decide,
        (order, event) -> {
          evolutions.incrementAndGet();
          return order.with(event);
        }, Order::closed);
    CommandBus bus = bus(EventSourcedHandler.builder(counting, Shop::stream)
        .snapshots(snapshots, Order.class, 1, SnapshotPolicy.everyNEvents(5)).build());
    bus.send(new PlaceOrder("7", "gus"));
    for (int i = 1; i <= 5; i++) {
      bus.send(new AddItem("7", "item" + i, i));
    }

    Snapshot<Order> snapshot = snapshots.load("order-7", Order.class).orElseThrow();
    assertThat(snapshot.version()).isEqualTo(5);
    assertThat(snapshot.state().items()).containsExactly("item1x1", "item2x2", "item3x3", "item4x4");

    evolutions.set(0);
    bus.send(new AddItem("7", "item6", 6));
    assertThat(evolutions.get()).as("events folded after the snapshot at version 5").isEqualTo(1);
    assertThat(store.readStream("order-7")).hasSize(7);
  }

  @Test
  void ignores_a_snapshot_of_another_state_revision() {
    InMemorySnapshotStore snapshots = InMemorySnapshotStore.create();
    store.append("order-8", ExpectedVersion.noStream(), new OrderPlaced("8", "hal"), new ItemAdded("8", "a", 1));
    snapshots.save(new Snapshot<>("order-8", 2, 1, new Order("8", "WRONG", List.of("stale"), false, false)));
    CommandBus bus = bus(EventSourcedHandler.builder(Shop.ORDERS, Shop::stream)
        .snapshots(snapshots, Order.class, 2, SnapshotPolicy.everyNEvents(100)).build());

    bus.send(new AddItem("8", "b", 1));
    bus.send(new ConfirmOrder("8"));

    assertThat(store.readStream("order-8")).extracting(RecordedEvent::payload).endsWith(new OrderConfirmed("8"));
    assertThat(snapshots.load("order-8", Order.class).orElseThrow().state().customer()).isEqualTo("WRONG");
  }

  @Test
  void builder_settings_are_checked_at_once() {
    assertThatThrownBy(() -> EventSourcedHandler.builder(Shop.ORDERS, Shop::stream).maxRetries(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxRetries must be between 0 and 100000, but was -1");
    assertThatThrownBy(() -> EventSourcedHandler.builder(Shop.ORDERS, Shop::stream)
        .snapshots(InMemorySnapshotStore.create(), Order.class, 0, SnapshotPolicy.everyNEvents(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stateRevision");
    assertThatThrownBy(() -> SnapshotPolicy.everyNEvents(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 0");
    assertThatThrownBy(() -> EventSourcedHandler.builder(null, Shop::stream)).hasMessageContaining("decider");
  }
}
