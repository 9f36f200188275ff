package dev.cqrs.core.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventType;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.SerializationException;
import dev.cqrs.core.UnknownEventTypeException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventCodecTest {

  /** Revision 3 of Greeted; revision 1 stored only the name, revision 2 stored "name;times". */
  record Greeted(String name, int times) implements Event {
  }

  record Other(String x) implements Event {
  }

  /** Stores Greeted at revision 3 as "times;name". */
  static final class GreetedSerializer implements EventSerializer {
    @Override
    public byte[] serialize(Event event) {
      if (!(event instanceof Greeted greeted)) {
        throw new IllegalArgumentException("cannot write " + event.getClass().getSimpleName());
      }
      return (greeted.times() + ";" + greeted.name()).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public <E extends Event> E deserialize(byte[] data, Class<E> type) {
      String[] parts = new String(data, StandardCharsets.UTF_8).split(";", -1);
      return type.cast(new Greeted(parts[1], Integer.parseInt(parts[0])));
    }
  }

  private static final Upcaster ADD_TIMES = Upcaster.of("Greeted", 1,
      old -> SerializedEvent.ofText(EventType.of("Greeted", 2), old.text() + ";1"));
  private static final Upcaster SWAP_FIELDS = Upcaster.of("Greeted", 2, old -> {
    String[] parts = old.text().split(";");
    return SerializedEvent.ofText(EventType.of("Greeted", 3), parts[1] + ";" + parts[0]);
  });

  private final EventTypes types = EventTypes.builder().register(Greeted.class, "Greeted", 3).build();
  private final EventCodec codec = EventCodec.of(types, new GreetedSerializer(),
      UpcasterChain.of(List.of(SWAP_FIELDS, ADD_TIMES)));

  @Test
  void encodes_under_the_registered_name_and_revision() {
    SerializedEvent stored = codec.encode(new Greeted("Ada", 2), "stream 's'");
    assertThat(stored.type()).isEqualTo(EventType.of("Greeted", 3));
    assertThat(stored.text()).isEqualTo("2;Ada");
    assertThat(codec.decode(stored, "here").event()).isEqualTo(new Greeted("Ada", 2));
  }

  @Test
  void upcasts_old_revisions_step_by_step_before_decoding() {
    EventCodec.DecodedEvent fromOne = codec.decode(SerializedEvent.ofText(EventType.of("Greeted", 1), "Ada"), "x");
    EventCodec.DecodedEvent fromTwo = codec.decode(SerializedEvent.ofText(EventType.of("Greeted", 2), "Bo;4"), "x");

    assertThat(fromOne.event()).isEqualTo(new Greeted("Ada", 1));
    assertThat(fromOne.type()).isEqualTo(EventType.of("Greeted", 3));
    assertThat(fromTwo.event()).isEqualTo(new Greeted("Bo", 4));
  }

  @Test
  void names_the_type_and_place_of_an_unknown_stored_type() {
    assertThatThrownBy(() -> codec.decode(SerializedEvent.ofText(EventType.of("Vanished", 1), "?"),
        "stream 'order-1' version 3 position 0/7"))
        .isInstanceOf(UnknownEventTypeException.class)
        .hasMessageContaining("'Vanished'")
        .hasMessageContaining("stream 'order-1' version 3 position 0/7");
  }

  @Test
  void names_the_type_and_place_of_an_undecodable_payload() {
    assertThatThrownBy(() -> codec.decode(SerializedEvent.ofText(EventType.of("Greeted", 3), "not-a-number;Ada"),
        "stream 'g' version 1"))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Greeted@3")
        .hasMessageContaining("stream 'g' version 1")
        .hasRootCauseInstanceOf(NumberFormatException.class);
  }

  @Test
  void reports_a_missing_upcaster_or_a_stored_revision_newer_than_the_registered_one() {
    EventCodec withoutUpcasters = EventCodec.of(types, new GreetedSerializer(), UpcasterChain.empty());
    assertThatThrownBy(() -> withoutUpcasters.decode(SerializedEvent.ofText(EventType.of("Greeted", 1), "Ada"), "x"))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("no upcaster converts Greeted@1 to revision 2");
    assertThatThrownBy(() -> codec.decode(SerializedEvent.ofText(EventType.of("Greeted", 4), "1;Ada"), "x"))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("newer revision than the registered Greeted@3");
  }

  @Test
  void rejects_an_upcaster_that_skips_a_revision_and_two_upcasters_for_one_step() {
    Upcaster skipping = Upcaster.of("Greeted", 1, old -> SerializedEvent.ofText(EventType.of("Greeted", 3), "1;x"));
    EventCodec broken = EventCodec.of(types, new GreetedSerializer(), UpcasterChain.of(List.of(skipping)));
    assertThatThrownBy(() -> broken.decode(SerializedEvent.ofText(EventType.of("Greeted", 1), "Ada"), "x"))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("returned Greeted@3 instead of Greeted@2");
    assertThatThrownBy(() -> UpcasterChain.of(List.of(ADD_TIMES, ADD_TIMES)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two upcasters convert Greeted from revision 1");
  }

  @Test
  void encoding_an_unregistered_class_or_a_failing_serializer_is_reported() {
    assertThatThrownBy(() -> codec.encode(new Other("x"), "stream 's'"))
        .isInstanceOf(UnknownEventTypeException.class)
        .hasMessageContaining(Other.class.getName());
    EventTypes both = EventTypes.builder().register(Greeted.class, "Greeted", 3).register(Other.class).build();
    EventCodec failing = EventCodec.of(both, new GreetedSerializer(), UpcasterChain.empty());
    assertThatThrownBy(() -> failing.encode(new Other("x"), "stream 's'"))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Other@1")
        .hasMessageContaining("stream 's'");
  }

  @Test
  void serialized_events_copy_their_bytes_and_compare_by_content() {
    byte[] data = "1;Ada".getBytes(StandardCharsets.UTF_8);
    SerializedEvent event = new SerializedEvent(EventType.of("Greeted", 3), data);
    data[0] = 'X';
    event.data()[0] = 'Y';
    assertThat(event.text()).isEqualTo("1;Ada");
    assertThat(event).isEqualTo(SerializedEvent.ofText(EventType.of("Greeted", 3), "1;Ada"));
    assertThat(event.hashCode()).isEqualTo(SerializedEvent.ofText(EventType.of("Greeted", 3), "1;Ada").hashCode());
    assertThat(event).hasToString("SerializedEvent[Greeted@3, 5 bytes]");
  }
}
