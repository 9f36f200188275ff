package dev.cqrs.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.EventStore;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.HandlesEvent;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.Registration;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.inmemory.Shop.ItemAdded;
import dev.cqrs.inmemory.Shop.OrderConfirmed;
import dev.cqrs.inmemory.Shop.OrderPlaced;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class AnnotatedProjectionTest {

  /** A plain read-model object with annotated handlers, one of them private. */
  static class OrderSummary {
    final Map<String, String> customers = new ConcurrentHashMap<>();
    final Map<String, Integer> items = new ConcurrentHashMap<>();
    final List<Long> versions = new ArrayList<>();

    @HandlesEvent
    void on(OrderPlaced placed) {
      customers.put(placed.orderId(), placed.customer());
    }

    @HandlesEvent
    private void on(ItemAdded added, RecordedEvent recorded) {
      items.merge(added.orderId(), added.quantity(), Integer::sum);
      versions.add(recorded.version());
    }

    void notAHandler(OrderConfirmed confirmed) {
      throw new AssertionError("not annotated, never called");
    }
  }

  @Test
  void annotated_methods_handle_their_event_classes() {
    OrderSummary summary = new OrderSummary();
    Projection projection = Projection.builder().annotated(summary).build();
    InMemoryEventStore store = InMemoryEventStore.builder(Shop.TYPES).inlineProjection(projection).build();

    store.append("order-1", ExpectedVersion.noStream(), new OrderPlaced("1", "ada"), new ItemAdded("1", "x", 2),
        new OrderConfirmed("1"), new ItemAdded("1", "y", 3));

    assertThat(summary.customers).containsEntry("1", "ada");
    assertThat(summary.items).containsEntry("1", 5);
    assertThat(summary.versions).containsExactly(2L, 4L);
    assertThat(projection.handles(OrderConfirmed.class)).isFalse();
  }

  static class WrongShape {
    @HandlesEvent
    int on(OrderPlaced placed) {
      return 1;
    }
  }

  static class Twice {
    @HandlesEvent
    void first(OrderPlaced placed) {
    }

    @HandlesEvent
    void second(OrderPlaced placed) {
    }
  }

  static class Failing {
    @HandlesEvent
    void on(OrderPlaced placed) {
      throw new IllegalStateException("read model down");
    }
  }

  @Test
  void rejects_badly_shaped_duplicate_or_missing_handlers_naming_the_method() {
    assertThatThrownBy(() -> Projection.builder().annotated(new WrongShape()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("WrongShape.on")
        .hasMessageContaining("returning void");
    assertThatThrownBy(() -> Projection.builder().annotated(new Twice()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two @HandlesEvent methods");
    assertThatThrownBy(() -> Projection.builder().annotated(new Object()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no @HandlesEvent methods");
    InMemoryEventStore store = InMemoryEventStore.builder(Shop.TYPES)
        .inlineProjection(Projection.builder().annotated(new Failing()).build()).build();
    assertThatThrownBy(() -> store.append("o", ExpectedVersion.any(), new OrderPlaced("o", "x")))
        .isInstanceOf(IllegalStateException.class).hasMessage("read model down");
  }

  @Test
  void a_processor_polls_when_the_store_gives_no_wake_up_hint() throws Exception {
    InMemoryEventStore real = InMemoryEventStore.create(Shop.TYPES);
    EventStore silent = withoutHints(real);
    OrderSummary summary = new OrderSummary();
    TrackingProcessor processor = TrackingProcessor.builder("polling", silent,
        Projection.builder().annotated(summary).build(), InMemoryCheckpointStore.create())
        .pollInterval(Duration.ofMillis(10)).build();
    processor.start();
    try {
      real.append("order-2", ExpectedVersion.any(), new OrderPlaced("2", "bea"));
      assertThat(processor.awaitPosition(real.head(), Duration.ofSeconds(30))).isTrue();
      assertThat(summary.customers).containsEntry("2", "bea");
    } finally {
      processor.stop();
    }
  }

  /** The same store, but listeners are never told about appends. */
  private static EventStore withoutHints(InMemoryEventStore store) {
    return (EventStore) Proxy.newProxyInstance(EventStore.class.getClassLoader(),
        new Class<?>[] {EventStore.class}, (proxy, method, args) -> {
          if (method.getName().equals("onAppend")) {
            return (Registration) () -> { };
          }
          try {
            return method.invoke(store, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
