package dev.cqrs.test.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.Snapshot;
import dev.cqrs.core.SnapshotStore;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Contract of a {@link SnapshotStore}: it returns the latest snapshot of a stream with its version, revision and state,
 * never replaces a snapshot with an older one, and deletes on request. Subclasses supply a store; tests use unique
 * stream ids.
 */
public abstract class SnapshotStoreContract {

  /**
   * The state the suite snapshots.
   *
   * @param name a name
   * @param count a number
   * @param tags some tags
   */
  public record CounterState(String name, long count, List<String> tags) {
  }

  /** The store under test. */
  protected SnapshotStore store;

  /** Creates the suite. */
  protected SnapshotStoreContract() {
  }

  /**
   * Supplies the store under test; it may share data with earlier tests, and must be able to store
   * {@link CounterState}.
   *
   * @return the store
   */
  protected abstract SnapshotStore newStore();

  @BeforeEach
  void createStore() {
    store = newStore();
  }

  private static String stream() {
    return "snapshot-" + UUID.randomUUID();
  }

  @Test
  void has_no_snapshot_for_a_new_stream() {
    assertThat(store.load(stream(), CounterState.class)).isEmpty();
  }

  @Test
  void returns_the_saved_snapshot_with_its_version_revision_and_state() {
    String stream = stream();
    CounterState state = new CounterState("orders", 42, List.of("a", "b"));
    store.save(new Snapshot<>(stream, 10, 3, state));

    Snapshot<CounterState> loaded = store.load(stream, CounterState.class).orElseThrow();
    assertThat(loaded.streamId()).isEqualTo(stream);
    assertThat(loaded.version()).isEqualTo(10);
    assertThat(loaded.stateRevision()).isEqualTo(3);
    assertThat(loaded.state()).isEqualTo(state);
  }

  @Test
  void a_newer_snapshot_replaces_an_older_one_but_not_the_other_way_round() {
    String stream = stream();
    store.save(new Snapshot<>(stream, 10, 1, new CounterState("x", 10, List.of())));
    store.save(new Snapshot<>(stream, 20, 1, new CounterState("x", 20, List.of())));
    store.save(new Snapshot<>(stream, 15, 1, new CounterState("x", 15, List.of())));

    assertThat(store.load(stream, CounterState.class).orElseThrow().version()).isEqualTo(20);
    assertThat(store.load(stream, CounterState.class).orElseThrow().state().count()).isEqualTo(20);
  }

  @Test
  void keeps_streams_apart_and_deletes_on_request() {
    String first = stream();
    String second = stream();
    store.save(new Snapshot<>(first, 1, 1, new CounterState("first", 1, List.of())));
    store.save(new Snapshot<>(second, 2, 1, new CounterState("second", 2, List.of())));

    store.delete(first);

    assertThat(store.load(first, CounterState.class)).isEmpty();
    assertThat(store.load(second, CounterState.class).orElseThrow().state().name()).isEqualTo("second");
  }

  @Test
  void rejects_bad_stream_ids_and_null_arguments() {
    assertThatThrownBy(() -> store.load(" ", CounterState.class)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("streamId");
    assertThatThrownBy(() -> store.save(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("snapshot");
    assertThatThrownBy(() -> new Snapshot<>(stream(), 0, 1, "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version");
    assertThatThrownBy(() -> new Snapshot<>(stream(), 1, 0, "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stateRevision");
  }
}
