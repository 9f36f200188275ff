package dev.cqrs.jdbc.internal;

import dev.cqrs.core.CheckpointStore;
import dev.cqrs.core.Position;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checkpoints in memory, for the read models a {@link dev.cqrs.jdbc.JdbcEventStore} keeps in this JVM: they are
 * rebuilt from the events at every start, so their checkpoints need not outlive the JVM. Thread-safe.
 */
public final class MemoryCheckpoints implements CheckpointStore {

  private final Map<String, Position> checkpoints = new ConcurrentHashMap<>();

  @Override
  public Optional<Position> load(String processor) {
    return Optional.ofNullable(checkpoints.get(processor));
  }

  @Override
  public void save(String processor, Position position) {
    Objects.requireNonNull(position, "position must not be null");
    checkpoints.merge(processor, position, (stored, offered) -> {
      if (offered.compareTo(stored) < 0) {
        throw new IllegalArgumentException("checkpoint of processor '" + processor + "' cannot move backwards from "
            + stored + " to " + offered);
      }
      return offered;
    });
  }

  @Override
  public boolean move(String processor, Position expected, Position position) {
    if (!position.isAfter(expected)) {
      throw new IllegalArgumentException("checkpoint of processor '" + processor + "' must move forwards, but "
          + position + " is not after " + expected);
    }
    boolean[] moved = new boolean[1];
    checkpoints.compute(processor, (name, stored) -> {
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
    checkpoints.remove(processor);
  }
}
