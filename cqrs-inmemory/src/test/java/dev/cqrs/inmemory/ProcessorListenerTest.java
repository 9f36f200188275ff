package dev.cqrs.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.DeadLetter;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Position;
import dev.cqrs.core.ProcessorListener;
import dev.cqrs.core.ProcessorStatus;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RetryPolicy;
import dev.cqrs.core.TrackingProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A processor tells its listeners every committed batch, every retry, every parked event and every status change. */
class ProcessorListenerTest {

  record Counted(int number) implements Event {
  }

  @Test
  void listeners_hear_batches_retries_parked_events_and_status_changes_and_a_failing_listener_changes_nothing()
      throws Exception {
    EventTypes types = EventTypes.builder().register(Counted.class, "Counted", 1).build();
    InMemoryEventStore store = InMemoryEventStore.create(types);
    for (int i = 1; i <= 3000; i++) {
      store.append("s-" + (i % 7), ExpectedVersion.any(), new Counted(i));
    }
    AtomicInteger flaky = new AtomicInteger();
    ConcurrentHashMap<Integer, Boolean> applied = new ConcurrentHashMap<>();
    Projection projection = Projection.builder().on(Counted.class, counted -> {
      if (counted.number() == 1000 && flaky.incrementAndGet() <= 2) {
        throw new IllegalStateException("flaky " + flaky.get());
      }
      if (counted.number() == 2000) {
        throw new IllegalStateException("poison");
      }
      applied.put(counted.number(), true);
    }).build();

    List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    List<Position> checkpoints = new CopyOnWriteArrayList<>();
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    List<DeadLetter> parked = new CopyOnWriteArrayList<>();
    List<ProcessorStatus> statuses = new CopyOnWriteArrayList<>();
    ProcessorListener recording = new ProcessorListener() {
      @Override
      public void batchCommitted(String processor, int events, Position checkpoint, Duration took) {
        assertThat(processor).isEqualTo("counting");
        assertThat(took).isPositive();
        batchSizes.add(events);
        checkpoints.add(checkpoint);
      }

      @Override
      public void retrying(String processor, Position at, int attempt, Throwable failure) {
        attempts.add(attempt);
      }

      @Override
      public void parked(String processor, DeadLetter letter) {
        parked.add(letter);
      }

      @Override
      public void statusChanged(String processor, ProcessorStatus status, Optional<Throwable> failure) {
        assertThat(failure.isPresent()).isEqualTo(status == ProcessorStatus.FAILED);
        statuses.add(status);
      }
    };
    ProcessorListener broken = new ProcessorListener() {
      @Override
      public void batchCommitted(String processor, int events, Position checkpoint, Duration took) {
        throw new IllegalStateException("a broken listener");
      }
    };
    TrackingProcessor processor = TrackingProcessor.builder("counting", store, projection,
            InMemoryCheckpointStore.create())
        .batchSize(250)
        .retryPolicy(RetryPolicy.exponential(3, Duration.ofMillis(1), Duration.ofMillis(5)))
        .deadLetters(InMemoryDeadLetterStore.create())
        .listener(broken)
        .listener(recording)
        .build();
    processor.start();
    processor.awaitProcessed(store.head(), Duration.ofSeconds(30));
    processor.stop();

    assertThat(applied).hasSize(2999).doesNotContainKey(2000);
    assertThat(batchSizes.stream().mapToInt(Integer::intValue).sum())
        .as("every event is in exactly one committed batch, the parked one excepted").isEqualTo(2999);
    assertThat(checkpoints).isSorted().last().isEqualTo(store.head());
    assertThat(attempts).as("two failures of event 1000, two of the poison event").containsExactly(1, 2, 1, 2);
    assertThat(parked).singleElement().satisfies(letter -> {
      assertThat(letter.event().payload()).isEqualTo(new Counted(2000));
      assertThat(letter.attempts()).isEqualTo(3);
    });
    assertThat(statuses).containsExactly(ProcessorStatus.STANDBY, ProcessorStatus.RUNNING,
        ProcessorStatus.RETRYING, ProcessorStatus.RUNNING,   // event 1000, twice
        ProcessorStatus.RETRYING, ProcessorStatus.RUNNING,   // the poison event, parked after its third attempt
        ProcessorStatus.STOPPED);
  }
}
