package dev.cqrs.test.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.DeadLetter;
import dev.cqrs.core.DeadLetterStore;
import dev.cqrs.core.EventType;
import dev.cqrs.core.Metadata;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.test.contract.ContractEvents.Happened;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Contract of a {@link DeadLetterStore}: parked events are kept per processor in global order, with their failure and
 * attempts, can be updated, found and removed. Subclasses supply a store; tests use unique processor names.
 */
public abstract class DeadLetterStoreContract {

  /** The store under test. */
  protected DeadLetterStore store;

  /** Creates the suite. */
  protected DeadLetterStoreContract() {
  }

  /**
   * Supplies the store under test; it may share data with earlier tests, and must accept the events of
   * {@link ContractEvents#TYPES}.
   *
   * @return the store
   */
  protected abstract DeadLetterStore newStore();

  @BeforeEach
  void createStore() {
    store = newStore();
  }

  private static DeadLetter letter(String processor, long sequence) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    RecordedEvent event = new RecordedEvent("stream-" + sequence, 1, Position.of(0, sequence), UUID.randomUUID(),
        EventType.of("Happened", 1), new Happened("dead", sequence), Metadata.create());
    return new DeadLetter(UUID.randomUUID(), processor, event, "java.lang.IllegalStateException: boom", 5, now, now);
  }

  @Test
  void lists_a_processors_dead_letters_in_global_order() {
    String processor = "p-" + UUID.randomUUID();
    DeadLetter third = letter(processor, 30);
    DeadLetter first = letter(processor, 10);
    DeadLetter second = letter(processor, 20);
    store.save(third);
    store.save(first);
    store.save(second);
    store.save(letter("other-" + UUID.randomUUID(), 15));

    assertThat(store.list(processor)).extracting(DeadLetter::id).containsExactly(first.id(), second.id(), third.id());
    DeadLetter loaded = store.find(first.id()).orElseThrow();
    assertThat(loaded.event().eventId()).isEqualTo(first.event().eventId());
    assertThat(loaded.event().payload()).isEqualTo(first.event().payload());
    assertThat(loaded.error()).isEqualTo(first.error());
    assertThat(loaded.attempts()).isEqualTo(5);
  }

  @Test
  void saving_again_updates_attempts_and_error() {
    String processor = "p-" + UUID.randomUUID();
    DeadLetter letter = letter(processor, 1);
    store.save(letter);
    DeadLetter again = letter.failedAgain(new IllegalArgumentException("still broken"), Instant.now());
    store.save(again);

    DeadLetter loaded = store.find(letter.id()).orElseThrow();
    assertThat(loaded.attempts()).isEqualTo(6);
    assertThat(loaded.error()).isEqualTo("java.lang.IllegalArgumentException: still broken");
    assertThat(store.list(processor)).hasSize(1);
  }

  @Test
  void removes_a_dead_letter_once() {
    String processor = "p-" + UUID.randomUUID();
    DeadLetter letter = letter(processor, 1);
    store.save(letter);

    assertThat(store.remove(letter.id())).isTrue();
    assertThat(store.remove(letter.id())).isFalse();
    assertThat(store.find(letter.id())).isEmpty();
    assertThat(store.list(processor)).isEmpty();
  }

  @Test
  void rejects_null_arguments() {
    assertThatThrownBy(() -> store.save(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> store.find(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> store.list(null)).isInstanceOf(NullPointerException.class);
  }
}
