package dev.cqrs.test.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.ProcessorStatus;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.TrackingProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The contract of tracking processors on a backend that coordinates several instances of one processor (leases): one
 * instance processes while the others stand by and follow its checkpoint, a stopped instance's work is taken over with
 * no event lost or repeated, and a reset from any instance is seen by all. Backends without such coordination run only
 * {@link ProcessorContract}.
 *
 * <p>Not thread-safe; JUnit creates one instance per test.
 */
public abstract class MultiInstanceProcessorContract extends ProcessorContract {

  /** Creates the suite. */
  protected MultiInstanceProcessorContract() {
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  /** Starts two instances of one processor: the first processes, the second stands by. */
  private List<TrackingProcessor> processingAndStandby(String name) throws InterruptedException {
    TrackingProcessor first = started(name, "first", true);
    await("the first instance to process", () -> first.status() == ProcessorStatus.RUNNING);
    TrackingProcessor second = started(name, "second", true);
    await("the second instance to stand by", () -> second.status() == ProcessorStatus.STANDBY);
    return List.of(first, second);
  }

  @Test
  void one_instance_processes_the_other_follows_and_takes_over_with_every_event_once() throws Exception {
    List<TrackingProcessor> instances = processingAndStandby(name("take-over"));
    TrackingProcessor first = instances.get(0);
    TrackingProcessor second = instances.get(1);
    List<RecordedEvent> events = new ArrayList<>(append("before", 100));
    RecordedEvent last = events.get(events.size() - 1);

    second.awaitProcessed(last.position(), WAIT); // the standby follows the processing instance's checkpoint
    assertThat(second.status()).isEqualTo(ProcessorStatus.STANDBY);
    first.stop(); // gives up its lease: the standby takes over at once
    events.addAll(append("after", 100));
    second.awaitProcessed(events.get(events.size() - 1).position(), WAIT);
    assertThat(second.status()).isEqualTo(ProcessorStatus.RUNNING);

    assertThat(applicationsPerEvent()).containsOnlyKeys(events.stream().map(RecordedEvent::eventId).toList())
        .allSatisfy((UUID id, Long n) -> assertThat(n).as("applications of %s", id).isEqualTo(1));
    assertThat(applicationsBy("first")).isEqualTo(100);
    assertThat(applicationsBy("second")).isEqualTo(100);
  }

  @Test
  void a_reset_from_either_instance_is_seen_by_both() throws Exception {
    List<TrackingProcessor> instances = processingAndStandby(name("reset-both"));
    List<RecordedEvent> events = new ArrayList<>(append("first", 50));
    instances.get(0).awaitProcessed(events.get(events.size() - 1).position(), WAIT);

    instances.get(0).reset(); // from the processing instance, which keeps its lease through the reset
    events.addAll(append("second", 20));
    for (TrackingProcessor instance : instances) {
      instance.awaitProcessed(events.get(events.size() - 1).position(), WAIT);
    }
    assertThat(applicationsPerEvent()).containsOnlyKeys(events.stream().map(RecordedEvent::eventId).toList())
        .allSatisfy((UUID id, Long n) -> assertThat(n).as("applications of %s after the reset", id).isEqualTo(1));

    instances.get(1).reset(); // from the standby instance: it takes the lease over
    events.addAll(append("third", 20));
    for (TrackingProcessor instance : instances) {
      instance.awaitProcessed(events.get(events.size() - 1).position(), WAIT);
    }
    // every event is in the rebuilt read model; one kept outside the database is at least once (the instance that was
    // processing may apply its batch in flight once more before its fence stops it), a transactional one exactly once
    assertThat(applicationsPerEvent()).containsOnlyKeys(events.stream().map(RecordedEvent::eventId).toList());
  }

  @Test
  void a_poison_event_is_parked_once_with_a_standby_instance() throws Exception {
    List<TrackingProcessor> instances = processingAndStandby(name("poison-two"));
    List<RecordedEvent> before = append("before", 10);
    RecordedEvent poison = append("poison", 1).get(0);
    List<RecordedEvent> after = append("after", 10);

    for (TrackingProcessor instance : instances) {
      instance.awaitProcessed(after.get(after.size() - 1).position(), WAIT);
    }
    assertThat(instances.get(1).deadLetters()).singleElement()
        .satisfies(letter -> assertThat(letter.event().eventId()).isEqualTo(poison.eventId()));
    List<RecordedEvent> expected = new ArrayList<>(before);
    expected.addAll(after);
    assertThat(applicationsPerEvent()).containsOnlyKeys(expected.stream().map(RecordedEvent::eventId).toList())
        .doesNotContainValue(2L);
  }
}
