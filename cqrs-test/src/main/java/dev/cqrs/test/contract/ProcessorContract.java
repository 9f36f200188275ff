package dev.cqrs.test.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.DeadLetterStore;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.ProcessorNotReadyException;
import dev.cqrs.core.ProcessorStatus;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.RetryPolicy;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.test.contract.ContractEvents.Happened;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of tracking processors on a backend, with one instance: every event applied once and in order while
 * writers append, a restart goes on from the checkpoint, a poison event is parked or stops the processor with its
 * cause, and a reset replays everything once. {@link MultiInstanceProcessorContract} adds the attacks that need
 * several instances. A backend adds one small subclass that supplies its pieces.
 *
 * <p>Not thread-safe; JUnit creates one instance per test.
 */
public abstract class ProcessorContract {

  /** How long a test waits for a condition. */
  protected static final Duration WAIT = Duration.ofSeconds(60);

  /** The backend of the running test. */
  protected Backend backend;
  /** Every application of an event by every processor of the test, in the order they happened. */
  protected final ConcurrentLinkedQueue<Applied> applied = new ConcurrentLinkedQueue<>();
  private final List<TrackingProcessor> processors = new ArrayList<>();
  private Position startHead;

  /** Creates the suite. */
  protected ProcessorContract() {
  }

  /**
   * The pieces of one backend that a test uses; closed after the test.
   */
  public interface Backend extends AutoCloseable {
    /**
     * Returns the event store; it may hold events of earlier tests.
     *
     * @return the store
     */
    EventStore store();

    /**
     * Returns a builder of one instance of a processor on this backend, with its checkpoints (and its coordination
     * with other instances, where the backend has it) set.
     *
     * @param name the processor's name, unique per test
     * @param instance the instance's name
     * @param projection the projection
     * @return the builder
     */
    TrackingProcessor.Builder processor(String name, String instance, Projection projection);

    /**
     * Returns the backend's dead-letter store.
     *
     * @return the store
     */
    DeadLetterStore deadLetters();

    @Override
    void close();
  }

  /**
   * One application of an event.
   *
   * @param instance the instance that applied it
   * @param event the event
   */
  public record Applied(String instance, RecordedEvent event) {
  }

  /**
   * Supplies a fresh backend for a test.
   *
   * @return the backend
   */
  protected abstract Backend newBackend();

  @BeforeEach
  void createBackend() {
    backend = newBackend();
    startHead = backend.store().head();
  }

  @AfterEach
  void closeBackend() {
    processors.forEach(TrackingProcessor::close);
    backend.close();
  }

  /**
   * A projection that records each Happened event with the instance, and refuses those of this test (after its start)
   * whose source is {@code "poison"}; earlier tests' events, which processors starting at the first event meet too,
   * are recorded and left out of the checks.
   *
   * @param instance the instance's name
   * @return the projection
   */
  protected Projection recorder(String instance) {
    return Projection.builder()
        .on(Happened.class, (happened, recorded) -> {
          if (happened.source().equals("poison") && recorded.position().isAfter(startHead)) {
            throw new IllegalStateException("the projection refuses " + recorded);
          }
          applied.add(new Applied(instance, recorded));
        })
        .onReset(() -> applied.removeIf(a -> true))
        .build();
  }

  /**
   * Builds and starts an instance of a processor that starts at the test's first event, polls every 10 ms, reads
   * batches of 50, and retries a failing event twice quickly.
   *
   * @param name the processor's name
   * @param instance the instance's name
   * @param parkPoison whether to park events that keep failing, instead of stopping
   * @return the started processor
   */
  protected TrackingProcessor started(String name, String instance, boolean parkPoison) {
    TrackingProcessor.Builder builder = backend.processor(name, instance, recorder(instance))
        .pollInterval(Duration.ofMillis(10)).batchSize(50)
        .retryPolicy(RetryPolicy.exponential(2, Duration.ofMillis(1), Duration.ofMillis(2)));
    if (parkPoison) {
      builder.deadLetters(backend.deadLetters());
    }
    TrackingProcessor processor = builder.build();
    processors.add(processor);
    processor.start();
    return processor;
  }

  /**
   * Appends {@code count} events, one append each, to streams of their own.
   *
   * @param source the events' source ({@code "poison"} for events the projection refuses)
   * @param count how many
   * @return the recorded events in order
   */
  protected List<RecordedEvent> append(String source, int count) {
    List<RecordedEvent> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      events.addAll(backend.store().append("processed-" + UUID.randomUUID(), ExpectedVersion.noStream(),
          List.of(NewEvent.of(new Happened(source, i)))).events());
    }
    return events;
  }

  /**
   * Returns a unique processor name.
   *
   * @param what what the test does
   * @return the name
   */
  protected static String name(String what) {
    return what + "-" + UUID.randomUUID();
  }

  /**
   * Returns how often each event of the test was applied, by any instance.
   *
   * @return the counts by event id
   */
  protected Map<UUID, Long> applicationsPerEvent() {
    return applied.stream().filter(a -> a.event().position().isAfter(startHead))
        .collect(Collectors.groupingBy(a -> a.event().eventId(), Collectors.counting()));
  }

  /**
   * Returns how many applications of this test's events one instance made.
   *
   * @param instance the instance's name
   * @return the count
   */
  protected long applicationsBy(String instance) {
    return applied.stream().filter(a -> a.instance().equals(instance) && a.event().position().isAfter(startHead))
        .count();
  }

  /**
   * The test's events, as {@link EventStore#readAll} gives them, that the recorder applies.
   *
   * @return the expected events in global order
   */
  protected List<RecordedEvent> expectedInOrder() {
    List<RecordedEvent> all = new ArrayList<>();
    Position after = startHead;
    List<RecordedEvent> page;
    while (!(page = backend.store().readAll(after, 1000)).isEmpty()) {
      all.addAll(page);
      after = page.get(page.size() - 1).position();
    }
    return all.stream().filter(e -> e.payload() instanceof Happened happened
        && !happened.source().equals("poison")).toList();
  }

  private static <T> List<UUID> ids(List<T> events, Function<T, RecordedEvent> event) {
    return events.stream().map(event).map(RecordedEvent::eventId).toList();
  }

  @Test
  void applies_every_event_once_in_global_order_while_writers_append() throws Exception {
    String name = name("in-order");
    TrackingProcessor processor = started(name, "a", false);
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      String source = "writer-" + w;
      Thread writer = new Thread(() -> append(source, 500));
      writer.start();
      writers.add(writer);
    }
    for (Thread writer : writers) {
      writer.join();
    }

    processor.awaitProcessed(backend.store().head(), WAIT);
    List<RecordedEvent> expected = expectedInOrder();
    assertThat(expected).hasSize(2_000);
    List<Applied> seen = applied.stream().filter(a -> a.event().position().isAfter(startHead)).toList();
    assertThat(ids(seen, Applied::event)).as("each event once, in the store's global order")
        .containsExactlyElementsOf(ids(expected, e -> e));
  }

  @Test
  void a_restarted_processor_goes_on_from_its_checkpoint() throws Exception {
    String name = name("restart");
    List<RecordedEvent> expected = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      TrackingProcessor processor = started(name, "a", false);
      expected.addAll(append("round-" + round, 40));
      processor.awaitProcessed(expected.get(expected.size() - 1).position(), WAIT);
      processor.stop();
      expected.addAll(append("stopped-" + round, 5));
    }
    TrackingProcessor last = started(name, "a", false);
    last.awaitProcessed(expected.get(expected.size() - 1).position(), WAIT);

    assertThat(applicationsPerEvent()).containsOnlyKeys(ids(expected, e -> e)).allSatisfy((id, n) ->
        assertThat(n).as("applications of %s", id).isEqualTo(1));
  }

  @Test
  void a_poison_event_is_parked_and_the_events_after_it_are_applied() throws Exception {
    String name = name("park");
    TrackingProcessor processor = started(name, "a", true);
    List<RecordedEvent> before = append("before", 10);
    RecordedEvent poison = append("poison", 1).get(0);
    List<RecordedEvent> after = append("after", 10);

    processor.awaitProcessed(after.get(after.size() - 1).position(), WAIT);
    assertThat(processor.deadLetters()).singleElement().satisfies(letter -> {
      assertThat(letter.event().eventId()).isEqualTo(poison.eventId());
      assertThat(letter.error()).contains("refuses");
    });
    List<RecordedEvent> expected = new ArrayList<>(before);
    expected.addAll(after);
    assertThat(applicationsPerEvent()).containsOnlyKeys(ids(expected, e -> e)).containsValues(1L)
        .doesNotContainValue(2L);
    assertThat(processor.status()).isEqualTo(ProcessorStatus.RUNNING);
    assertThat(processor.failure()).isEmpty();
  }

  @Test
  void by_default_a_poison_event_stops_the_processor_with_its_cause() throws Exception {
    String name = name("stop");
    TrackingProcessor processor = started(name, "a", false);
    List<RecordedEvent> before = append("before", 5);
    RecordedEvent poison = append("poison", 1).get(0);
    append("after", 5);

    try {
      processor.awaitProcessed(poison.position(), WAIT);
      throw new AssertionError("the processor passed the poison event");
    } catch (ProcessorNotReadyException expected) {
      assertThat(expected).hasMessageContaining("failed");
    }
    assertThat(processor.status()).isEqualTo(ProcessorStatus.FAILED);
    assertThat(processor.failure()).hasValueSatisfying(f -> assertThat(f).hasMessageContaining("refuses"));
    assertThat(processor.checkpoint()).isEqualTo(before.get(before.size() - 1).position());
    assertThat(applicationsPerEvent()).containsOnlyKeys(ids(before, e -> e)).doesNotContainValue(2L);
  }

  @Test
  void a_reset_replays_every_event_once() throws Exception {
    String name = name("reset");
    TrackingProcessor processor = started(name, "a", false);
    List<RecordedEvent> events = append("first", 30);
    processor.awaitProcessed(events.get(events.size() - 1).position(), WAIT);

    processor.reset();
    events.addAll(append("second", 10));
    processor.awaitProcessed(events.get(events.size() - 1).position(), WAIT);

    // the replay starts at the store's first event: count only this test's events, each once after the reset
    assertThat(applicationsPerEvent()).containsOnlyKeys(ids(events, e -> e)).allSatisfy((id, n) ->
        assertThat(n).isEqualTo(1));
  }

  @Test
  void stop_ends_a_handler_that_blocks_by_interrupting_it() throws Exception {
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    TrackingProcessor processor = backend.processor(name("hung"), "a", Projection.builder()
        .on(Happened.class, happened -> {
          blocked.countDown();
          try {
            never.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
          }
        }).build()).pollInterval(Duration.ofMillis(10)).build();
    processors.add(processor);
    processor.start();
    append("hung", 1);
    assertThat(blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

    assertThat(processor.stop(Duration.ofMillis(200))).isTrue();
    assertThat(processor.status()).isEqualTo(ProcessorStatus.STOPPED);
  }
}
