package dev.cqrs.inmemory;

import dev.cqrs.core.CheckpointStore;
import dev.cqrs.core.Position;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A thread-safe {@link CheckpointStore} in memory. Checkpoints never move backwards except through {@link #reset}.
 */
public final class InMemoryCheckpointStore implements CheckpointStore {

  private final ConcurrentHashMap<String, Position> checkpoints = new ConcurrentHashMap<>();

  private InMemoryCheckpointStore() {
  }

  /**
   * Creates an empty store.
   *
   * @return the store
   */
  public static InMemoryCheckpointStore create() {
    return new InMemoryCheckpointStore();
  }

  @Override
  public Optional<Position> load(String processor) {
    return Optional.ofNullable(checkpoints.get(checkName(processor)));
  }

  @Override
  public void save(String processor, Position position) {
    Objects.requireNonNull(position, "position must not be null");
    checkpoints.compute(checkName(processor), (name, stored) -> {
      if (stored != null && position.compareTo(stored) < 0) {
        throw new IllegalArgumentException("checkpoint of processor '" + name + "' cannot move backwards from "
            + stored + " to " + position);
      }
      return position;
    });
  }

  @Override
  public boolean move(String processor, Position expected, Position position) {
    Objects.requireNonNull(expected, "expected must not be null");
    Objects.requireNonNull(position, "position must not be null");
    if (!position.isAfter(expected)) {
      throw new IllegalArgumentException("checkpoint of processor '" + processor + "' must move forwards, but "
          + position + " is not after " + expected);
    }
    boolean[] moved = new boolean[1];
    checkpoints.compute(checkName(processor), (name, stored) -> {
      if ((stored == null ? Position.START : stored).equals(expected)) {
        moved[0] = true;
        return position;
      }
      return stored;
    });
    return moved[0];
  }

  @Override
  public void reset(String processor) {
    checkpoints.remove(checkName(processor));
  }

  private static String checkName(String processor) {
    Objects.requireNonNull(processor, "processor must not be null");
    if (processor.isBlank()) {
      throw new IllegalArgumentException("processor name must not be blank");
    }
    return processor;
  }
}
