package dev.cqrs.test.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.AppendResult;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.DuplicateEventIdException;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Metadata;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.UnknownEventTypeException;
import dev.cqrs.test.contract.ContractEvents.Happened;
import dev.cqrs.test.contract.ContractEvents.Unregistered;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Contract: an append stores all of its events or none, readers never see part of a batch, and appending the same event
 * ids again is idempotent.
 */
public abstract class AtomicityAndIdempotencyContract extends EventStoreContractSupport {

  /** Creates the suite. */
  protected AtomicityAndIdempotencyContract() {
  }

  @Test
  void a_batch_rejected_for_its_version_leaves_nothing() {
    String stream = uniqueStream("atomic-version");
    store.append(stream, ExpectedVersion.any(), happened("t", 1, 1));
    List<NewEvent> batch = happened("t", 2, 5);

    assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(), batch))
        .isInstanceOf(ConcurrencyConflictException.class);

    assertNothingOf(batch, stream, 1);
  }

  @Test
  void a_batch_with_an_unregistered_event_leaves_nothing() {
    String stream = uniqueStream("atomic-type");
    List<NewEvent> batch = new ArrayList<>(happened("t", 1, 3));
    batch.add(NewEvent.of(new Unregistered("x")));
    batch.addAll(happened("t", 4, 2));

    assertThatThrownBy(() -> store.append(stream, ExpectedVersion.any(), batch))
        .isInstanceOf(UnknownEventTypeException.class)
        .hasMessageContaining(Unregistered.class.getName());

    assertNothingOf(batch, stream, 0);
  }

  @Test
  void a_batch_with_a_repeated_event_id_leaves_nothing() {
    String stream = uniqueStream("atomic-repeat");
    List<NewEvent> batch = new ArrayList<>(happened("t", 1, 3));
    NewEvent first = batch.get(0);
    batch.add(new NewEvent(first.eventId(), new Happened("t", 99), Metadata.create()));

    assertThatThrownBy(() -> store.append(stream, ExpectedVersion.any(), batch))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(first.eventId().toString())
        .hasMessageContaining("event 3");

    assertNothingOf(batch, stream, 0);
  }

  @Test
  void appending_the_same_events_again_returns_the_earlier_result_and_stores_nothing_new() {
    String stream = uniqueStream("idempotent");
    List<NewEvent> batch = happened("t", 1, 3);
    AppendResult first = store.append(stream, ExpectedVersion.noStream(), batch);

    AppendResult again = store.append(stream, ExpectedVersion.noStream(), batch);
    AppendResult againWithAny = store.append(stream, ExpectedVersion.any(), List.copyOf(batch));

    assertThat(first.repeated()).isFalse();
    assertThat(again.events()).isEqualTo(first.events());
    assertThat(again.repeated()).as("the result says it repeats an earlier append").isTrue();
    assertThat(againWithAny.events()).isEqualTo(first.events());
    assertThat(againWithAny.repeated()).isTrue();
    assertThat(store.readStream(stream)).containsExactlyElementsOf(first.events());
    assertThat(readAllSinceStart()).containsExactlyElementsOf(first.events());
  }

  @Test
  void appending_a_single_event_again_is_idempotent_after_later_appends() {
    String stream = uniqueStream("idempotent-single");
    List<NewEvent> one = happened("t", 1, 1);
    AppendResult first = store.append(stream, ExpectedVersion.noStream(), one);
    store.append(stream, ExpectedVersion.exactly(1), happened("t", 2, 2));

    AppendResult again = store.append(stream, ExpectedVersion.noStream(), one);
    assertThat(again.events()).isEqualTo(first.events());
    assertThat(again.repeated()).isTrue();
    assertThat(store.readStream(stream)).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L);
  }

  @Test
  void a_batch_that_repeats_only_some_stored_ids_is_rejected_and_leaves_nothing() {
    String stream = uniqueStream("partial");
    List<NewEvent> stored = happened("t", 1, 2);
    store.append(stream, ExpectedVersion.noStream(), stored);
    List<NewEvent> overlapping = new ArrayList<>(stored.subList(1, 2));
    overlapping.addAll(happened("t", 3, 2));

    assertThatThrownBy(() -> store.append(stream, ExpectedVersion.any(), overlapping))
        .isInstanceOf(DuplicateEventIdException.class)
        .hasMessageContaining(stored.get(1).eventId().toString())
        .satisfies(e -> assertThat(((DuplicateEventIdException) e).streamId()).isEqualTo(stream));

    assertThat(store.readStream(stream)).hasSize(2);
    assertThat(readAllSinceStart()).hasSize(2);
  }

  @Test
  void an_event_id_stored_in_another_stream_is_rejected() {
    String first = uniqueStream("owner");
    String second = uniqueStream("thief");
    List<NewEvent> events = happened("t", 1, 1);
    store.append(first, ExpectedVersion.any(), events);

    assertThatThrownBy(() -> store.append(second, ExpectedVersion.any(), events))
        .isInstanceOf(DuplicateEventIdException.class)
        .hasMessageContaining(first)
        .satisfies(e -> assertThat(((DuplicateEventIdException) e).eventId()).isEqualTo(events.get(0).eventId()));

    assertThat(store.readStream(second)).isEmpty();
  }

  @Test
  void readers_never_see_part_of_a_batch() throws Exception {
    int writers = 4;
    int batchesPerWriter = 150;
    int batchSize = 5;
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean writing = new AtomicBoolean(true);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    Map<String, Integer> lastSeenCount = Collections.synchronizedMap(new HashMap<>());
    List<String> streams = Collections.synchronizedList(new ArrayList<>());
    for (int w = 0; w < writers; w++) {
      String stream = uniqueStream("batch-" + w);
      streams.add(stream);
      int writer = w;
      threads.add(new Thread(() -> {
        try {
          start.await();
          for (int b = 0; b < batchesPerWriter; b++) {
            store.append(stream, ExpectedVersion.exactly((long) b * batchSize),
                happened("w" + writer, (long) b * batchSize + 1, batchSize));
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      }));
    }
    Thread reader = new Thread(() -> {
      try {
        start.await();
        while (writing.get()) {
          for (String stream : streams) {
            int size = store.readStream(stream).size();
            if (size % batchSize != 0) {
              throw new AssertionError("stream " + stream + " showed " + size + " events, part of a batch");
            }
            lastSeenCount.merge(stream, size, Math::max);
          }
          Map<String, Integer> perStream = new HashMap<>();
          for (RecordedEvent event : readAllSinceStart()) {
            perStream.merge(event.streamId(), 1, Integer::sum);
          }
          perStream.forEach((stream, count) -> {
            if (count % batchSize != 0) {
              throw new AssertionError("global order showed " + count + " events of " + stream + ", part of a batch");
            }
          });
        }
      } catch (Throwable t) {
        failures.add(t);
      }
    });
    threads.forEach(Thread::start);
    reader.start();
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    writing.set(false);
    reader.join();

    assertThat(failures).isEmpty();
    for (String stream : streams) {
      assertThat(store.readStream(stream)).hasSize(batchesPerWriter * batchSize);
    }
  }

  private void assertNothingOf(List<NewEvent> batch, String stream, int streamSizeBefore) {
    assertThat(store.readStream(stream)).as("stream %s after a rejected append", stream).hasSize(streamSizeBefore);
    List<UUID> batchIds = newIds(batch);
    assertThat(ids(readAllSinceStart())).as("global order after a rejected append").doesNotContainAnyElementsOf(batchIds);
    assertThat(readAllSinceStart()).hasSize(streamSizeBefore);
  }
}
