package dev.cqrs.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.ProcessorStatus;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.Segment;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.inmemory.Shop.ItemAdded;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Segmented processors in one instance: streams handled in parallel on several threads, each stream in order, every
 * event once, also across changes of the segment count.
 */
class SegmentedProcessorTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private final InMemoryEventStore store = InMemoryEventStore.create(Shop.TYPES);
  private final InMemoryCheckpointStore checkpoints = InMemoryCheckpointStore.create();
  private final List<TrackingProcessor> processors = new ArrayList<>();
  private final Map<String, List<Long>> versions = new ConcurrentHashMap<>();
  private final List<UUID> applied = new CopyOnWriteArrayList<>();
  private final Set<String> threads = ConcurrentHashMap.newKeySet();
  private final Projection projection = Projection.builder()
      .on(ItemAdded.class, (added, recorded) -> {
        versions.computeIfAbsent(recorded.streamId(), s -> new CopyOnWriteArrayList<>()).add(recorded.version());
        applied.add(recorded.eventId());
        threads.add(Thread.currentThread().getName());
      })
      .build();

  @AfterEach
  void stop() {
    processors.forEach(TrackingProcessor::stop);
  }

  private TrackingProcessor started(int segments) {
    TrackingProcessor processor = TrackingProcessor.builder("views", store, projection, checkpoints)
        .segments(segments).batchSize(50).pollInterval(Duration.ofMillis(20)).build();
    processors.add(processor);
    processor.start();
    return processor;
  }

  /** Appends {@code perStream} events to each of {@code streams} streams, from four threads at once. */
  private List<RecordedEvent> appendConcurrently(int streams, int perStream) throws Exception {
    ExecutorService writers = Executors.newFixedThreadPool(4);
    List<RecordedEvent> all = new CopyOnWriteArrayList<>();
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        running.add(writers.submit(() -> {
          for (int s = writer; s < streams; s += 4) {
            String stream = "order-" + s;
            long version = versions(stream);
            for (int i = 0; i < perStream; i++) {
              all.addAll(store.append(stream, ExpectedVersion.exactly(version + i),
                  List.of(NewEvent.of(new ItemAdded(stream, "sku", 1)))).events());
            }
          }
          return null;
        }));
      }
      for (Future<?> future : running) {
        future.get(1, TimeUnit.MINUTES);
      }
    } finally {
      writers.shutdownNow();
    }
    return all;
  }

  private long versions(String stream) {
    return store.readStream(stream).size();
  }

  /** Every appended event was applied exactly once, and each stream's events in version order. */
  private void assertEveryEventOnceInStreamOrder(int events) {
    assertThat(applied).hasSize(events);
    assertThat(new HashSet<>(applied)).hasSize(events);
    versions.forEach((stream, seen) -> {
      for (int i = 0; i < seen.size(); i++) {
        assertThat(seen.get(i)).as("version %d applied for %s", i + 1, stream).isEqualTo(i + 1L);
      }
    });
  }

  @Test
  void eight_segments_handle_streams_in_parallel_each_stream_in_order_every_event_once() throws Exception {
    TrackingProcessor processor = started(8);
    List<RecordedEvent> appended = appendConcurrently(200, 20);
    Position last = appended.stream().map(RecordedEvent::position).max(Position::compareTo).orElseThrow();
    processor.awaitProcessed(last, WAIT);

    assertEveryEventOnceInStreamOrder(4_000);
    assertThat(threads).as("threads that applied events").hasSize(8);
    assertThat(processor.checkpoint()).isEqualTo(last);
    assertThat(processor.lag().events()).isZero();
    assertThat(processor.status()).isEqualTo(ProcessorStatus.RUNNING);
    for (int i = 0; i < 8; i++) {
      assertThat(checkpoints.load("views[" + i + "/8]")).as("checkpoint of segment %d", i).contains(last);
    }
  }

  @Test
  void the_segment_of_a_stream_is_stable_and_spreads_streams_evenly() {
    assertThat(Segment.of("order-42", 8)).isEqualTo(Segment.of("order-42", 8));
    assertThat(Segment.of("", 8).index()).isBetween(0, 7);
    assertThat(Segment.of("order-42", 1)).isEqualTo(new Segment(0, 1));
    int[] counts = new int[8];
    for (int i = 0; i < 8_000; i++) {
      counts[Segment.of("order-" + i, 8).index()]++;
    }
    for (int count : counts) {
      assertThat(count).isBetween(800, 1_200);
    }
    assertThat(new Segment(3, 8).processorName("views")).isEqualTo("views[3/8]");
    assertThat(new Segment(0, 1).processorName("views")).isEqualTo("views");
    assertThatThrownBy(() -> new Segment(8, 8)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("between 0 and 7, but was 8");
    assertThatThrownBy(() -> TrackingProcessor.builder("v", store, projection, checkpoints).segments(65))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between 1 and 64, but was 65");
  }

  @Test
  void changing_the_count_from_one_to_four_to_eight_to_three_to_one_loses_and_repeats_nothing() throws Exception {
    int events = 0;
    int[] counts = {1, 4, 8, 3, 1};
    for (int round = 0; round < counts.length; round++) {
      TrackingProcessor processor = started(counts[round]);
      List<RecordedEvent> appended = appendConcurrently(60, 5);
      events += appended.size();
      // stop part-way through: the segments stand at different checkpoints when the count changes
      Thread.sleep(round % 2 == 0 ? 0 : 5);
      processor.stop();
      processors.remove(processor);
    }
    TrackingProcessor last = started(1);
    Position head = store.head();
    last.awaitProcessed(head, WAIT);
    assertEveryEventOnceInStreamOrder(events);
    assertThat(checkpoints.load("views[segments]")).hasValueSatisfying(layout -> assertThat(layout.sequence()).isEqualTo(301));
  }

  @Test
  void an_unsegmented_build_of_a_split_processor_refuses_to_start_and_says_how_to_merge() throws Exception {
    TrackingProcessor split = started(4);
    split.awaitProcessed(appendConcurrently(8, 2).get(0).position(), WAIT);
    split.stop();
    TrackingProcessor plain = TrackingProcessor.builder("views", store, projection, checkpoints).build();
    assertThatThrownBy(plain::start).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("runs in 4 segments").hasMessageContaining("segments(1)");
    assertThat(plain.status()).isEqualTo(ProcessorStatus.STOPPED);
  }

  @Test
  void a_reset_of_a_segmented_processor_applies_every_event_once_more_after_a_resize() throws Exception {
    TrackingProcessor four = started(4);
    List<RecordedEvent> first = appendConcurrently(40, 5);
    four.stop();
    processors.remove(four);
    TrackingProcessor eight = started(8);
    eight.awaitProcessed(store.head(), WAIT);
    assertEveryEventOnceInStreamOrder(first.size());
    applied.clear();
    versions.clear();
    eight.reset();
    eight.awaitProcessed(store.head(), WAIT);
    assertEveryEventOnceInStreamOrder(first.size());
    assertThat(checkpoints.load("views[segments]")).hasValueSatisfying(layout -> assertThat(layout.sequence()).isEqualTo(8));
  }
}
