package dev.cqrs.test.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Contract: every {@link ExpectedVersion} case is accepted exactly when it holds, and a rejection raises
 * {@link ConcurrencyConflictException} with the stream id and the expected and actual versions, storing nothing.
 */
public abstract class ExpectedVersionContract extends EventStoreContractSupport {

  /** Creates the suite. */
  protected ExpectedVersionContract() {
  }

  @Test
  void any_accepts_a_new_and_an_existing_stream() {
    String stream = uniqueStream("any");
    store.append(stream, ExpectedVersion.any(), happened("t", 1, 1));
    store.append(stream, ExpectedVersion.any(), happened("t", 2, 2));
    assertThat(store.readStream(stream)).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L);
  }

  @Test
  void no_stream_accepts_a_new_stream() {
    String stream = uniqueStream("no-stream");
    assertThat(store.append(stream, ExpectedVersion.noStream(), happened("t", 1, 2)).lastVersion()).isEqualTo(2);
  }

  @Test
  void no_stream_rejects_an_existing_stream() {
    String stream = uniqueStream("no-stream-existing");
    store.append(stream, ExpectedVersion.any(), happened("t", 1, 2));
    assertRejected(stream, ExpectedVersion.noStream(), 2);
  }

  @Test
  void stream_exists_accepts_an_existing_stream() {
    String stream = uniqueStream("exists");
    store.append(stream, ExpectedVersion.any(), happened("t", 1, 1));
    assertThat(store.append(stream, ExpectedVersion.streamExists(), happened("t", 2, 1)).lastVersion()).isEqualTo(2);
  }

  @Test
  void stream_exists_rejects_a_new_stream() {
    assertRejected(uniqueStream("exists-new"), ExpectedVersion.streamExists(), 0);
  }

  @Test
  void exactly_accepts_the_current_version() {
    String stream = uniqueStream("exactly");
    store.append(stream, ExpectedVersion.exactly(0), happened("t", 1, 3));
    assertThat(store.append(stream, ExpectedVersion.exactly(3), happened("t", 4, 1)).lastVersion()).isEqualTo(4);
  }

  @Test
  void exactly_rejects_a_stale_version() {
    String stream = uniqueStream("stale");
    store.append(stream, ExpectedVersion.any(), happened("t", 1, 3));
    assertRejected(stream, ExpectedVersion.exactly(2), 3);
  }

  @Test
  void exactly_rejects_a_version_ahead_of_the_stream() {
    String stream = uniqueStream("ahead");
    store.append(stream, ExpectedVersion.any(), happened("t", 1, 3));
    assertRejected(stream, ExpectedVersion.exactly(4), 3);
  }

  @Test
  void exactly_rejects_a_new_stream() {
    assertRejected(uniqueStream("exactly-new"), ExpectedVersion.exactly(1), 0);
  }

  @Test
  void exactly_zero_is_no_stream() {
    String stream = uniqueStream("zero");
    store.append(stream, ExpectedVersion.any(), happened("t", 1, 1));
    assertThat(ExpectedVersion.exactly(0)).isEqualTo(ExpectedVersion.noStream());
    assertRejected(stream, ExpectedVersion.exactly(0), 1);
  }

  @Test
  void a_rejected_append_can_be_retried_with_the_actual_version() {
    String stream = uniqueStream("retry");
    store.append(stream, ExpectedVersion.any(), happened("t", 1, 2));
    ConcurrencyConflictException conflict = catchConflict(stream, ExpectedVersion.exactly(1));
    store.append(stream, ExpectedVersion.exactly(conflict.actualVersion()), happened("t", 3, 1));
    assertThat(store.readStream(stream)).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L);
  }

  private void assertRejected(String stream, ExpectedVersion expected, long actual) {
    List<RecordedEvent> before = store.readStream(stream);
    Position head = store.head();
    ConcurrencyConflictException conflict = catchConflict(stream, expected);
    assertThat(conflict.streamId()).isEqualTo(stream);
    assertThat(conflict.expectedVersion()).isEqualTo(expected);
    assertThat(conflict.actualVersion()).isEqualTo(actual);
    assertThat(conflict.isTransient()).isTrue();
    assertThat(conflict).hasMessageContaining(stream).hasMessageContaining(expected.toString());
    assertThat(store.readStream(stream)).as("stream after a rejected append").isEqualTo(before);
    assertThat(store.head()).as("head after a rejected append").isEqualTo(head);
  }

  private ConcurrencyConflictException catchConflict(String stream, ExpectedVersion expected) {
    Throwable thrown = catchThrowable(
        () -> store.append(stream, expected, happened("rejected", 1, 2)));
    assertThat(thrown).as("append with %s to %s", expected, stream).isInstanceOf(ConcurrencyConflictException.class);
    return (ConcurrencyConflictException) thrown;
  }

  @Test
  void exactly_rejects_a_negative_version() {
    assertThatThrownBy(() -> ExpectedVersion.exactly(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }
}
