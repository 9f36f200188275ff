package dev.cqrs.core;

import dev.cqrs.core.internal.DefaultTrackingProcessor;
import dev.cqrs.core.internal.SegmentedTrackingProcessor;
import dev.cqrs.core.spi.ProcessingCoordinator;
import dev.cqrs.core.spi.ProcessorParts;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;

/**
 * Runs a {@link Projection} asynchronously: on its own thread it reads the store's global order in batches after its
 * checkpoint, applies the events the projection handles, and saves the checkpoint after each batch. The store's
 * wake-up hint starts the next read at once; without it, the processor polls.
 *
 * <pre>{@code
 * TrackingProcessor processor = TrackingProcessor.builder("order-views", store, orderViews, checkpoints)
 *     .batchSize(500)
 *     .retryPolicy(RetryPolicy.exponential(5, Duration.ofMillis(100), Duration.ofSeconds(5)))
 *     .deadLetters(deadLetterStore) // park events that keep failing and go on
 *     .build();
 * processor.start();
 * CommandResult result = commands.send(new PlaceOrder("42", "alice"));
 * // read your own write; a command that appended nothing has no position, and there is nothing to wait for
 * result.lastPosition().ifPresent(p -> processor.awaitProcessed(p, Duration.ofSeconds(5)));
 * }</pre>
 *
 * <p>Delivery is at least once: a crash (or a failed checkpoint save) between applying a batch and saving its
 * checkpoint applies that batch again, so handlers should be idempotent unless the read model and the checkpoint commit
 * together, as with the JDBC backend's transactional processors ({@code JdbcProcessors}), which also hold a lease so
 * that one instance at a time processes. An event that fails is retried with exponential backoff; when it keeps
 * failing, the processor stops with status {@link ProcessorStatus#FAILED} (the default) or parks the event in a
 * {@link DeadLetterStore} and goes on.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public interface TrackingProcessor extends AutoCloseable {

  /**
   * Returns the processor's name, which keys its checkpoint and dead letters.
   *
   * @return the name
   */
  String name();

  /**
   * Starts processing from the stored checkpoint on a new thread; does nothing when already running. A stopped or
   * failed processor may be started again.
   */
  void start();

  /** How long {@link #stop()} waits for the current batch before it interrupts the processor's thread. */
  Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Stops processing and waits for the current event to finish, at most {@link #DEFAULT_STOP_TIMEOUT} before it
   * interrupts the processor's thread; the checkpoint covers every event applied. Does nothing when not running. A
   * processor that failed keeps its status {@link ProcessorStatus#FAILED} and its failure.
   */
  void stop();

  /**
   * Stops processing: asks the processor's thread to finish its current event and waits at most {@code timeout}; then
   * interrupts it (a blocked query or handler gets the interrupt) and waits at most {@code timeout} again.
   *
   * @param timeout how long to wait before interrupting, and after
   * @return {@code true} when the thread ended; {@code false} when it still runs (a handler that ignores interrupts),
   *     in which case its lease, if any, expires on its own
   */
  boolean stop(Duration timeout);

  /** Stops the processor; the same as {@link #stop()}. */
  @Override
  void close();

  /**
   * Rebuilds the read model: stops, calls {@link Projection#reset()}, forgets the checkpoint, and starts again from the
   * first event if it was running.
   */
  void reset();

  /**
   * Returns the current status.
   *
   * @return the status
   */
  ProcessorStatus status();

  /**
   * Returns the failure that stopped the processor, when its status is {@link ProcessorStatus#FAILED}.
   *
   * @return the failure, or empty
   */
  Optional<Throwable> failure();

  /**
   * Returns the position of the last event processed.
   *
   * @return the checkpoint, {@link Position#START} before the first event
   */
  Position checkpoint();

  /**
   * Returns how far the processor is behind the store's head.
   *
   * @return the lag in events and in time
   */
  Lag lag();

  /**
   * Waits until the processor has processed the event at {@code position}, so that a caller can read its own writes.
   * On an instance that stands by while another processes, this follows the checkpoint that the processing instance
   * stores. See {@link #awaitProcessed} for a form that says why a wait failed.
   *
   * @param position a position from a {@link CommandResult} or {@link AppendResult}
   * @param timeout the longest wait
   * @return {@code true} when the position was reached, {@code false} on timeout or when the processor failed
   * @throws InterruptedException if the waiting thread is interrupted
   */
  boolean awaitPosition(Position position, Duration timeout) throws InterruptedException;

  /**
   * Waits until the processor has processed the event at {@code position}, for callers that must read their own
   * writes and cannot handle a checked exception (a query handler): returns when it has, and otherwise throws an
   * exception that says why not (failed, stopped, standing by, or still behind after the timeout). On an instance that
   * stands by while another processes, this follows the checkpoint that the processing instance stores.
   *
   * <pre>{@code
   * CommandResult placed = commands.send(new PlaceOrder("42", "alice"));
   * placed.lastPosition().ifPresent(position -> orderViews.awaitProcessed(position, Duration.ofSeconds(5)));
   * OrderView view = queries.ask(new OrderById("42")); // includes the order just placed
   * }</pre>
   *
   * @param position a position from a {@link CommandResult} or {@link AppendResult}
   * @param timeout the longest wait
   * @throws ProcessorNotReadyException if the position was not reached, saying why; interrupted waits throw it too,
   *     with the thread's interrupt flag set again
   */
  void awaitProcessed(Position position, Duration timeout);

  /**
   * Lists this processor's parked events.
   *
   * @return the dead letters, empty when none or when no dead-letter store is configured
   */
  List<DeadLetter> deadLetters();

  /**
   * Applies a parked event again now, on the calling thread (never at the same time as the processor's own thread);
   * removes it when it succeeds, in one unit with applying it where the backend can (with the JDBC backend's
   * transactional processors, one transaction), and records one more failed attempt when it does not. A failure of the
   * unit itself (the database unreachable, a lost commit acknowledgement) passes through: try again, and a retry that
   * had committed is found gone.
   *
   * @param id the dead letter's id
   * @return {@code true} when the event was applied and the dead letter removed
   * @throws java.util.NoSuchElementException if there is no such dead letter for this processor (any more)
   * @throws IllegalStateException if no dead-letter store is configured
   */
  boolean retryDeadLetter(UUID id);

  /**
   * Removes a parked event without applying it.
   *
   * @param id the dead letter's id
   * @return {@code true} when it existed
   * @throws IllegalStateException if no dead-letter store is configured
   */
  boolean discardDeadLetter(UUID id);

  /**
   * Starts configuring a processor.
   *
   * @param name the processor's name: non-blank, at most 200 characters
   * @param store the event store to read
   * @param projection the projection to run
   * @param checkpoints where the checkpoint is kept
   * @return a new builder
   */
  static Builder builder(String name, EventStore store, Projection projection, CheckpointStore checkpoints) {
    return new Builder(name, store, projection, checkpoints);
  }

  /**
   * Configures a {@link TrackingProcessor}; each setting is checked when it is made. Not thread-safe.
   */
  final class Builder {

    private final String name;
    private final EventStore store;
    private final Projection projection;
    private final CheckpointStore checkpoints;
    private int batchSize = 256;
    private Duration pollInterval = Duration.ofMillis(500);
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private DeadLetterStore deadLetters;
    private Clock clock = Clock.systemUTC();
    private ThreadFactory threadFactory;
    private ProcessingCoordinator coordinator = ProcessingCoordinator.SINGLE_INSTANCE;
    private final List<ProcessorListener> listeners = new ArrayList<>();
    private int segments = 1;
    private boolean segmented;
    private boolean defaultThreads = true;
    private Function<Segment, ProcessorParts> segmentParts;
    private Runnable leave = () -> { };

    private Builder(String name, EventStore store, Projection projection, CheckpointStore checkpoints) {
      Objects.requireNonNull(name, "name must not be null");
      if (name.isBlank() || name.length() > 200) {
        throw new IllegalArgumentException("processor name must be non-blank and at most 200 characters, but was '"
            + name + "'");
      }
      this.name = name;
      this.store = Objects.requireNonNull(store, "store must not be null");
      this.projection = Objects.requireNonNull(projection, "projection must not be null");
      this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints must not be null");
      this.threadFactory = runnable -> {
        Thread thread = new Thread(runnable, "cqrs-processor-" + name);
        thread.setDaemon(true);
        return thread;
      };
    }

    /**
     * Sets how many events one read returns at most; the default is 256.
     *
     * @param batchSize 1 to 10000
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1 || batchSize > 10_000) {
        throw new IllegalArgumentException("batchSize must be between 1 and 10000, but was " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Sets how long the processor waits for a wake-up hint before it reads again anyway; the default is 500 ms.
     *
     * @param pollInterval 1 ms to 1 hour
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder pollInterval(Duration pollInterval) {
      Objects.requireNonNull(pollInterval, "pollInterval must not be null");
      if (pollInterval.compareTo(Duration.ofMillis(1)) < 0 || pollInterval.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("pollInterval must be between 1 ms and 1 hour, but was " + pollInterval);
      }
      this.pollInterval = pollInterval;
      return this;
    }

    /**
     * Sets how a failing event is retried; the default is {@link RetryPolicy#defaults()}.
     *
     * @param retryPolicy the policy
     * @return this builder
     */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy must not be null");
      return this;
    }

    /**
     * Parks events that still fail after every retry in this store and goes on, instead of stopping (the default).
     *
     * @param deadLetters the dead-letter store
     * @return this builder
     */
    public Builder deadLetters(DeadLetterStore deadLetters) {
      this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters must not be null");
      return this;
    }

    /**
     * Sets the clock for lag and dead-letter times; the default is the system clock in UTC.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /**
     * Sets the factory of the processing thread; the default makes a daemon thread named {@code cqrs-processor-NAME}.
     *
     * @param threadFactory the factory
     * @return this builder
     */
    public Builder threadFactory(ThreadFactory threadFactory) {
      this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory must not be null");
      this.defaultThreads = false;
      return this;
    }

    /**
     * Sets who decides when this instance processes and how batches commit; the default processes in this instance
     * without transactions. The JDBC backend supplies coordinators with leases and transactions.
     *
     * @param coordinator the coordinator
     * @return this builder
     */
    public Builder coordinator(ProcessingCoordinator coordinator) {
      this.coordinator = Objects.requireNonNull(coordinator, "coordinator must not be null");
      return this;
    }

    /**
     * Adds a listener that hears batches, retries, parked events and status changes (for metrics); none by default.
     * Call it again to add more.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(ProcessorListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
      return this;
    }

    /**
     * Splits the processor into segments by stream ({@link Segment}): each segment applies the events of its streams
     * in order on a thread of its own, with a checkpoint of its own, so that different streams are handled in
     * parallel; with a coordinating backend each segment also has a lease, and the instances share the segments. The
     * default is 1, one thread for all streams.
     *
     * <p>The projection is then called from several threads at once, never for two events of one stream at a time.
     * The processor's {@link TrackingProcessor#checkpoint()} is the lowest of its segments', and
     * {@link TrackingProcessor#awaitProcessed} waits for every segment.
     *
     * <p>Changing the count of an existing processor resizes it at its next start, without losing or repeating an
     * event: the new segments start at the lowest old checkpoint and skip what the old segment of each stream had
     * processed. The resize waits until no instance processes the old segments (in a rolling deployment, until the
     * instances with the old count have stopped) and until an earlier resize has caught up. A processor once split
     * must keep calling this method ({@code segments(1)} merges it back into one); built without it, it refuses to
     * start.
     *
     * @param count 1 to {@value Segment#MAX_COUNT}
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder segments(int count) {
      if (count < 1 || count > Segment.MAX_COUNT) {
        throw new IllegalArgumentException("segments must be between 1 and " + Segment.MAX_COUNT + ", but was "
            + count);
      }
      this.segments = count;
      this.segmented = true;
      return this;
    }

    /**
     * For backends: makes the projection, checkpoint store and coordinator of each segment when the processor is split
     * (see {@link #segments}), called at build time for every segment and, during a resize, for the segments of the
     * old count; {@code leave} runs when the processor stops. Without it, every segment shares this builder's
     * projection, checkpoint store and coordinator.
     *
     * @param parts makes a segment's parts
     * @param leave runs when the processor stops, so that a coordinating backend can say this instance left
     * @return this builder
     */
    public Builder segmentParts(Function<Segment, ProcessorParts> parts, Runnable leave) {
      this.segmentParts = Objects.requireNonNull(parts, "parts must not be null");
      this.leave = Objects.requireNonNull(leave, "leave must not be null");
      return this;
    }

    /**
     * Builds the processor, stopped.
     *
     * @return the processor
     */
    public TrackingProcessor build() {
      List<ProcessorListener> heard = List.copyOf(listeners);
      if (!segmented) {
        return new DefaultTrackingProcessor(name, store, projection, checkpoints, batchSize, pollInterval,
            retryPolicy, deadLetters, clock, threadFactory, coordinator, heard).requireUnsegmented();
      }
      if (segmentParts == null && coordinator != ProcessingCoordinator.SINGLE_INSTANCE && segments > 1) {
        throw new IllegalStateException("processor '" + name + "' has a coordinator of its own (" + coordinator
            + "), which its " + segments + " segments cannot share; its backend must make one per segment");
      }
      Function<Segment, ProcessorParts> parts = segmentParts != null ? segmentParts
          : segment -> new ProcessorParts(projection, checkpoints, coordinator);
      return new SegmentedTrackingProcessor(name, segments, checkpoints, parts, leave, pollInterval,
          threadFactory("cqrs-processor-" + name + "-resize"),
          (segmentName, made) -> new DefaultTrackingProcessor(segmentName, store, made.projection(),
              made.checkpoints(), batchSize, pollInterval, retryPolicy, deadLetters, clock,
              threadFactory("cqrs-processor-" + segmentName), made.coordinator(), heard));
    }

    private ThreadFactory threadFactory(String threadName) {
      if (!defaultThreads) {
        return threadFactory;
      }
      return runnable -> {
        Thread thread = new Thread(runnable, threadName);
        thread.setDaemon(true);
        return thread;
      };
    }
  }
}
