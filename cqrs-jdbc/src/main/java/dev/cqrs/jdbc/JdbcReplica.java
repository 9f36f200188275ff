package dev.cqrs.jdbc;

import dev.cqrs.core.CqrsException;
import dev.cqrs.core.TransientException;
import dev.cqrs.core.Position;
import dev.cqrs.core.ProcessorNotReadyException;
import dev.cqrs.core.spi.SegmentLayouts;
import dev.cqrs.jdbc.internal.Jdbc;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads that a PostgreSQL streaming replica serves, with read-your-writes: before a query reads a read model (or the
 * events) on the replica, it waits until the replica has replayed the position its caller's command returned, and
 * fails with a clear exception if it has not within the timeout, never answering without the write.
 *
 * <pre>{@code
 * JdbcReplica replica = JdbcReplica.of(JdbcConfig.builder(replicaDataSource).build());
 * // in a query handler; the processor runs on the primary and writes its read model there
 * query.after().ifPresent(position -> replica.awaitProcessed("order-views", position, Duration.ofSeconds(5)));
 * try (Connection connection = replicaDataSource.getConnection()) { ... read the order views ... }
 * }</pre>
 *
 * <p>A transaction on the primary commits the read model's rows with the processor's checkpoint, and the replica
 * replays the primary's commits in their order: once the replica shows the checkpoint at a position, it shows the read
 * model up to it. {@link #awaitReplayed} does the same for the events themselves, for a {@link JdbcEventStore} built on
 * the replica's configuration (which reads; appends and processors belong on the primary). Thread-safe.
 */
public final class JdbcReplica {

  private static final long POLL_MILLIS = 10;

  private final JdbcConfig config;
  private final JdbcCheckpointStore checkpoints;

  private JdbcReplica(JdbcConfig config) {
    this.config = config;
    this.checkpoints = JdbcCheckpointStore.create(config);
  }

  /**
   * Reads through a replica.
   *
   * @param replica the replica's configuration: its data source, and the schema and table prefix of the primary
   * @return the replica reads
   */
  public static JdbcReplica of(JdbcConfig replica) {
    return new JdbcReplica(Objects.requireNonNull(replica, "replica must not be null"));
  }

  /**
   * Waits until the replica shows that a processor (every segment of it) has processed a position.
   *
   * @param processor the processor's name
   * @param position a position from a command's result
   * @param timeout the longest wait
   * @throws ProcessorNotReadyException if the replica has not replayed that far within the timeout (saying how far it
   *     has), if it cannot be reached until then, or if the waiting thread is interrupted
   * @throws CqrsException if reading the replica fails for a reason that waiting does not mend; a missing table is
   *     waited for (the replica may not have replayed its creation yet) and reported at the timeout
   */
  public void awaitProcessed(String processor, Position position, Duration timeout) {
    Objects.requireNonNull(processor, "processor must not be null");
    await(position, timeout, () -> {
      Position lowest = null;
      for (String name : SegmentLayouts.checkpointNames(checkpoints, processor)) {
        Position at = checkpoints.load(name).orElse(Position.START);
        lowest = lowest == null || at.compareTo(lowest) < 0 ? at : lowest;
      }
      return lowest;
    }, "processor '" + processor + "'");
  }

  /**
   * Waits until the replica shows the event at a position, and so every event committed before it on the primary.
   *
   * @param position a position from an append or a command's result
   * @param timeout the longest wait
   * @throws ProcessorNotReadyException if the replica has not replayed it within the timeout, cannot be reached until
   *     then, or the waiting thread is interrupted
   * @throws CqrsException if reading the replica fails for a reason that waiting does not mend; a missing table is
   *     waited for and reported at the timeout
   */
  public void awaitReplayed(Position position, Duration timeout) {
    String select = "SELECT 1 FROM " + config.table("events") + (config.database() == Database.POSTGRESQL
        ? " WHERE transaction_id = ? AND position = ?" : " WHERE ? = 0 AND position = ?");
    await(position, timeout, () -> Jdbc.withConnection(config, "look-up of " + position + " on the replica", c -> {
      try (PreparedStatement statement = c.prepareStatement(select)) {
        statement.setLong(1, position.commit());
        statement.setLong(2, position.sequence());
        try (ResultSet result = statement.executeQuery()) {
          return result.next() ? position : Position.START;
        }
      }
    }), "the events");
  }

  /** Polls until {@code reached} is at or after the position. */
  private void await(Position position, Duration timeout, java.util.function.Supplier<Position> reached,
                     String what) {
    Objects.requireNonNull(position, "position must not be null");
    Objects.requireNonNull(timeout, "timeout must not be null");
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<Position> seen = Optional.empty();
    CqrsException failure = null;
    while (true) {
      try {
        Position at = reached.get();
        if (at.compareTo(position) >= 0) {
          return;
        }
        seen = Optional.of(at);
        failure = null;
      } catch (TransientException e) {
        failure = e; // the replica unreachable, restarting: try again until the deadline
      } catch (CqrsException e) {
        if (!(e.getCause() instanceof SQLException sql) || !"42P01".equals(sql.getSQLState())) {
          throw e;
        }
        failure = e; // a table the replica has not replayed yet (or a wrong schema, which the timeout reports)
      }
      if (System.nanoTime() - deadline >= 0) {
        String why = failure != null ? "the replica could not be read: " + failure.getMessage()
            : "the replica has replayed " + what + " only up to " + seen.map(Position::toString).orElse("nothing")
                + " after " + timeout;
        throw new ProcessorNotReadyException(what + " on the replica has not reached " + position + ": " + why,
            failure);
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ProcessorNotReadyException("interrupted while waiting for the replica to reach " + position, e);
      }
    }
  }

  @Override
  public String toString() {
    return "JdbcReplica[" + config + "]";
  }
}
