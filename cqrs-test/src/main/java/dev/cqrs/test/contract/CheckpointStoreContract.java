package dev.cqrs.test.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.CheckpointStore;
import dev.cqrs.core.Position;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Contract of a {@link CheckpointStore}: checkpoints are kept per processor, move only forwards, and are forgotten
 * only by a reset. Subclasses supply a store; tests use unique processor names.
 */
public abstract class CheckpointStoreContract {

  /** The store under test. */
  protected CheckpointStore store;

  /** Creates the suite. */
  protected CheckpointStoreContract() {
  }

  /**
   * Supplies the store under test; it may share data with earlier tests.
   *
   * @return the store
   */
  protected abstract CheckpointStore newStore();

  @BeforeEach
  void createStore() {
    store = newStore();
  }

  private static String processor() {
    return "processor-" + UUID.randomUUID();
  }

  @Test
  void has_no_checkpoint_for_a_new_processor() {
    assertThat(store.load(processor())).isEmpty();
  }

  @Test
  void keeps_the_saved_checkpoint_per_processor() {
    String first = processor();
    String second = processor();
    store.save(first, Position.of(0, 5));
    store.save(second, Position.of(3, 1));

    assertThat(store.load(first)).contains(Position.of(0, 5));
    assertThat(store.load(second)).contains(Position.of(3, 1));
  }

  @Test
  void moves_forwards_and_accepts_the_same_position_again() {
    String name = processor();
    store.save(name, Position.of(0, 5));
    store.save(name, Position.of(0, 5));
    store.save(name, Position.of(0, 9));
    store.save(name, Position.of(1, 0));
    assertThat(store.load(name)).contains(Position.of(1, 0));
  }

  @Test
  void never_moves_backwards() {
    String name = processor();
    store.save(name, Position.of(2, 7));

    assertThatThrownBy(() -> store.save(name, Position.of(2, 6)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(name)
        .hasMessageContaining("2/7")
        .hasMessageContaining("2/6");
    assertThatThrownBy(() -> store.save(name, Position.of(1, 100))).isInstanceOf(IllegalArgumentException.class);
    assertThat(store.load(name)).contains(Position.of(2, 7));
  }

  @Test
  void a_reset_forgets_the_checkpoint_so_a_replay_can_start_over() {
    String name = processor();
    store.save(name, Position.of(0, 50));
    store.reset(name);

    assertThat(store.load(name)).isEmpty();
    store.save(name, Position.of(0, 1));
    assertThat(store.load(name)).contains(Position.of(0, 1));
  }

  @Test
  void concurrent_saves_leave_the_highest_position() throws Exception {
    String name = processor();
    int threads = 8;
    int perThread = 200;
    CyclicBarrier start = new CyclicBarrier(threads);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int offset = t;
      Thread thread = new Thread(() -> {
        try {
          start.await();
          for (int i = 1; i <= perThread; i++) {
            try {
              store.save(name, Position.of(0, (long) i * threads + offset));
            } catch (IllegalArgumentException behind) {
              // another thread saved a later position first: refusing to go back is the contract
            }
            Position now = store.load(name).orElseThrow();
            if (now.sequence() < (long) i * threads + offset) {
              failures.add(new AssertionError("checkpoint " + now + " is behind " + i * threads + offset));
            }
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      thread.start();
      started.add(thread);
    }
    for (Thread thread : started) {
      thread.join();
    }
    assertThat(failures).isEmpty();
    assertThat(store.load(name)).contains(Position.of(0, (long) perThread * threads + threads - 1));
  }

  @Test
  void moves_only_from_the_expected_checkpoint() {
    String name = processor();
    assertThat(store.move(name, Position.of(0, 3), Position.of(0, 5))).as("no checkpoint is not 0/3").isFalse();
    assertThat(store.load(name)).isEmpty();
    assertThat(store.move(name, Position.START, Position.of(0, 5))).isTrue();
    assertThat(store.move(name, Position.START, Position.of(0, 6))).as("a repeat of the first move").isFalse();
    assertThat(store.move(name, Position.of(0, 5), Position.of(1, 2))).isTrue();
    assertThat(store.move(name, Position.of(0, 5), Position.of(1, 2))).as("a batch applied twice").isFalse();
    assertThat(store.load(name)).contains(Position.of(1, 2));
    assertThatThrownBy(() -> store.move(name, Position.of(1, 2), Position.of(1, 2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);
    store.reset(name);
    assertThat(store.move(name, Position.of(1, 2), Position.of(1, 3))).as("after a reset").isFalse();
    assertThat(store.move(name, Position.START, Position.of(0, 1))).isTrue();
    assertThat(store.load(name)).contains(Position.of(0, 1));
  }

  @Test
  void of_concurrent_moves_from_the_same_checkpoint_exactly_one_wins() throws Exception {
    int threads = 8;
    String name = processor();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    for (int round = 0; round < 100; round++) {
      Position from = store.load(name).orElse(Position.START);
      CyclicBarrier start = new CyclicBarrier(threads);
      ConcurrentLinkedQueue<Position> won = new ConcurrentLinkedQueue<>();
      List<Thread> started = new ArrayList<>();
      for (int t = 1; t <= threads; t++) {
        Position to = Position.of(0, from.sequence() + t);
        Thread thread = new Thread(() -> {
          try {
            start.await();
            if (store.move(name, from, to)) {
              won.add(to);
            }
          } catch (Throwable e) {
            failures.add(e);
          }
        });
        thread.start();
        started.add(thread);
      }
      for (Thread thread : started) {
        thread.join();
      }
      assertThat(failures).isEmpty();
      assertThat(won).as("round %d", round).hasSize(1);
      assertThat(store.load(name)).contains(won.peek());
    }
  }

  @Test
  void rejects_a_null_or_blank_processor_name_and_a_null_position() {
    assertThatThrownBy(() -> store.load(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("processor");
    assertThatThrownBy(() -> store.save(" ", Position.START)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("processor");
    assertThatThrownBy(() -> store.save(processor(), null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("position");
  }
}
