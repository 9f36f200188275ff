package dev.cqrs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MetadataTest {

  private final Clock clock = Clock.fixed(Instant.parse("2026-11-26T10:15:30Z"), ZoneOffset.UTC);

  @Test
  void rejects_headers_with_an_unpaired_surrogate_in_name_or_value() {
    Metadata metadata = Metadata.create();
    assertThatThrownBy(() -> metadata.withHeader("k", "v\uD800"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unpaired surrogate")
        .hasMessageContaining("value has one at index 1").hasMessageContaining("v\\uD800");
    assertThatThrownBy(() -> metadata.withHeader("k\uDC00", "v"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name has one at index 1");
    assertThat(metadata.withHeader("k", "\uD83D\uDE00").header("k")).contains("\uD83D\uDE00");
  }

  @Test
  void a_new_chain_is_its_own_correlation_and_cause() {
    Metadata metadata = Metadata.create(clock);
    assertThat(metadata.correlationId()).isEqualTo(metadata.messageId());
    assertThat(metadata.causationId()).isEqualTo(metadata.messageId());
    assertThat(metadata.timestamp()).isEqualTo(clock.instant());
    assertThat(metadata.headers()).isEmpty();
  }

  @Test
  void a_caused_message_keeps_the_correlation_and_names_its_cause() {
    Metadata command = Metadata.create(clock).withHeader("user", "alice");
    Metadata event = Metadata.causedBy(command, clock);
    Metadata next = Metadata.causedBy(event, clock);

    assertThat(event.messageId()).isNotEqualTo(command.messageId());
    assertThat(event.causationId()).isEqualTo(command.messageId());
    assertThat(event.correlationId()).isEqualTo(command.messageId());
    assertThat(event.header("user")).contains("alice");
    assertThat(next.causationId()).isEqualTo(event.messageId());
    assertThat(next.correlationId()).isEqualTo(command.correlationId());
  }

  @Test
  void headers_are_an_immutable_copy() {
    Map<String, String> headers = new HashMap<>(Map.of("a", "1"));
    Metadata metadata = new Metadata(UUID.randomUUID(), Instant.EPOCH, UUID.randomUUID(), UUID.randomUUID(), headers);
    headers.put("b", "2");

    assertThat(metadata.headers()).containsOnlyKeys("a");
    assertThatThrownBy(() -> metadata.headers().put("c", "3")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(metadata.withHeader("b", "2").headers()).containsOnlyKeys("a", "b");
    assertThat(metadata.headers()).containsOnlyKeys("a");
  }

  @Test
  void rejects_bad_headers_with_a_message_naming_the_problem() {
    Metadata metadata = Metadata.create();
    assertThatThrownBy(() -> metadata.withHeader(" ", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header name must not be blank");
    assertThatThrownBy(() -> metadata.withHeader("h".repeat(Metadata.MAX_HEADER_NAME_LENGTH + 1), "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 128 characters");
    assertThatThrownBy(() -> metadata.withHeader("big", "v".repeat(Metadata.MAX_HEADER_VALUE_LENGTH + 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("value of header 'big'");
    assertThatThrownBy(() -> metadata.withHeader("nothing", null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("value of header 'nothing'");
    Map<String, String> tooMany = new HashMap<>();
    for (int i = 0; i <= Metadata.MAX_HEADERS; i++) {
      tooMany.put("h" + i, "v");
    }
    assertThatThrownBy(() -> new Metadata(UUID.randomUUID(), Instant.EPOCH, UUID.randomUUID(), UUID.randomUUID(),
        tooMany)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 64 entries");
  }

  @Test
  void rejects_missing_ids_naming_them() {
    UUID id = UUID.randomUUID();
    assertThatThrownBy(() -> new Metadata(null, Instant.EPOCH, id, id, Map.of())).hasMessageContaining("messageId");
    assertThatThrownBy(() -> new Metadata(id, null, id, id, Map.of())).hasMessageContaining("timestamp");
    assertThatThrownBy(() -> new Metadata(id, Instant.EPOCH, null, id, Map.of())).hasMessageContaining("correlation");
    assertThatThrownBy(() -> new Metadata(id, Instant.EPOCH, id, null, Map.of())).hasMessageContaining("causation");
    assertThatThrownBy(() -> Metadata.causedBy(null)).hasMessageContaining("cause");
  }

  @Test
  void message_ids_are_unique_time_ordered_version_7_uuids() {
    Set<UUID> ids = new HashSet<>();
    long previousMillis = 0;
    for (int i = 0; i < 100_000; i++) {
      UUID id = Metadata.create().messageId();
      assertThat(id.version()).isEqualTo(7);
      assertThat(id.variant()).isEqualTo(2);
      long millis = id.getMostSignificantBits() >>> 16;
      assertThat(millis).isGreaterThanOrEqualTo(previousMillis);
      previousMillis = millis;
      ids.add(id);
    }
    assertThat(ids).hasSize(100_000);
    assertThat(previousMillis).isCloseTo(System.currentTimeMillis(), offset(60_000L));
  }
}
