package dev.cqrs.test.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.cqrs.core.AppendResult;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.spi.ForwardingEventStore;
import dev.cqrs.inmemory.InMemoryEventStore;
import dev.cqrs.test.contract.AppendAndReadContract;
import dev.cqrs.test.contract.AtomicityAndIdempotencyContract;
import dev.cqrs.test.contract.ConcurrencyContract;
import dev.cqrs.test.contract.ExpectedVersionContract;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The meta-test: the contract suites fail against deliberately broken stores, so they catch what they claim to catch.
 * The broken suites are nested classes, which surefire does not run on its own.
 */
class ContractSuiteCatchesBrokenStoresTest {

  @Test
  void suites_fail_against_a_store_that_ignores_the_expected_version() {
    Set<String> failed = failedTests(VersionIgnoringExpectedVersion.class);
    assertThat(failed).contains("no_stream_rejects_an_existing_stream", "stream_exists_rejects_a_new_stream",
        "exactly_rejects_a_stale_version", "exactly_rejects_a_version_ahead_of_the_stream",
        "exactly_rejects_a_new_stream", "exactly_zero_is_no_stream", "a_rejected_append_can_be_retried_with_the_actual_version");
    assertThat(failed).doesNotContain("any_accepts_a_new_and_an_existing_stream", "no_stream_accepts_a_new_stream");

    assertThat(failedTests(VersionIgnoringConcurrency.class))
        .contains("exactly_one_writer_wins_each_version_of_one_stream");
    assertThat(failedTests(VersionIgnoringAtomicity.class))
        .contains("a_batch_rejected_for_its_version_leaves_nothing");
  }

  @Test
  void suites_fail_against_a_store_that_drops_events() {
    assertThat(failedTests(DroppingAppendAndRead.class))
        .contains("keeps_versions_without_holes_across_appends", "reads_all_in_append_order_with_increasing_positions");
    assertThat(failedTests(DroppingConcurrency.class))
        .contains("concurrent_appends_with_any_to_one_stream_lose_and_duplicate_nothing",
            "a_tailing_reader_sees_exactly_the_final_global_order");
  }

  @Test
  void suites_pass_against_the_real_store_run_the_same_way() {
    Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(InMemoryExpectedVersionTest.class))
        .execute().testEvents();
    assertThat(events.failed().count()).isZero();
    assertThat(events.succeeded().count()).isEqualTo(12);
  }

  private static Set<String> failedTests(Class<?> suite) {
    Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(suite)).execute().testEvents();
    assertThat(events.started().count()).as("tests started in %s", suite.getSimpleName()).isPositive();
    return events.failed().stream()
        .map(event -> event.getTestDescriptor().getUniqueId().getSegments().stream()
            .filter(segment -> segment.getType().equals("method") || segment.getType().equals("test-template"))
            .map(segment -> segment.getValue().replaceAll(".*#|\\(.*", ""))
            .findFirst().orElse("?"))
        .collect(Collectors.toSet());
  }

  /** Passes every append through with {@code any}, as a store that forgot the check would. */
  static final class VersionIgnoringStore extends ForwardingEventStore {
    VersionIgnoringStore(EventStore delegate) {
      super(delegate);
    }

    @Override
    public AppendResult append(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events) {
      return delegate().append(streamId, ExpectedVersion.any(), events);
    }
  }

  /** Loses the last event of every third append while reporting it as stored. */
  static final class DroppingStore extends ForwardingEventStore {
    private final AtomicLong appends = new AtomicLong();

    DroppingStore(EventStore delegate) {
      super(delegate);
    }

    @Override
    public AppendResult append(String streamId, ExpectedVersion expectedVersion, List<NewEvent> events) {
      if (appends.incrementAndGet() % 3 != 0) {
        return delegate().append(streamId, expectedVersion, events);
      }
      List<RecordedEvent> reported = new ArrayList<>();
      if (events.size() > 1) {
        reported.addAll(delegate().append(streamId, expectedVersion, events.subList(0, events.size() - 1)).events());
      }
      NewEvent lost = events.get(events.size() - 1);
      long version = reported.isEmpty() ? 1 : reported.get(reported.size() - 1).version() + 1;
      reported.add(new RecordedEvent(streamId, version, Position.of(0, Long.MAX_VALUE / 2), lost.eventId(),
          EventTypes.builder().register(lost.payload().getClass()).build().typeOf(lost.payload().getClass()),
          lost.payload(), lost.metadata()));
      return new AppendResult(streamId, reported);
    }
  }

  static class VersionIgnoringExpectedVersion extends ExpectedVersionContract {
    @Override
    protected EventStore newStore(EventTypes types) {
      return new VersionIgnoringStore(InMemoryEventStore.create(types));
    }
  }

  static class VersionIgnoringConcurrency extends ConcurrencyContract {
    @Override
    protected EventStore newStore(EventTypes types) {
      return new VersionIgnoringStore(InMemoryEventStore.create(types));
    }

    @Override
    protected int contendedRounds() {
      return 50;
    }
  }

  static class VersionIgnoringAtomicity extends AtomicityAndIdempotencyContract {
    @Override
    protected EventStore newStore(EventTypes types) {
      return new VersionIgnoringStore(InMemoryEventStore.create(types));
    }
  }

  static class DroppingAppendAndRead extends AppendAndReadContract {
    @Override
    protected EventStore newStore(EventTypes types) {
      return new DroppingStore(InMemoryEventStore.create(types));
    }
  }

  static class DroppingConcurrency extends ConcurrencyContract {
    @Override
    protected EventStore newStore(EventTypes types) {
      return new DroppingStore(InMemoryEventStore.create(types));
    }
  }
}
