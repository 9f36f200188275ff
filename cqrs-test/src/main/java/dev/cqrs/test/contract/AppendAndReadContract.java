package dev.cqrs.test.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.AppendResult;
import dev.cqrs.core.EventFeed;
import dev.cqrs.core.EventType;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Metadata;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.Registration;
import dev.cqrs.test.contract.ContractEvents.Happened;
import dev.cqrs.test.contract.ContractEvents.Noted;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Contract: what is appended is read back, per stream and in the global order, with its metadata, type and versions.
 */
public abstract class AppendAndReadContract extends EventStoreContractSupport {

  /** Creates the suite. */
  protected AppendAndReadContract() {
  }

  @Test
  void reads_back_a_stream_in_version_order_with_payloads_and_ids() {
    String stream = uniqueStream("round-trip");
    List<NewEvent> events = happened("t", 1, 5);

    store.append(stream, ExpectedVersion.noStream(), events);

    List<RecordedEvent> read = store.readStream(stream);
    assertThat(read).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(read).extracting(RecordedEvent::eventId).containsExactlyElementsOf(newIds(events));
    assertThat(read).extracting(RecordedEvent::payload)
        .containsExactly(new Happened("t", 1), new Happened("t", 2), new Happened("t", 3), new Happened("t", 4),
            new Happened("t", 5));
    assertThat(read).extracting(RecordedEvent::streamId).containsOnly(stream);
  }

  @Test
  void reads_an_event_by_its_id() {
    String stream = uniqueStream("by-id");
    AppendResult result = store.append(stream, ExpectedVersion.noStream(), happened("t", 1, 3));

    for (RecordedEvent event : result.events()) {
      assertThat(store.readEvent(event.eventId())).contains(event);
    }
    assertThat(store.readEvent(java.util.UUID.randomUUID())).isEmpty();
  }

  @Test
  void append_result_matches_what_is_read_back() {
    String stream = uniqueStream("result");
    AppendResult result = store.append(stream, ExpectedVersion.noStream(), happened("t", 1, 3));

    assertThat(result.streamId()).isEqualTo(stream);
    assertThat(result.lastVersion()).isEqualTo(3);
    assertThat(result.events()).containsExactlyElementsOf(store.readStream(stream));
    assertThat(result.lastPosition()).isEqualTo(store.head());
  }

  @Test
  void keeps_versions_without_holes_across_appends() {
    String stream = uniqueStream("versions");
    long expected = 0;
    for (int batch = 1; batch <= 6; batch++) {
      AppendResult result = store.append(stream, ExpectedVersion.exactly(expected), happened("t", expected, batch));
      assertThat(result.events()).extracting(RecordedEvent::version)
          .containsExactlyElementsOf(range(expected + 1, expected + batch));
      expected += batch;
    }
    assertThat(store.readStream(stream)).extracting(RecordedEvent::version)
        .containsExactlyElementsOf(range(1, expected));
  }

  @Test
  void reads_a_stream_from_a_version_on() {
    String stream = uniqueStream("from-version");
    store.append(stream, ExpectedVersion.noStream(), happened("t", 1, 10));

    assertThat(store.readStream(stream, 7)).extracting(RecordedEvent::version).containsExactly(7L, 8L, 9L, 10L);
    assertThat(store.readStream(stream, 10)).extracting(RecordedEvent::version).containsExactly(10L);
    assertThat(store.readStream(stream, 11)).isEmpty();
  }

  @Test
  void reads_an_unknown_stream_as_empty() {
    assertThat(store.readStream(uniqueStream("missing"))).isEmpty();
  }

  @Test
  void keeps_streams_apart() {
    String first = uniqueStream("first");
    String second = uniqueStream("second");
    store.append(first, ExpectedVersion.noStream(), happened("first", 1, 2));
    store.append(second, ExpectedVersion.noStream(), happened("second", 1, 3));
    store.append(first, ExpectedVersion.exactly(2), happened("first", 3, 1));

    assertThat(store.readStream(first)).extracting(e -> ((Happened) e.payload()).source()).containsOnly("first");
    assertThat(store.readStream(first)).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L);
    assertThat(store.readStream(second)).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L);
  }

  @Test
  void preserves_metadata_exactly() {
    String stream = uniqueStream("metadata");
    UUID correlation = UUID.randomUUID();
    UUID causation = UUID.randomUUID();
    Instant timestamp = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Metadata metadata = new Metadata(UUID.randomUUID(), timestamp, correlation, causation,
        Map.of("user", "alice", "tenant", "acme", "unicode", "grüße ✓"));
    UUID eventId = UUID.randomUUID();

    store.append(stream, ExpectedVersion.any(), List.of(new NewEvent(eventId, new Noted("hello"), metadata)));

    RecordedEvent read = store.readStream(stream).get(0);
    assertThat(read.metadata()).isEqualTo(metadata);
    assertThat(read.metadata().header("unicode")).contains("grüße ✓");
    assertThat(read.eventId()).isEqualTo(eventId);
  }

  @Test
  void records_the_registered_type_name_and_revision_not_the_class_name() {
    String stream = uniqueStream("types");
    store.append(stream, ExpectedVersion.any(), new Noted("n"), new Happened("h", 1));

    List<RecordedEvent> read = store.readStream(stream);
    assertThat(read).extracting(RecordedEvent::type)
        .containsExactly(EventType.of("Noted", 3), EventType.of("Happened", 1));
    assertThat(read.get(0).payloadAs(Noted.class).text()).isEqualTo("n");
  }

  @Test
  void reads_all_in_append_order_with_increasing_positions() {
    List<UUID> appended = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String stream = uniqueStream("all-" + (i % 3));
      List<NewEvent> events = happened("t", i, 1 + i % 4);
      store.append(stream, ExpectedVersion.any(), events);
      appended.addAll(newIds(events));
    }

    List<RecordedEvent> all = readAllSinceStart();
    assertThat(ids(all)).containsExactlyElementsOf(appended);
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).position().isAfter(all.get(i - 1).position()))
          .as("position of event %d (%s) is after that of event %d (%s)", i, all.get(i).position(), i - 1,
              all.get(i - 1).position())
          .isTrue();
    }
    assertThat(all.get(0).position().isAfter(startHead)).isTrue();
  }

  @Test
  void pages_through_read_all_by_limit_and_position() {
    String stream = uniqueStream("pages");
    store.append(stream, ExpectedVersion.noStream(), happened("t", 1, 25));

    List<RecordedEvent> paged = new ArrayList<>();
    Position after = startHead;
    List<RecordedEvent> page;
    int pages = 0;
    do {
      page = store.readAll(after, 7);
      assertThat(page.size()).isLessThanOrEqualTo(7);
      paged.addAll(page);
      if (!page.isEmpty()) {
        after = page.get(page.size() - 1).position();
      }
      pages++;
    } while (!page.isEmpty());

    assertThat(pages).isEqualTo(5);
    assertThat(paged).containsExactlyElementsOf(store.readAll(startHead, 1000));
    assertThat(paged).extracting(RecordedEvent::version).containsExactlyElementsOf(range(1, 25));
  }

  @Test
  void a_feed_returns_every_event_as_read_all_does_in_full_batches_then_follows_new_appends() {
    List<RecordedEvent> appended = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      appended.addAll(store.append(uniqueStream("feed"), ExpectedVersion.noStream(), happened("f" + i, 1, 25))
          .events());
    }
    List<RecordedEvent> expected = readAllSinceStart();
    assertThat(ids(expected)).containsExactlyElementsOf(ids(appended));

    try (EventFeed feed = store.openFeed(startHead, 64)) {
      List<RecordedEvent> fed = new ArrayList<>();
      List<RecordedEvent> batch;
      while (!(batch = feed.next()).isEmpty()) {
        int remaining = expected.size() - fed.size();
        assertThat(batch).hasSize(Math.min(64, remaining));
        fed.addAll(batch);
        assertThat(feed.position()).isEqualTo(batch.get(batch.size() - 1).position());
      }
      assertThat(fed).containsExactlyElementsOf(expected);
      assertThat(feed.position()).isEqualTo(expected.get(expected.size() - 1).position());

      AppendResult more = store.append(uniqueStream("feed-more"), ExpectedVersion.noStream(), happened("m", 1, 3));
      List<RecordedEvent> followed = new ArrayList<>();
      awaitCondition("the feed reads the new events", Duration.ofSeconds(10), () -> {
        followed.addAll(feed.next());
        return followed.size() >= 3;
      });
      assertThat(followed).containsExactlyElementsOf(more.events());
    }
  }

  @Test
  void a_feed_opened_at_a_position_starts_after_it() {
    List<RecordedEvent> events = store.append(uniqueStream("feed-at"), ExpectedVersion.noStream(),
        happened("a", 1, 10)).events();

    try (EventFeed feed = store.openFeed(events.get(3).position(), 4)) {
      assertThat(feed.position()).isEqualTo(events.get(3).position());
      assertThat(feed.next()).containsExactlyElementsOf(events.subList(4, 8));
      assertThat(feed.next()).containsExactlyElementsOf(events.subList(8, 10));
      assertThat(feed.next()).isEmpty();
      assertThat(feed.position()).isEqualTo(events.get(9).position());
    }
  }

  @Test
  void read_all_after_the_head_is_empty_and_the_head_follows_appends() {
    assertThat(store.readAll(store.head(), 10)).isEmpty();
    AppendResult result = store.append(uniqueStream("head"), ExpectedVersion.any(), happened("t", 1, 2));

    assertThat(store.head()).isEqualTo(result.lastPosition());
    assertThat(store.readAll(store.head(), 10)).isEmpty();
    assertThat(store.readAll(startHead, 10)).hasSize(2);
  }

  @Test
  void counts_the_events_after_a_position() {
    assertThat(store.countAfter(store.head())).isZero();
    AppendResult first = store.append(uniqueStream("count"), ExpectedVersion.any(), happened("t", 1, 3));
    store.append(uniqueStream("count"), ExpectedVersion.any(), happened("t", 4, 4));

    assertThat(store.countAfter(startHead)).isEqualTo(7);
    assertThat(store.countAfter(first.events().get(0).position())).isEqualTo(6);
    assertThat(store.countAfter(first.lastPosition())).isEqualTo(4);
    assertThat(store.countAfter(store.head())).isZero();
  }

  @Test
  void wakes_up_listeners_after_appends_until_closed() {
    AtomicInteger hints = new AtomicInteger();
    List<Integer> visibleAtHint = new ArrayList<>();
    String stream = uniqueStream("wake");
    Registration registration = store.onAppend(() -> {
      hints.incrementAndGet();
      synchronized (visibleAtHint) {
        visibleAtHint.add(store.readStream(stream).size());
      }
    });

    store.append(stream, ExpectedVersion.any(), happened("t", 1, 1));
    // Hints may also come without a new event; what counts is that one comes once the event is visible.
    awaitCondition("a wake-up hint after the event became visible", Duration.ofSeconds(10), () -> {
      synchronized (visibleAtHint) {
        return visibleAtHint.contains(1);
      }
    });

    registration.close();
    registration.close();
    int before = hints.get();
    store.append(stream, ExpectedVersion.any(), happened("t", 2, 1));
    assertThat(hints.get()).isEqualTo(before);
  }

  private static List<Long> range(long from, long to) {
    List<Long> values = new ArrayList<>();
    for (long v = from; v <= to; v++) {
      values.add(v);
    }
    return values;
  }
}
