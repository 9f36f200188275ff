package dev.cqrs.jdbc;

import dev.cqrs.core.CheckpointStore;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.Position;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.Segment;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.core.spi.BatchRetryException;
import dev.cqrs.core.spi.ProcessorParts;
import dev.cqrs.jdbc.internal.Jdbc;
import dev.cqrs.jdbc.internal.LeaseCoordinator;
import dev.cqrs.jdbc.internal.SegmentShare;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Tracking processors coordinated through the database, for applications that run several instances on one database.
 * Each processor holds a lease row: one instance at a time processes, the others stand by and take over within the
 * lease time when the holder stops or dies. Every batch runs in one transaction that applies the events, saves the
 * checkpoint, and before committing checks the lease's fencing version under the lease row's lock, so a stale holder
 * (after a long pause) can neither move the checkpoint nor commit its batch.
 *
 * <pre>{@code
 * TrackingProcessor processor = JdbcProcessors.transactional(config, "order-counts", store, orderCounts)
 *     .batchSize(500)
 *     .build();
 * processor.start();
 * }</pre>
 *
 * <p>With {@link #transactional} the read model lives in the same database and is written through the batch's
 * connection, so each event is applied exactly once, across crashes and take-overs. With {@link #leased} the read model
 * lives elsewhere: one instance at a time still processes, but delivery is at least once. Stateless and thread-safe.
 */
public final class JdbcProcessors {

  /** The lease time used unless another is given. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(10);

  private JdbcProcessors() {
  }

  /**
   * Starts configuring a processor whose read model is in the same database: batch, read-model writes and checkpoint
   * commit together, so each event is applied exactly once.
   *
   * @param config where the tables are
   * @param name the processor's name
   * @param store the event store to read
   * @param projection the projection, which writes through the batch's connection
   * @return a processor builder with projection, checkpoints and coordinator set
   */
  public static TrackingProcessor.Builder transactional(JdbcConfig config, String name, EventStore store,
                                                        JdbcProjection projection) {
    return transactional(config, name, store, projection, "instance-" + UUID.randomUUID(), DEFAULT_LEASE);
  }

  /**
   * Like {@link #transactional(JdbcConfig, String, EventStore, JdbcProjection)}, with an instance name and lease time.
   *
   * @param config where the tables are
   * @param name the processor's name
   * @param store the event store to read
   * @param projection the projection
   * @param instance this application instance's name, unique among the instances
   * @param leaseDuration how long a lease lasts without renewal; a dead holder is replaced after it
   * @return a processor builder
   */
  public static TrackingProcessor.Builder transactional(JdbcConfig config, String name, EventStore store,
                                                        JdbcProjection projection, String instance,
                                                        Duration leaseDuration) {
    Objects.requireNonNull(projection, "projection must not be null");
    return coordinated(config, name, store, instance, leaseDuration,
        coordinator -> new TransactionalProjection(config, projection, coordinator));
  }

  /**
   * Starts configuring a processor whose read model is elsewhere (in memory, another store): one instance at a time
   * processes, and the checkpoint is saved under the lease's fence; delivery is at least once.
   *
   * @param config where the tables are
   * @param name the processor's name
   * @param store the event store to read
   * @param projection the projection
   * @param instance this application instance's name, unique among the instances
   * @param leaseDuration how long a lease lasts without renewal
   * @return a processor builder
   */
  public static TrackingProcessor.Builder leased(JdbcConfig config, String name, EventStore store,
                                                 Projection projection, String instance, Duration leaseDuration) {
    Objects.requireNonNull(projection, "projection must not be null");
    return coordinated(config, name, store, instance, leaseDuration, coordinator -> projection);
  }

  /** A processor builder with a lease coordinator, fenced checkpoints and the projection made for the coordinator. */
  private static TrackingProcessor.Builder coordinated(JdbcConfig config, String name, EventStore store,
                                                       String instance, Duration leaseDuration,
                                                       Function<LeaseCoordinator, Projection> projection) {
    Objects.requireNonNull(config, "config must not be null");
    Objects.requireNonNull(instance, "instance must not be null");
    Objects.requireNonNull(leaseDuration, "leaseDuration must not be null");
    if (instance.isBlank() || instance.length() > 200) {
      throw new IllegalArgumentException("instance must be non-blank and at most 200 characters, but was '"
          + instance + "'");
    }
    if (leaseDuration.compareTo(Duration.ofMillis(300)) < 0 || leaseDuration.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("leaseDuration must be between 300 ms and 1 hour, but was " + leaseDuration);
    }
    LeaseCoordinator coordinator = new LeaseCoordinator(config, name, instance, leaseDuration);
    Projection made = projection.apply(coordinator);
    JdbcCheckpointStore stored = JdbcCheckpointStore.create(config);
    CheckpointStore checkpoints = new FencedCheckpoints(stored, coordinator,
        made instanceof TransactionalProjection transactional ? transactional : null);
    // Segments: a lease, projection adapter and fenced checkpoints each; the segments of the count built first share
    // this instance's part of them with the other instances, the older counts (asked for during a resize) do not.
    Map<Integer, SegmentShare> shares = new ConcurrentHashMap<>();
    AtomicInteger built = new AtomicInteger();
    Function<Segment, ProcessorParts> parts = segment -> {
      built.compareAndSet(0, segment.count());
      LeaseCoordinator lease = new LeaseCoordinator(config, segment.processorName(name), instance, leaseDuration);
      if (segment.count() == built.get() && segment.count() > 1) {
        lease.sharing(shares.computeIfAbsent(segment.count(),
            count -> new SegmentShare(config, name, instance, count, leaseDuration.toMillis())), segment.index());
      }
      Projection own = projection.apply(lease);
      return new ProcessorParts(own, new FencedCheckpoints(stored, lease,
          own instanceof TransactionalProjection transactional ? transactional : null), lease);
    };
    return TrackingProcessor.builder(name, store, made, checkpoints).coordinator(coordinator)
        .segmentParts(parts, () -> shares.values().forEach(SegmentShare::leave));
  }

  /**
   * Saves the checkpoint with the batch's connection, inside the fenced transaction; first has a transactional
   * projection write the events it collected, since the processor saves the checkpoint at the end of every batch.
   */
  private static final class FencedCheckpoints implements CheckpointStore {
    private final JdbcCheckpointStore checkpoints;
    private final LeaseCoordinator coordinator;
    private final TransactionalProjection projection;

    FencedCheckpoints(JdbcCheckpointStore checkpoints, LeaseCoordinator coordinator,
                      TransactionalProjection projection) {
      this.checkpoints = checkpoints;
      this.coordinator = coordinator;
      this.projection = projection;
    }

    @Override
    public Optional<Position> load(String processor) {
      return checkpoints.load(processor);
    }

    @Override
    public void save(String processor, Position position) {
      Connection connection = coordinator.currentConnection();
      if (connection == null) {
        checkpoints.save(processor, position);
        return;
      }
      flush(connection);
      try {
        checkpoints.save(connection, processor, position);
      } catch (SQLException e) {
        throw Jdbc.translate(e, "save of checkpoint '" + processor + "'");
      }
    }

    @Override
    public boolean move(String processor, Position expected, Position position) {
      Connection connection = coordinator.currentConnection();
      if (connection == null) {
        return checkpoints.move(processor, expected, position);
      }
      flush(connection);
      try {
        return checkpoints.move(connection, processor, expected, position);
      } catch (SQLException e) {
        throw Jdbc.translate(e, "move of checkpoint '" + processor + "'");
      }
    }

    private void flush(Connection connection) {
      if (projection != null) {
        projection.flush(connection);
      }
    }

    @Override
    public void reset(String processor) {
      Connection connection = coordinator.currentConnection();
      if (connection == null) {
        checkpoints.reset(processor);
        return;
      }
      try {
        checkpoints.reset(connection, processor);
      } catch (SQLException e) {
        throw Jdbc.translate(e, "reset of checkpoint '" + processor + "'");
      }
    }
  }

  /**
   * Applies the batch's events in the batch's transaction: collects them and writes them with one
   * {@link JdbcProjection#applyBatch} call before the checkpoint is saved; after a failure, the batch runs again with a
   * savepoint per event and {@link JdbcProjection#apply}, so that a failing event can be retried or parked without
   * losing the others.
   */
  private static final class TransactionalProjection implements Projection {
    private final JdbcConfig config;
    private final JdbcProjection projection;
    private final LeaseCoordinator coordinator;
    private final List<RecordedEvent> pending = new ArrayList<>();
    private Connection pendingConnection;
    /** The event that failed when applied alone last; it is applied alone again, under a savepoint, until it passes. */
    private UUID failedAlone;

    TransactionalProjection(JdbcConfig config, JdbcProjection projection, LeaseCoordinator coordinator) {
      this.config = config;
      this.projection = projection;
      this.coordinator = coordinator;
    }

    @Override
    public boolean handles(Class<? extends Event> eventType) {
      return projection.handles(eventType);
    }

    @Override
    public void apply(RecordedEvent event) {
      Connection connection = coordinator.currentConnection();
      if (connection == null) {
        // outside a batch: a dead-letter retry on the caller's thread
        Jdbc.inTransaction(config, "apply of " + event, c -> {
          projection.apply(event, c);
          return null;
        });
        return;
      }
      if (connection != pendingConnection) {
        pending.clear(); // what was collected belongs to a batch that rolled back
        pendingConnection = connection;
      }
      if (!coordinator.savepoints() && !event.eventId().equals(failedAlone)) {
        // Fast path: collect the batch; flush() writes it before the checkpoint is saved, without savepoints.
        pending.add(event);
        return;
      }
      flush(connection); // what was collected before it comes first
      Savepoint savepoint = null;
      try {
        savepoint = connection.setSavepoint();
        projection.apply(event, connection);
        connection.releaseSavepoint(savepoint);
        failedAlone = null;
      } catch (SQLException e) {
        rollbackTo(connection, savepoint, e);
        failedAlone = event.eventId();
        throw Jdbc.translate(e, "apply of " + event);
      } catch (RuntimeException e) {
        rollbackTo(connection, savepoint, e);
        failedAlone = event.eventId();
        throw e;
      }
    }

    /**
     * Writes the events collected in this batch's transaction. A failure may leave the transaction unusable
     * (PostgreSQL aborts it), so the whole batch runs again, carefully, event by event with one savepoint each.
     */
    void flush(Connection connection) {
      if (pending.isEmpty() || connection != pendingConnection) {
        pending.clear();
        return;
      }
      List<RecordedEvent> batch = List.copyOf(pending);
      pending.clear();
      try {
        projection.applyBatch(batch, connection);
      } catch (SQLException | RuntimeException e) {
        coordinator.useSavepointsForRetry();
        throw new BatchRetryException("applying the " + batch.size() + " events from " + batch.get(0) + " to "
            + batch.get(batch.size() - 1) + " failed; running the batch again event by event, with savepoints", e);
      }
    }

    private static void rollbackTo(Connection connection, Savepoint savepoint, Exception cause) {
      if (savepoint != null) {
        try {
          connection.rollback(savepoint);
        } catch (SQLException rollback) {
          cause.addSuppressed(rollback);
        }
      }
    }

    @Override
    public void reset() {
      pending.clear();
      Connection connection = coordinator.currentConnection();
      if (connection != null) {
        // in the coordinator's fenced reset transaction, with the checkpoint's reset
        try {
          projection.reset(connection);
        } catch (SQLException e) {
          throw Jdbc.translate(e, "reset of " + projection);
        }
        return;
      }
      Jdbc.inTransaction(config, "reset of " + projection, c -> {
        projection.reset(c);
        return null;
      });
    }
  }
}
