package dev.cqrs.test.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Metadata;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.UnknownEventTypeException;
import dev.cqrs.test.contract.ContractEvents.Happened;
import dev.cqrs.test.contract.ContractEvents.Noted;
import dev.cqrs.test.contract.ContractEvents.Unregistered;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Contract: bad input gets an exception that says what was wrong and where, and nothing is written.
 */
public abstract class BadInputContract extends EventStoreContractSupport {

  /** Creates the suite. */
  protected BadInputContract() {
  }

  /**
   * Returns a store over the same stored events as {@code store} that reads with another registry, as an application
   * restarted with changed event classes would.
   *
   * @param store the store under test
   * @param types the other registry
   * @return a store sharing {@code store}'s events
   */
  protected abstract EventStore sameEventsWithTypes(EventStore store, EventTypes types);

  /** Every test here must leave the store as it found it. */
  @AfterEach
  void nothingWasWritten() {
    if (!expectWrites) {
      assertThat(store.head()).as("head after rejected input").isEqualTo(startHead);
    }
  }

  private boolean expectWrites;

  @Test
  void rejects_a_null_stream_id() {
    assertRejected(() -> store.append(null, ExpectedVersion.any(), happened("t", 1, 1)),
        NullPointerException.class, "streamId");
    assertRejected(() -> store.readStream(null, 1), NullPointerException.class, "streamId");
  }

  @Test
  void rejects_blank_stream_ids() {
    for (String blank : List.of("", " ", "\t\n")) {
      assertRejected(() -> store.append(blank, ExpectedVersion.any(), happened("t", 1, 1)),
          IllegalArgumentException.class, "streamId must not be blank");
      assertRejected(() -> store.readStream(blank), IllegalArgumentException.class, "streamId must not be blank");
    }
  }

  @Test
  void rejects_an_oversized_stream_id() {
    String huge = "s".repeat(EventStore.MAX_STREAM_ID_LENGTH + 1);
    assertRejected(() -> store.append(huge, ExpectedVersion.any(), happened("t", 1, 1)),
        IllegalArgumentException.class, "at most " + EventStore.MAX_STREAM_ID_LENGTH);
    String longest = uniqueStream("s").concat("x".repeat(EventStore.MAX_STREAM_ID_LENGTH - 38));
    expectWrites = true;
    store.append(longest, ExpectedVersion.any(), happened("t", 1, 1));
    assertThat(store.readStream(longest)).hasSize(1);
  }

  @Test
  void rejects_a_stream_id_with_control_characters() {
    assertRejected(() -> store.append("order\u0000-1", ExpectedVersion.any(), happened("t", 1, 1)),
        IllegalArgumentException.class, "control characters");
  }

  @Test
  void rejects_a_stream_id_with_an_unpaired_surrogate_which_no_database_stores_as_it_is() {
    assertRejected(() -> store.append("order-\uD800", ExpectedVersion.any(), happened("t", 1, 1)),
        IllegalArgumentException.class, "unpaired surrogate");
    assertRejected(() -> store.append("order-\uDC00x", ExpectedVersion.any(), happened("t", 1, 1)),
        IllegalArgumentException.class, "index 6");
  }

  @Test
  void stores_a_stream_id_and_a_header_with_characters_outside_the_basic_plane() {
    expectWrites = true;
    String emoji = "order-\uD83D\uDE00-" + UUID.randomUUID();
    NewEvent event = NewEvent.of(new Happened("t", 1), Metadata.create().withHeader("mood",
        "\uD83D\uDE00"));
    store.append(emoji, ExpectedVersion.noStream(), List.of(event));
    assertThat(store.readStream(emoji)).singleElement().satisfies(e -> {
      assertThat(e.streamId()).isEqualTo(emoji);
      assertThat(e.metadata().header("mood")).contains("\uD83D\uDE00");
    });
  }

  @Test
  void stores_sql_and_unicode_in_stream_ids_as_plain_text() {
    expectWrites = true;
    String sql = "x'); DROP TABLE events; --" + UUID.randomUUID();
    String unicode = "заказ-✓-" + UUID.randomUUID();
    store.append(sql, ExpectedVersion.noStream(), happened("t", 1, 1));
    store.append(unicode, ExpectedVersion.noStream(), happened("t", 1, 2));
    assertThat(store.readStream(sql)).hasSize(1).allSatisfy(e -> assertThat(e.streamId()).isEqualTo(sql));
    assertThat(store.readStream(unicode)).hasSize(2).allSatisfy(e -> assertThat(e.streamId()).isEqualTo(unicode));
  }

  @Test
  void rejects_a_null_expected_version() {
    assertRejected(() -> store.append(uniqueStream("s"), null, happened("t", 1, 1)),
        NullPointerException.class, "expectedVersion");
  }

  @Test
  void rejects_a_null_or_empty_event_list() {
    String stream = uniqueStream("empty");
    assertRejected(() -> store.append(stream, ExpectedVersion.any(), (List<NewEvent>) null),
        NullPointerException.class, "events");
    assertRejected(() -> store.append(stream, ExpectedVersion.any(), List.of()),
        IllegalArgumentException.class, "at least one event");
    assertRejected(() -> store.append(stream, ExpectedVersion.any(), new Event[0]),
        IllegalArgumentException.class, "at least one event");
  }

  @Test
  void rejects_a_null_event_and_names_its_index() {
    String stream = uniqueStream("null-event");
    List<NewEvent> withNull = new ArrayList<>(happened("t", 1, 2));
    withNull.add(null);
    assertRejected(() -> store.append(stream, ExpectedVersion.any(), withNull),
        NullPointerException.class, "event 2");
    assertRejected(() -> store.append(stream, ExpectedVersion.any(), new Happened("t", 1), null),
        NullPointerException.class, "event 1");
  }

  @Test
  void rejects_a_null_payload_id_or_metadata() {
    assertThatThrownBy(() -> new NewEvent(UUID.randomUUID(), null, Metadata.create()))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("payload");
    assertThatThrownBy(() -> new NewEvent(null, new Noted("n"), Metadata.create()))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("eventId");
    assertThatThrownBy(() -> new NewEvent(UUID.randomUUID(), new Noted("n"), null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("metadata");
  }

  @Test
  void rejects_an_unregistered_event_class() {
    assertRejected(() -> store.append(uniqueStream("s"), ExpectedVersion.any(), new Unregistered("u")),
        UnknownEventTypeException.class, Unregistered.class.getName());
  }

  @Test
  void rejects_reading_a_stored_type_name_that_the_registry_lacks() {
    expectWrites = true;
    String stream = uniqueStream("unknown-on-read");
    store.append(stream, ExpectedVersion.noStream(), new Happened("t", 1), new Noted("n"));
    EventStore reader = sameEventsWithTypes(store, ContractEvents.WITHOUT_NOTED);

    assertThatThrownBy(() -> reader.readStream(stream))
        .isInstanceOf(UnknownEventTypeException.class)
        .hasMessageContaining("'Noted'")
        .hasMessageContaining(stream)
        .hasMessageContaining("version 2")
        .satisfies(e -> assertThat(((UnknownEventTypeException) e).typeName()).isEqualTo("Noted"));
    assertThatThrownBy(() -> reader.readAll(startHead, 10))
        .isInstanceOf(UnknownEventTypeException.class)
        .hasMessageContaining("'Noted'")
        .hasMessageContaining("position");
    assertThat(store.readStream(stream)).as("the same events with the full registry").hasSize(2);
  }

  @Test
  void rejects_a_version_below_one_when_reading_a_stream() {
    assertRejected(() -> store.readStream(uniqueStream("s"), 0), IllegalArgumentException.class, "fromVersion");
    assertRejected(() -> store.readStream(uniqueStream("s"), -5), IllegalArgumentException.class, "-5");
  }

  @Test
  void rejects_read_all_limits_out_of_range_and_a_null_position() {
    for (int limit : Arrays.asList(0, -1, EventStore.MAX_READ_LIMIT + 1)) {
      assertRejected(() -> store.readAll(Position.START, limit), IllegalArgumentException.class,
          "limit must be between 1 and " + EventStore.MAX_READ_LIMIT + ", but was " + limit);
    }
    assertRejected(() -> store.readAll(null, 10), NullPointerException.class, "after");
  }

  @Test
  void rejects_feed_batch_sizes_out_of_range_and_a_null_position() {
    for (int batchSize : Arrays.asList(0, -1, EventStore.MAX_READ_LIMIT + 1)) {
      assertRejected(() -> store.openFeed(Position.START, batchSize), IllegalArgumentException.class,
          "between 1 and " + EventStore.MAX_READ_LIMIT + ", but was " + batchSize);
    }
    assertRejected(() -> store.openFeed(null, 10), NullPointerException.class, "after");
  }

  @Test
  void rejects_a_null_wake_up_listener() {
    assertRejected(() -> store.onAppend(null), NullPointerException.class, "listener");
  }

  private void assertRejected(ThrowingCallable call, Class<? extends Throwable> type, String messagePart) {
    assertThatThrownBy(call).isInstanceOf(type).hasMessageContaining(messagePart);
  }
}
