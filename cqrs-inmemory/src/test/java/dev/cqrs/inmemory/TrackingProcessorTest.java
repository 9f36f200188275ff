package dev.cqrs.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.DeadLetter;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Lag;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.ProcessorNotReadyException;
import dev.cqrs.core.ProcessorStatus;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.RetryPolicy;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.inmemory.Shop.ItemAdded;
import dev.cqrs.inmemory.Shop.OrderPlaced;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TrackingProcessorTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final RetryPolicy FAST_RETRIES = RetryPolicy.exponential(3, Duration.ofMillis(1), Duration.ofMillis(5));

  private final InMemoryEventStore store = InMemoryEventStore.create(Shop.TYPES);
  private final InMemoryCheckpointStore checkpoints = InMemoryCheckpointStore.create();
  private final List<TrackingProcessor> processors = new ArrayList<>();

  @AfterEach
  void stopProcessors() {
    processors.forEach(TrackingProcessor::stop);
  }

  /** A read model that records every event it applies: the log shows duplicates and gaps. */
  static final class QuantityModel {
    final Map<String, Integer> quantities = new ConcurrentHashMap<>();
    final List<UUID> applied = new CopyOnWriteArrayList<>();
    final Projection projection = Projection.builder()
        .on(ItemAdded.class, (added, recorded) -> {
          quantities.merge(added.orderId(), added.quantity(), Integer::sum);
          applied.add(recorded.eventId());
        })
        .onReset(() -> {
          quantities.clear();
          applied.clear();
        })
        .build();
  }

  private TrackingProcessor.Builder processor(String name, Projection projection) {
    return TrackingProcessor.builder(name, store, projection, checkpoints)
        .batchSize(100)
        .pollInterval(Duration.ofMillis(20))
        .retryPolicy(FAST_RETRIES);
  }

  private TrackingProcessor started(TrackingProcessor processor) {
    processors.add(processor);
    processor.start();
    return processor;
  }

  private List<UUID> appendItems(String orderId, int count) {
    List<NewEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(NewEvent.of(new ItemAdded(orderId, "sku", 1)));
    }
    store.append("order-" + orderId, ExpectedVersion.any(), events);
    return events.stream().map(NewEvent::eventId).toList();
  }

  @Test
  void applies_every_event_exactly_once_while_four_writers_append_twenty_thousand_events() throws Exception {
    QuantityModel model = new QuantityModel();
    TrackingProcessor processor = started(processor("concurrent", model.projection).build());
    int writers = 4;
    int perWriter = 5_000;
    Map<UUID, String> appended = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      Thread thread = new Thread(() -> {
        try {
          start.await();
          int written = 0;
          while (written < perWriter) {
            String order = "w" + writer + "-" + (written % 10);
            int size = Math.min(1 + written % 5, perWriter - written);
            List<NewEvent> events = new ArrayList<>();
            for (int i = 0; i < size; i++) {
              events.add(NewEvent.of(new ItemAdded(order, "sku", 1)));
            }
            store.append("order-" + order, ExpectedVersion.any(), events);
            events.forEach(e -> appended.put(e.eventId(), order));
            written += size;
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      thread.start();
      threads.add(thread);
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(failures).isEmpty();
    assertThat(processor.awaitPosition(store.head(), WAIT)).isTrue();
    assertThat(model.applied).hasSize(writers * perWriter);
    assertThat(model.applied).doesNotHaveDuplicates();
    assertThat(model.applied).containsExactlyInAnyOrderElementsOf(appended.keySet());
    List<UUID> globalOrder = store.readAll(Position.START, 100_000).stream().map(RecordedEvent::eventId).toList();
    assertThat(model.applied).containsExactlyElementsOf(globalOrder);
    Map<String, Integer> expectedQuantities = new LinkedHashMap<>();
    appended.values().forEach(order -> expectedQuantities.merge(order, 1, Integer::sum));
    assertThat(model.quantities).isEqualTo(expectedQuantities);
    assertThat(checkpoints.load("concurrent")).contains(store.head());
    assertThat(processor.lag().isCaughtUp()).isTrue();
  }

  @Test
  void stopping_and_restarting_with_the_same_checkpoint_store_neither_loses_nor_repeats_events() throws Exception {
    QuantityModel model = new QuantityModel();
    List<UUID> expected = new ArrayList<>();
    for (int round = 0; round < 5; round++) {
      TrackingProcessor processor = started(processor("restart", model.projection).build());
      expected.addAll(appendItems("r" + round, 300));
      if (round % 2 == 0) {
        assertThat(processor.awaitPosition(store.head(), WAIT)).isTrue();
      }
      processor.stop();
      assertThat(processor.status()).isEqualTo(ProcessorStatus.STOPPED);
      expected.addAll(appendItems("between" + round, 50));
    }
    TrackingProcessor last = started(processor("restart", model.projection).build());
    assertThat(last.awaitPosition(store.head(), WAIT)).isTrue();

    assertThat(model.applied).containsExactlyElementsOf(expected);
  }

  @Test
  void a_poison_event_is_retried_then_parked_and_the_events_after_it_are_processed() throws Exception {
    InMemoryDeadLetterStore deadLetters = InMemoryDeadLetterStore.create();
    AtomicBoolean fixed = new AtomicBoolean();
    AtomicInteger poisonAttempts = new AtomicInteger();
    List<String> applied = new CopyOnWriteArrayList<>();
    Projection projection = Projection.builder()
        .on(ItemAdded.class, added -> {
          if (added.sku().equals("poison") && !fixed.get()) {
            poisonAttempts.incrementAndGet();
            throw new IllegalStateException("cannot handle " + added.sku());
          }
          applied.add(added.sku());
        })
        .build();
    TrackingProcessor processor = started(processor("poison", projection).deadLetters(deadLetters).build());

    store.append("order-p", ExpectedVersion.any(), new ItemAdded("p", "before", 1), new ItemAdded("p", "poison", 1),
        new ItemAdded("p", "after", 1));
    assertThat(processor.awaitPosition(store.head(), WAIT)).isTrue();

    assertThat(applied).containsExactly("before", "after");
    assertThat(poisonAttempts.get()).isEqualTo(3);
    assertThat(processor.status()).isEqualTo(ProcessorStatus.RUNNING);
    List<DeadLetter> parked = processor.deadLetters();
    assertThat(parked).hasSize(1);
    DeadLetter letter = parked.get(0);
    assertThat(letter.event().payload()).isEqualTo(new ItemAdded("p", "poison", 1));
    assertThat(letter.error()).isEqualTo("java.lang.IllegalStateException: cannot handle poison");
    assertThat(letter.attempts()).isEqualTo(3);
    assertThat(letter.processor()).isEqualTo("poison");

    assertThat(processor.retryDeadLetter(letter.id())).isFalse();
    assertThat(deadLetters.find(letter.id()).orElseThrow().attempts()).isEqualTo(4);

    fixed.set(true);
    assertThat(processor.retryDeadLetter(letter.id())).isTrue();
    assertThat(applied).containsExactly("before", "after", "poison");
    assertThat(processor.deadLetters()).isEmpty();
    assertThatThrownBy(() -> processor.retryDeadLetter(letter.id()))
        .isInstanceOf(java.util.NoSuchElementException.class)
        .hasMessageContaining(letter.id().toString());
  }

  @Test
  void a_parked_event_can_be_discarded() throws Exception {
    InMemoryDeadLetterStore deadLetters = InMemoryDeadLetterStore.create();
    Projection projection = Projection.builder().on(ItemAdded.class, added -> {
      throw new IllegalArgumentException("always");
    }).build();
    TrackingProcessor processor = started(processor("discard", projection).deadLetters(deadLetters).build());
    appendItems("d", 2);
    assertThat(processor.awaitPosition(store.head(), WAIT)).isTrue();

    List<DeadLetter> parked = processor.deadLetters();
    assertThat(parked).hasSize(2);
    assertThat(parked.get(0).event().position()).isLessThan(parked.get(1).event().position());
    assertThat(processor.discardDeadLetter(parked.get(0).id())).isTrue();
    assertThat(processor.discardDeadLetter(parked.get(0).id())).isFalse();
    assertThat(processor.deadLetters()).extracting(DeadLetter::id).containsExactly(parked.get(1).id());
  }

  @Test
  void by_default_a_poison_event_stops_the_processor_before_it() throws Exception {
    List<String> applied = new CopyOnWriteArrayList<>();
    Projection projection = Projection.builder().on(ItemAdded.class, added -> {
      if (added.sku().equals("poison")) {
        throw new IllegalStateException("broken handler");
      }
      applied.add(added.sku());
    }).build();
    TrackingProcessor processor = started(processor("stopper", projection).build());

    store.append("order-s", ExpectedVersion.any(), new ItemAdded("s", "one", 1));
    RecordedEvent poison = store.append("order-s", ExpectedVersion.any(), new ItemAdded("s", "poison", 1))
        .events().get(0);
    store.append("order-s", ExpectedVersion.any(), new ItemAdded("s", "three", 1));

    assertThat(processor.awaitPosition(store.head(), WAIT)).isFalse();
    assertThat(processor.status()).isEqualTo(ProcessorStatus.FAILED);
    assertThat(processor.failure()).get().extracting(Throwable::getMessage).isEqualTo("broken handler");
    assertThat(applied).containsExactly("one");
    assertThat(processor.checkpoint()).isLessThan(poison.position());
    assertThat(checkpoints.load("stopper")).get().isEqualTo(processor.checkpoint());
    assertThatThrownBy(() -> processor.deadLetters().get(0)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> processor.retryDeadLetter(UUID.randomUUID()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no dead-letter store");
  }

  @Test
  void stop_interrupts_a_handler_that_blocks_past_the_deadline() throws Exception {
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    Projection projection = Projection.builder().on(ItemAdded.class, added -> {
      blocked.countDown();
      try {
        never.await(); // a hung query or remote call
      } catch (InterruptedException e) {
        interrupted.set(true);
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }).build();
    TrackingProcessor processor = started(processor("hung", projection).build());
    appendItems("hung", 1);
    assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();

    assertThat(processor.stop(Duration.ofMillis(200))).as("the thread ended after the interrupt").isTrue();

    assertThat(interrupted).isTrue();
    assertThat(processor.status()).isEqualTo(ProcessorStatus.STOPPED);
    assertThat(processor.checkpoint()).isEqualTo(Position.START);
    processor.start(); // and it can run again
    assertThat(processor.status()).isIn(ProcessorStatus.RUNNING, ProcessorStatus.STANDBY);
    never.countDown();
    assertThat(processor.awaitPosition(store.head(), WAIT)).isTrue();
  }

  @Test
  void await_processed_returns_once_reached_and_otherwise_says_why() throws Exception {
    QuantityModel model = new QuantityModel();
    TrackingProcessor processor = processor("await", model.projection).build();
    processors.add(processor);
    appendItems("w", 2);
    Position head = store.head();

    assertThatThrownBy(() -> processor.awaitProcessed(head, Duration.ofMillis(10)))
        .isInstanceOf(ProcessorNotReadyException.class)
        .hasMessageContaining("'await'").hasMessageContaining("stopped")
        .satisfies(e -> assertThat(((ProcessorNotReadyException) e).isTransient()).isTrue());

    processor.start();
    processor.awaitProcessed(head, WAIT);
    assertThat(model.applied).hasSize(2);

    Position later = Position.of(head.commit(), head.sequence() + 1_000);
    assertThatThrownBy(() -> processor.awaitProcessed(later, Duration.ofMillis(50)))
        .isInstanceOf(ProcessorNotReadyException.class).hasMessageContaining("is at " + head);
  }

  @Test
  void await_processed_names_the_failure_of_a_failed_processor() {
    Projection projection = Projection.builder().on(ItemAdded.class, added -> {
      throw new IllegalStateException("broken handler");
    }).build();
    TrackingProcessor processor = started(processor("await-failed", projection).build());
    appendItems("f", 1);

    assertThatThrownBy(() -> processor.awaitProcessed(store.head(), WAIT))
        .isInstanceOf(ProcessorNotReadyException.class).hasMessageContaining("failed")
        .hasRootCauseMessage("broken handler")
        .satisfies(e -> assertThat(((ProcessorNotReadyException) e).isTransient()).isFalse());
    assertThat(processor.status()).isEqualTo(ProcessorStatus.FAILED);
  }

  @Test
  void a_processor_that_waits_to_retry_says_so_and_runs_again_once_the_event_passes() throws Exception {
    AtomicBoolean broken = new AtomicBoolean(true);
    List<Integer> applied = new CopyOnWriteArrayList<>();
    Projection projection = Projection.builder().on(ItemAdded.class, added -> {
      if (broken.get()) {
        throw new IllegalStateException("read model briefly unavailable");
      }
      applied.add(added.quantity());
    }).build();
    TrackingProcessor processor = started(processor("retrying", projection)
        .retryPolicy(RetryPolicy.exponential(1_000, Duration.ofMillis(20), Duration.ofMillis(20))).build());
    store.append("order-r", ExpectedVersion.any(), new ItemAdded("r", "x", 4));

    long deadline = System.nanoTime() + WAIT.toNanos();
    while (processor.status() != ProcessorStatus.RETRYING && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(processor.status()).as("not RUNNING while it cannot progress").isEqualTo(ProcessorStatus.RETRYING);
    assertThat(processor.failure()).isEmpty();
    assertThatThrownBy(() -> processor.awaitProcessed(store.head(), Duration.ofMillis(50)))
        .hasMessageContaining("retrying");

    broken.set(false);
    processor.awaitProcessed(store.head(), WAIT);
    assertThat(applied).containsExactly(4);
    assertThat(processor.status()).isEqualTo(ProcessorStatus.RUNNING);
  }

  @Test
  void a_transient_failure_is_retried_with_backoff_and_applied_once() throws Exception {
    AtomicInteger failuresLeft = new AtomicInteger(2);
    List<Integer> applied = new CopyOnWriteArrayList<>();
    Projection projection = Projection.builder().on(ItemAdded.class, added -> {
      if (failuresLeft.getAndDecrement() > 0) {
        throw new IllegalStateException("database briefly unavailable");
      }
      applied.add(added.quantity());
    }).build();
    TrackingProcessor processor = started(processor("transient", projection).build());

    store.append("order-t", ExpectedVersion.any(), new ItemAdded("t", "x", 7));
    assertThat(processor.awaitPosition(store.head(), WAIT)).isTrue();

    assertThat(applied).containsExactly(7);
    assertThat(processor.status()).isEqualTo(ProcessorStatus.RUNNING);
  }

  @Test
  void a_reset_replays_from_the_first_event_into_an_identical_read_model() throws Exception {
    QuantityModel model = new QuantityModel();
    TrackingProcessor processor = started(processor("replay", model.projection).build());
    for (int i = 0; i < 20; i++) {
      appendItems("o" + (i % 7), 1 + i % 4);
    }
    assertThat(processor.awaitPosition(store.head(), WAIT)).isTrue();
    Map<String, Integer> before = new LinkedHashMap<>(model.quantities);
    List<UUID> appliedBefore = List.copyOf(model.applied);

    processor.reset();
    assertThat(processor.awaitPosition(store.head(), WAIT)).isTrue();

    assertThat(model.quantities).isEqualTo(before);
    assertThat(model.applied).containsExactlyElementsOf(appliedBefore);
    assertThat(processor.status()).isEqualTo(ProcessorStatus.RUNNING);
  }

  @Test
  void a_reset_of_a_stopped_processor_clears_the_read_model_and_checkpoint_and_stays_stopped() throws Exception {
    QuantityModel model = new QuantityModel();
    TrackingProcessor processor = started(processor("reset-stopped", model.projection).build());
    appendItems("x", 3);
    assertThat(processor.awaitPosition(store.head(), WAIT)).isTrue();
    processor.stop();

    processor.reset();

    assertThat(model.applied).isEmpty();
    assertThat(checkpoints.load("reset-stopped")).isEmpty();
    assertThat(processor.checkpoint()).isEqualTo(Position.START);
    assertThat(processor.status()).isEqualTo(ProcessorStatus.STOPPED);
  }

  @Test
  void reports_lag_in_events_and_time() throws Exception {
    Instant now = Instant.parse("2026-11-26T12:00:00Z");
    QuantityModel model = new QuantityModel();
    TrackingProcessor processor = processor("lag", model.projection)
        .clock(Clock.fixed(now, ZoneOffset.UTC)).build();
    processors.add(processor);
    appendItems("l", 5);

    Lag lag = processor.lag();
    assertThat(lag.events()).isEqualTo(5);
    Instant oldest = store.readAll(Position.START, 1).get(0).metadata().timestamp();
    assertThat(lag.behind()).isEqualTo(Duration.between(oldest, now).isNegative() ? Duration.ZERO
        : Duration.between(oldest, now));

    processor.start();
    assertThat(processor.awaitPosition(store.head(), WAIT)).isTrue();
    assertThat(processor.lag()).isEqualTo(new Lag(0, Duration.ZERO));
  }

  @Test
  void the_wake_up_hint_brings_new_events_without_waiting_for_the_poll_interval() throws Exception {
    QuantityModel model = new QuantityModel();
    TrackingProcessor processor = started(processor("hinted", model.projection).pollInterval(Duration.ofHours(1))
        .build());
    for (int i = 0; i < 20; i++) {
      appendItems("h", 1);
      assertThat(processor.awaitPosition(store.head(), WAIT)).as("event %d processed after its hint", i).isTrue();
    }
    assertThat(model.applied).hasSize(20);
  }

  @Test
  void skips_events_the_projection_does_not_handle_but_moves_past_them() throws Exception {
    QuantityModel model = new QuantityModel();
    TrackingProcessor processor = started(processor("skips", model.projection).build());
    store.append("order-k", ExpectedVersion.any(), new OrderPlaced("k", "kim"));

    assertThat(processor.awaitPosition(store.head(), WAIT)).isTrue();
    assertThat(model.applied).isEmpty();
    assertThat(processor.checkpoint()).isEqualTo(store.head());
  }

  @Test
  void builder_settings_are_checked_at_once_with_clear_messages() {
    Projection projection = new QuantityModel().projection;
    assertThatThrownBy(() -> TrackingProcessor.builder(" ", store, projection, checkpoints))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("processor name");
    assertThatThrownBy(() -> processor("b", projection).batchSize(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("batchSize must be between 1 and 10000, but was 0");
    assertThatThrownBy(() -> processor("b", projection).pollInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pollInterval");
    assertThatThrownBy(() -> RetryPolicy.exponential(0, Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAttempts must be between 1 and 1000, but was 0");
    assertThatThrownBy(() -> RetryPolicy.exponential(3, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBackoff");
    assertThat(RetryPolicy.exponential(5, Duration.ofMillis(100), Duration.ofMillis(300)).backoffAfter(1))
        .isEqualTo(Duration.ofMillis(100));
    assertThat(RetryPolicy.exponential(5, Duration.ofMillis(100), Duration.ofMillis(300)).backoffAfter(2))
        .isEqualTo(Duration.ofMillis(200));
    assertThat(RetryPolicy.exponential(5, Duration.ofMillis(100), Duration.ofMillis(300)).backoffAfter(3))
        .isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void start_and_stop_are_idempotent_and_a_processor_can_run_again() throws Exception {
    QuantityModel model = new QuantityModel();
    TrackingProcessor processor = processor("lifecycle", model.projection).build();
    processors.add(processor);
    assertThat(processor.status()).isEqualTo(ProcessorStatus.STOPPED);
    processor.stop();
    processor.start();
    processor.start();
    appendItems("c", 2);
    assertThat(processor.awaitPosition(store.head(), WAIT)).isTrue();
    processor.close();
    processor.close();
    processor.start();
    appendItems("c", 2);
    assertThat(processor.awaitPosition(store.head(), WAIT)).isTrue();
    assertThat(model.applied).hasSize(4).doesNotHaveDuplicates();
  }
}
