package dev.cqrs.core;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Keeps the events that processors parked after their projection kept failing. Implemented by backends and checked by
 * the dead-letter store contract suite in {@code cqrs-test}. Implementations must be thread-safe.
 */
public interface DeadLetterStore {

  /**
   * Stores a dead letter, replacing the one with the same id.
   *
   * @param deadLetter the dead letter
   */
  void save(DeadLetter deadLetter);

  /**
   * Lists a processor's dead letters in the global order of their events.
   *
   * @param processor the processor's name
   * @return its dead letters
   */
  List<DeadLetter> list(String processor);

  /**
   * Finds a dead letter.
   *
   * @param id its id
   * @return the dead letter, or empty when there is none with that id
   */
  Optional<DeadLetter> find(UUID id);

  /**
   * Removes a dead letter.
   *
   * @param id its id
   * @return {@code true} when it existed
   */
  boolean remove(UUID id);
}
