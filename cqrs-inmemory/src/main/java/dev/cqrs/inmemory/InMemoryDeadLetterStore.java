package dev.cqrs.inmemory;

import dev.cqrs.core.DeadLetter;
import dev.cqrs.core.DeadLetterStore;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** A thread-safe {@link DeadLetterStore} in memory. */
public final class InMemoryDeadLetterStore implements DeadLetterStore {

  private final ConcurrentHashMap<UUID, DeadLetter> letters = new ConcurrentHashMap<>();

  private InMemoryDeadLetterStore() {
  }

  /**
   * Creates an empty store.
   *
   * @return the store
   */
  public static InMemoryDeadLetterStore create() {
    return new InMemoryDeadLetterStore();
  }

  @Override
  public void save(DeadLetter deadLetter) {
    Objects.requireNonNull(deadLetter, "deadLetter must not be null");
    letters.put(deadLetter.id(), deadLetter);
  }

  @Override
  public List<DeadLetter> list(String processor) {
    Objects.requireNonNull(processor, "processor must not be null");
    return letters.values().stream()
        .filter(letter -> letter.processor().equals(processor))
        .sorted(Comparator.comparing((DeadLetter letter) -> letter.event().position()).thenComparing(DeadLetter::id))
        .toList();
  }

  @Override
  public Optional<DeadLetter> find(UUID id) {
    return Optional.ofNullable(letters.get(Objects.requireNonNull(id, "id must not be null")));
  }

  @Override
  public boolean remove(UUID id) {
    return letters.remove(Objects.requireNonNull(id, "id must not be null")) != null;
  }
}
