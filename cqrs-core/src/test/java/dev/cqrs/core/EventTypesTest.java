package dev.cqrs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EventTypesTest {

  record OrderPlaced(String id) implements Event {
  }

  record OrderShipped(String id) implements Event {
  }

  abstract static class AbstractEvent implements Event {
  }

  private final EventTypes types = EventTypes.builder()
      .register(OrderPlaced.class, "OrderPlaced", 2)
      .register(OrderShipped.class)
      .build();

  @Test
  void maps_classes_to_stable_names_and_back() {
    assertThat(types.typeOf(OrderPlaced.class)).isEqualTo(EventType.of("OrderPlaced", 2));
    assertThat(types.typeOf(OrderShipped.class)).isEqualTo(EventType.of("OrderShipped", 1));
    assertThat(types.classOf("OrderPlaced")).contains(OrderPlaced.class);
    assertThat(types.typeNamed("OrderPlaced")).contains(EventType.of("OrderPlaced", 2));
    assertThat(types.classOf("Missing")).isEmpty();
    assertThat(types.find(OrderPlaced.class)).isPresent();
    assertThat(types.classes()).containsExactlyInAnyOrder(OrderPlaced.class, OrderShipped.class);
  }

  @Test
  void names_an_unregistered_class_and_how_to_register_it() {
    EventTypes empty = EventTypes.builder().build();
    assertThatThrownBy(() -> empty.typeOf(OrderPlaced.class))
        .isInstanceOf(UnknownEventTypeException.class)
        .hasMessageContaining(OrderPlaced.class.getName())
        .hasMessageContaining("register(OrderPlaced.class");
    assertThat(empty.find(OrderPlaced.class)).isEmpty();
  }

  @Test
  void rejects_a_class_or_a_name_registered_twice() {
    assertThatThrownBy(() -> EventTypes.builder().register(OrderPlaced.class, "A", 1).register(OrderPlaced.class, "B",
        1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("registered already, as A@1");
    assertThatThrownBy(() -> EventTypes.builder().register(OrderPlaced.class, "Same", 1)
        .register(OrderShipped.class, "Same", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Same' is registered already, for " + OrderPlaced.class.getName());
  }

  @Test
  void rejects_abstract_classes() {
    assertThatThrownBy(() -> EventTypes.builder().register(AbstractEvent.class, "X", 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be concrete");
  }

  @Test
  void rejects_invalid_type_names_and_revisions() {
    for (String bad : new String[] {"", " ", "1Order", "Order Placed", "Order'); DROP", "a".repeat(201)}) {
      assertThatThrownBy(() -> EventType.of(bad, 1))
          .as("name '%s'", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("event type name must start with a letter");
    }
    assertThatThrownBy(() -> EventType.of("Order", 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be 1 or more, but was 0");
    assertThatThrownBy(() -> EventType.of(null, 1)).isInstanceOf(NullPointerException.class);
    assertThat(EventType.of("shop.Order-Placed_v2", 3)).hasToString("shop.Order-Placed_v2@3");
  }

  @Test
  void a_tag_function_derives_checked_sorted_tags_from_the_payload() {
    EventTypes types = EventTypes.builder()
        .register(OrderPlaced.class, "OrderPlaced", 1, e -> java.util.List.of("order:" + e.id(), "all-orders",
            "order:" + e.id()))
        .register(OrderShipped.class, "OrderShipped", 1)
        .build();
    assertThat(types.hasTagFunctions()).isTrue();
    assertThat(types.tagsOf(new OrderPlaced("o1"))).containsExactly("all-orders", "order:o1");
    assertThat(types.tagsOf(new OrderShipped("o1"))).isEmpty();
    assertThat(types.typeOf(OrderPlaced.class)).isEqualTo(EventType.of("OrderPlaced", 1));
    assertThat(EventTypes.builder().register(OrderShipped.class).build().hasTagFunctions()).isFalse();
  }

  @Test
  void a_tag_function_that_returns_null_or_a_malformed_tag_is_named_in_the_message() {
    EventTypes types = EventTypes.builder()
        .register(OrderPlaced.class, "OrderPlaced", 1, e -> e.id().equals("null") ? null : java.util.Set.of(e.id()))
        .build();
    assertThatThrownBy(() -> types.tagsOf(new OrderPlaced("null"))).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("tag function of event type 'OrderPlaced' returned null");
    assertThatThrownBy(() -> types.tagsOf(new OrderPlaced("x\udc00"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tag function of event type 'OrderPlaced'")
        .hasMessageContaining("unpaired surrogate at index 1");
    assertThatThrownBy(() -> types.tagsOf(new OrderShipped("o1"))).isInstanceOf(UnknownEventTypeException.class);
    assertThatThrownBy(() -> EventTypes.builder().register(OrderPlaced.class, "OrderPlaced", 1, null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("tags");
  }
}
