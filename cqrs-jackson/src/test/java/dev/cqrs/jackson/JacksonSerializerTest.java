package dev.cqrs.jackson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventType;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.SerializationException;
import dev.cqrs.core.serialization.EventCodec;
import dev.cqrs.core.serialization.SerializedEvent;
import dev.cqrs.core.serialization.UpcasterChain;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JacksonSerializerTest {

  record Line(String sku, int quantity, BigDecimal price) {
  }

  /** Revision 3: revision 1 had "client" instead of "customer"; revision 2 had one "name" for "first" and "last". */
  record OrderPlaced(String orderId, String customer, String first, String last, Instant at, LocalDate day,
                     List<Line> lines, Optional<String> note, long total) implements Event {
  }

  record Simple(String text) implements Event {
  }

  private final EventTypes types = EventTypes.builder()
      .register(OrderPlaced.class, "OrderPlaced", 3)
      .register(Simple.class, "Simple", 1)
      .build();
  private final JacksonSerializer serializer = JacksonSerializer.create();
  private final EventCodec codec = EventCodec.of(types, serializer, UpcasterChain.of(List.of(
      JsonUpcaster.of("OrderPlaced", 1, json -> {
        json.set("customer", json.remove("client"));
        return json;
      }),
      JsonUpcaster.of("OrderPlaced", 2, json -> {
        String[] name = json.remove("name").asText().split(" ", 2);
        json.put("first", name[0]).put("last", name[1]);
        json.put("total", Long.parseLong(json.remove("total").asText()));
        return json;
      }))));

  private final OrderPlaced placed = new OrderPlaced("42", "alice", "Ada", "Lovelace",
      Instant.parse("2026-11-26T10:15:30.123456Z"), LocalDate.parse("2026-11-26"),
      List.of(new Line("book", 2, new BigDecimal("12.50"))), Optional.of("gift"), 25);

  @Test
  void round_trips_records_with_time_decimals_lists_and_optionals() {
    SerializedEvent stored = codec.encode(placed, "stream 'order-42'");

    assertThat(stored.type()).isEqualTo(EventType.of("OrderPlaced", 3));
    assertThat(stored.text()).contains("\"at\":\"2026-11-26T10:15:30.123456Z\"").contains("\"day\":\"2026-11-26\"")
        .doesNotContain("@class").doesNotContain(OrderPlaced.class.getName());
    assertThat(codec.decode(stored, "here").event()).isEqualTo(placed);
  }

  @Test
  void upcasts_a_renamed_field_a_split_field_and_a_changed_type_from_revision_one() {
    String revisionOne = "{\"orderId\":\"42\",\"client\":\"alice\",\"name\":\"Ada Lovelace\","
        + "\"at\":\"2026-11-26T10:15:30.123456Z\",\"day\":\"2026-11-26\","
        + "\"lines\":[{\"sku\":\"book\",\"quantity\":2,\"price\":12.50}],\"note\":\"gift\",\"total\":\"25\"}";

    Event decoded = codec.decode(SerializedEvent.ofText(EventType.of("OrderPlaced", 1), revisionOne), "x").event();

    assertThat(decoded).isEqualTo(placed);
  }

  @Test
  void an_undecodable_payload_names_the_type_and_the_place() {
    assertThatThrownBy(() -> codec.decode(SerializedEvent.ofText(EventType.of("Simple", 1), "{not json"),
        "stream 'order-1' version 3 position 0/7"))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Simple@1")
        .hasMessageContaining("stream 'order-1' version 3 position 0/7")
        .hasMessageContaining(Simple.class.getName());
    assertThatThrownBy(() -> codec.decode(SerializedEvent.ofText(EventType.of("Simple", 1), "null"), "x"))
        .isInstanceOf(SerializationException.class).hasMessageContaining("JSON null");
  }

  @Test
  void a_payload_cannot_name_a_class_to_create() {
    String hostile = "{\"@class\":\"java.lang.ProcessBuilder\",\"text\":\"rm -rf /\"}";
    assertThatThrownBy(() -> codec.decode(SerializedEvent.ofText(EventType.of("Simple", 1), hostile), "x"))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("@class");
    String wrapped = "[\"java.lang.ProcessBuilder\",{\"command\":[\"id\"]}]";
    assertThatThrownBy(() -> codec.decode(SerializedEvent.ofText(EventType.of("Simple", 1), wrapped), "x"))
        .isInstanceOf(SerializationException.class);
  }

  @Test
  void an_older_reader_reads_an_event_with_a_newly_added_property_unless_strict() {
    String newer = "{\"text\":\"x\",\"addedLater\":{\"nested\":[1,2]},\"alsoNew\":5}";
    assertThat(codec.decode(SerializedEvent.ofText(EventType.of("Simple", 1), newer), "x").event())
        .isEqualTo(new Simple("x"));
    JacksonSerializer strict = JacksonSerializer.strict();
    assertThatThrownBy(() -> strict.deserialize(newer.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        Simple.class)).hasMessageContaining("addedLater");
    for (JacksonSerializer each : List.of(serializer, strict)) {
      assertThatThrownBy(() -> each.deserialize("{\"@type\":\"x\",\"text\":\"y\"}"
          .getBytes(java.nio.charset.StandardCharsets.UTF_8), Simple.class)).hasMessageContaining("@type");
    }
  }

  @Test
  void a_missing_primitive_is_an_error_not_a_silent_zero() {
    String missingTotal = "{\"orderId\":\"42\",\"customer\":\"a\",\"first\":\"A\",\"last\":\"B\","
        + "\"at\":\"2026-11-26T10:15:30Z\",\"day\":\"2026-11-26\",\"lines\":[],\"note\":null,\"total\":null}";
    assertThatThrownBy(() -> codec.decode(SerializedEvent.ofText(EventType.of("OrderPlaced", 3), missingTotal), "x"))
        .isInstanceOf(SerializationException.class).hasMessageContaining("total");
  }

  @Test
  void a_json_upcaster_rejects_a_stored_value_that_is_not_an_object() {
    assertThatThrownBy(() -> codec.decode(SerializedEvent.ofText(EventType.of("OrderPlaced", 1), "[1,2]"), "x"))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not a JSON object");
  }

  @Test
  void serializes_snapshot_states() {
    Map<String, Integer> state = Map.of("a", 1);
    record Counter(String name, Map<String, Integer> counts, Instant at) {
    }
    Counter counter = new Counter("c", state, Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(serializer.deserializeState(serializer.serializeState(counter), Counter.class)).isEqualTo(counter);
  }

  @Test
  void a_custom_mapper_can_be_used() {
    JacksonSerializer custom = JacksonSerializer.create(JacksonSerializer.defaultMapper());
    assertThat(custom.deserialize(custom.serialize(new Simple("x")), Simple.class)).isEqualTo(new Simple("x"));
    assertThatThrownBy(() -> JacksonSerializer.create(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void upcasting_json_that_changes_shape_keeps_other_fields() {
    ObjectNode json = JacksonSerializer.defaultMapper().createObjectNode().put("client", "bob").put("keep", 1);
    SerializedEvent upcast = JsonUpcaster.of("OrderPlaced", 1, node -> {
      node.set("customer", node.remove("client"));
      return node;
    }).upcast(SerializedEvent.ofText(EventType.of("OrderPlaced", 1), json.toString()));
    assertThat(upcast.type()).isEqualTo(EventType.of("OrderPlaced", 2));
    assertThat(upcast.text()).isEqualTo("{\"keep\":1,\"customer\":\"bob\"}");
  }
}
