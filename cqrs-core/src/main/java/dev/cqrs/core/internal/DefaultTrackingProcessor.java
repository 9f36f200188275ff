package dev.cqrs.core.internal;

import dev.cqrs.core.CheckpointStore;
import dev.cqrs.core.CqrsException;
import dev.cqrs.core.DeadLetter;
import dev.cqrs.core.DeadLetterStore;
import dev.cqrs.core.EventFeed;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.Lag;
import dev.cqrs.core.Position;
import dev.cqrs.core.ProcessorListener;
import dev.cqrs.core.ProcessorNotReadyException;
import dev.cqrs.core.ProcessorStatus;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.Registration;
import dev.cqrs.core.RetryPolicy;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.core.spi.BatchRetryException;
import dev.cqrs.core.spi.LeaseLostException;
import dev.cqrs.core.spi.ProcessingCoordinator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor behind {@link TrackingProcessor#builder}. Life-cycle methods are serialized by {@code this}; the
 * projection is applied under {@link #applyLock} so that dead-letter retries never run beside the worker; progress is
 * published under {@link #progressLock}. Thread-safe.
 */
public final class DefaultTrackingProcessor implements TrackingProcessor {

  private static final Logger LOG = LoggerFactory.getLogger(DefaultTrackingProcessor.class);

  private final String name;
  private final EventStore store;
  private final Projection projection;
  private final CheckpointStore checkpoints;
  private final int batchSize;
  private final Duration pollInterval;
  private final RetryPolicy retryPolicy;
  private final DeadLetterStore deadLetters;
  private final Clock clock;
  private final ThreadFactory threadFactory;
  private final ProcessingCoordinator coordinator;

  private final ReentrantLock applyLock = new ReentrantLock();
  private final ReentrantLock progressLock = new ReentrantLock();
  private final Condition progressed = progressLock.newCondition();
  private final Semaphore hint = new Semaphore(0);
  private final List<ProcessorListener> listeners;

  private volatile Position checkpoint;
  /** Status and failure, published together so that readers never see one without the other. */
  private volatile State state = new State(ProcessorStatus.STOPPED, null);
  private volatile boolean running;
  /** The event that failed last, how often in a row, and since when; only the worker thread touches these. */
  private UUID failingEvent;
  private int failedAttempts;
  private Instant firstFailure;
  private Thread worker;
  private Registration wakeUp;
  private volatile boolean requireUnsegmented;

  /**
   * Creates a stopped processor; called by {@link TrackingProcessor.Builder#build()}.
   *
   * @param name the name
   * @param store the event store
   * @param projection the projection
   * @param checkpoints the checkpoint store
   * @param batchSize events per read
   * @param pollInterval the polling fallback
   * @param retryPolicy retries per failing event
   * @param deadLetters the dead-letter store, or null to stop on a persistent failure
   * @param clock the clock
   * @param threadFactory makes the worker thread
   * @param coordinator decides when this instance processes and makes batches atomic
   * @param listeners hear batches, retries, parked events and status changes
   */
  public DefaultTrackingProcessor(String name, EventStore store, Projection projection, CheckpointStore checkpoints,
                                  int batchSize, Duration pollInterval, RetryPolicy retryPolicy,
                                  DeadLetterStore deadLetters, Clock clock, ThreadFactory threadFactory,
                                  ProcessingCoordinator coordinator, List<ProcessorListener> listeners) {
    this.name = name;
    this.store = store;
    this.projection = projection;
    this.checkpoints = checkpoints;
    this.batchSize = batchSize;
    this.pollInterval = pollInterval;
    this.retryPolicy = retryPolicy;
    this.deadLetters = deadLetters;
    this.clock = clock;
    this.threadFactory = threadFactory;
    this.coordinator = coordinator;
    this.listeners = listeners;
  }

  /**
   * Makes {@link #start()} refuse a processor whose recorded layout has several segments, which this unsegmented
   * processor would otherwise process again from its own (retired or missing) checkpoint.
   *
   * @return this processor
   */
  public DefaultTrackingProcessor requireUnsegmented() {
    this.requireUnsegmented = true;
    return this;
  }

  @Override
  public String name() {
    return name;
  }

  /** A status with the failure that caused it; the failure is present exactly when the status is FAILED. */
  private record State(ProcessorStatus status, Throwable failure) {
  }

  private void setStatus(ProcessorStatus status) {
    ProcessorStatus before = state.status();
    state = new State(status, null);
    if (before != status) {
      tell(listener -> listener.statusChanged(name, status, Optional.empty()));
    }
  }

  /** Tells every listener; a listener's failure is logged and changes nothing. */
  private void tell(Consumer<ProcessorListener> call) {
    for (ProcessorListener listener : listeners) {
      try {
        call.accept(listener);
      } catch (RuntimeException e) {
        LOG.warn("a listener of processor '{}' failed; ignored", name, e);
      }
    }
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    if (worker != null) {
      stop(); // the worker of a failed run has ended; release its wake-up registration
    }
    if (requireUnsegmented) {
      Optional<Position> layout = checkpoints.load(SegmentedTrackingProcessor.layoutName(name));
      if (layout.isPresent() && layout.get().sequence() != 1) {
        throw new IllegalStateException("processor '" + name + "' runs in " + layout.get().sequence()
            + " segments; build it with segments(" + layout.get().sequence() + "), or with segments(1) to merge"
            + " them into one");
      }
    }
    checkpoint = checkpoints.load(name).orElse(Position.START);
    failingEvent = null;
    failedAttempts = 0;
    running = true;
    setStatus(ProcessorStatus.STANDBY); // RUNNING once the coordinator lets this instance process
    hint.drainPermits();
    wakeUp = store.onAppend(hint::release);
    worker = threadFactory.newThread(this::run);
    worker.start();
    LOG.info("processor '{}' started at {}", name, checkpoint);
  }

  @Override
  public void stop() {
    stop(DEFAULT_STOP_TIMEOUT);
  }

  @Override
  public synchronized boolean stop(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout must not be null");
    return stop(timeout, true);
  }

  /** Stops the worker; a reset keeps the lease, so that no other instance starts from the old checkpoint meanwhile. */
  private boolean stop(Duration timeout, boolean releaseLease) {
    Thread current = worker;
    if (current == null) {
      return true;
    }
    running = false;
    hint.release();
    signalProgress();
    boolean ended = current == Thread.currentThread() || join(current, timeout);
    if (!ended) {
      LOG.warn("processor '{}' did not stop within {}; interrupting it", name, timeout);
      current.interrupt();
      ended = join(current, timeout);
      if (!ended) {
        LOG.error("processor '{}' did not end after an interrupt either; its thread {} is left running, and its"
            + " lease expires on its own", name, current.getName());
      }
    }
    worker = null;
    wakeUp.close();
    if (releaseLease) {
      try {
        coordinator.release();
      } catch (RuntimeException e) {
        LOG.warn("processor '{}' could not release its lease; it expires on its own", name, e);
      }
    }
    State now = state;
    if (now.status() != ProcessorStatus.FAILED) {
      setStatus(ProcessorStatus.STOPPED);
    }
    signalProgress();
    LOG.info("processor '{}' stopped at {}", name, checkpoint);
    return ended;
  }

  /** Waits for a thread to end, at most {@code timeout}; keeps the caller's interrupt. */
  private static boolean join(Thread thread, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean interrupted = false;
    try {
      long remaining;
      while (thread.isAlive() && (remaining = deadline - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedJoin(thread, remaining);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return !thread.isAlive();
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public synchronized void reset() {
    boolean wasRunning = running;
    stop(DEFAULT_STOP_TIMEOUT, false);
    applyLock.lock();
    try {
      coordinator.reset(() -> {
        projection.reset();
        checkpoints.reset(name);
      });
      progressLock.lock();
      try {
        checkpoint = Position.START;
      } finally {
        progressLock.unlock();
      }
      setStatus(ProcessorStatus.STOPPED);
    } finally {
      applyLock.unlock();
    }
    LOG.info("processor '{}' reset to the first event", name);
    if (wasRunning) {
      start();
    } else {
      coordinator.release(); // the reset took the lease: hand it to a standby instance at once
    }
  }

  @Override
  public ProcessorStatus status() {
    return state.status();
  }

  @Override
  public Optional<Throwable> failure() {
    return Optional.ofNullable(state.failure());
  }

  @Override
  public Position checkpoint() {
    Position current = checkpoint;
    return current != null ? current : checkpoints.load(name).orElse(Position.START);
  }

  @Override
  public Lag lag() {
    Position current = checkpoint();
    long events = store.countAfter(current);
    if (events == 0) {
      return new Lag(0, Duration.ZERO);
    }
    List<RecordedEvent> next = store.readAll(current, 1);
    Duration behind = next.isEmpty() ? Duration.ZERO
        : Duration.between(next.get(0).metadata().timestamp(), clock.instant());
    return new Lag(events, behind.isNegative() ? Duration.ZERO : behind);
  }

  @Override
  public boolean awaitPosition(Position position, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(position, "position must not be null");
    Objects.requireNonNull(timeout, "timeout must not be null");
    long deadline = System.nanoTime() + timeout.toNanos();
    progressLock.lock();
    try {
      while (!reached(position)) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0 || state.status() == ProcessorStatus.FAILED) {
          return false;
        }
        progressed.awaitNanos(remaining);
      }
      return true;
    } finally {
      progressLock.unlock();
    }
  }

  @Override
  public void awaitProcessed(Position position, Duration timeout) {
    Objects.requireNonNull(position, "position must not be null");
    Objects.requireNonNull(timeout, "timeout must not be null");
    boolean reached;
    try {
      reached = awaitPosition(position, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProcessorNotReadyException("interrupted while waiting for processor '" + name + "' to process "
          + position, e);
    }
    if (reached) {
      return;
    }
    State now = state;
    String why = switch (now.status()) {
      case FAILED -> "it failed: " + now.failure();
      case STOPPED -> "it is stopped (never started, or stopped) at " + checkpoint;
      case STANDBY -> "it stands by for another instance, whose checkpoint is at " + checkpoint + " after " + timeout;
      case RUNNING -> "it is at " + checkpoint + " after " + timeout;
      case RETRYING -> "it is retrying after failures at " + checkpoint + " after " + timeout;
    };
    throw new ProcessorNotReadyException("processor '" + name + "' has not processed " + position + ": " + why,
        now.failure());
  }

  private boolean reached(Position position) {
    Position current = checkpoint;
    return current != null && current.compareTo(position) >= 0;
  }

  @Override
  public List<DeadLetter> deadLetters() {
    return deadLetters == null ? List.of() : deadLetters.list(name);
  }

  @Override
  public boolean retryDeadLetter(UUID id) {
    DeadLetterStore parked = requireDeadLetters();
    DeadLetter letter = parked.find(id).filter(d -> d.processor().equals(name))
        .orElseThrow(() -> new NoSuchElementException("processor '" + name + "' has no dead letter " + id));
    RuntimeException[] failed = new RuntimeException[1];
    boolean retried;
    applyLock.lock();
    try {
      retried = coordinator.retryDeadLetter(parked, letter, () -> {
        try {
          projection.apply(letter.event());
        } catch (RuntimeException e) {
          failed[0] = e;
          throw e;
        }
      });
    } catch (RuntimeException e) {
      if (failed[0] == null) {
        throw e; // the unit itself failed, perhaps after it committed: the caller may try again and will find out
      }
      parked.save(letter.failedAgain(failed[0], clock.instant()));
      LOG.warn("processor '{}': retry of dead letter {} ({}) failed again", name, id, letter.event(), failed[0]);
      return false;
    } finally {
      applyLock.unlock();
    }
    if (!retried) {
      throw new NoSuchElementException("processor '" + name + "' has no dead letter " + id
          + " any more: it was retried or discarded meanwhile");
    }
    return true;
  }

  @Override
  public boolean discardDeadLetter(UUID id) {
    return requireDeadLetters().remove(id);
  }

  private DeadLetterStore requireDeadLetters() {
    if (deadLetters == null) {
      throw new IllegalStateException("processor '" + name + "' has no dead-letter store; configure one with"
          + " TrackingProcessor.builder(...).deadLetters(store)");
    }
    return deadLetters;
  }

  /**
   * The worker loop: hold the right to process, read a batch from the store's feed (which may read the next batch
   * meanwhile), apply it and move the checkpoint as one unit of the coordinator, then move the in-memory checkpoint;
   * wait for a hint when caught up. A failing event ends its batch: what came before it commits, and the processor
   * backs off outside any transaction before it tries the event again. After any failure the stored checkpoint is the
   * truth again (a commit may have succeeded although it reported a failure), and a batch that did not end where the
   * feed stands reopens the feed at the checkpoint, so nothing is skipped and nothing applied twice.
   */
  private void run() {
    boolean owner = false;
    boolean reload = false;
    int failures = 0;
    EventFeed feed = null;
    try {
      while (running) {
        try {
          if (reload) {
            feed = close(feed);
            moveTo(checkpoints.load(name).orElse(Position.START));
            reload = false;
          }
          if (!coordinator.acquire()) {
            if (owner) {
              LOG.info("processor '{}' is on standby: another instance holds its lease", name);
            }
            owner = false;
            setStatus(ProcessorStatus.STANDBY);
            feed = close(feed);
            // follow the instance that processes, so that callers waiting on this instance see its progress
            moveTo(checkpoints.load(name).orElse(Position.START));
            pause(pollInterval);
            continue;
          }
          if (!owner) {
            owner = true;
            moveTo(checkpoints.load(name).orElse(Position.START));
            setStatus(ProcessorStatus.RUNNING);
          }
          if (feed == null || !feed.position().equals(checkpoint)) {
            // first read, or the last batch did not end where the feed is: read again from the checkpoint
            feed = close(feed); // stays null if opening fails: the next round opens again
            feed = store.openFeed(checkpoint, batchSize);
          }
          List<RecordedEvent> batch = feed.next();
          if (batch.isEmpty()) {
            recovered();
            failures = 0;
            awaitHint();
            continue;
          }
          Position start = checkpoint;
          long began = System.nanoTime();
          BatchOutcome outcome = coordinator.inBatch(() -> applyBatch(start, batch));
          failures = 0;
          if (outcome.events() > 0) {
            Duration took = Duration.ofNanos(System.nanoTime() - began);
            tell(listener -> listener.batchCommitted(name, outcome.events(), outcome.last(), took));
          }
          if (outcome.failedEvent() == null) {
            recovered();
          }
          advance(outcome.last());
          if (outcome.failedEvent() != null) {
            failed(outcome.failedEvent(), outcome.failure());
          } else if (outcome.last().isAfter(start)) {
            failingEvent = null;
          }
        } catch (Stopped stopped) {
          return;
        } catch (BatchRetryException retry) {
          LOG.debug("processor '{}' runs its batch after {} again: {}", name, checkpoint, retry.getMessage());
        } catch (LeaseLostException lost) {
          LOG.warn("processor '{}' lost its lease; its last batch was rolled back", name, lost);
          owner = false;
          reload = true;
          setStatus(ProcessorStatus.STANDBY);
        } catch (CheckpointMovedException moved) {
          LOG.info("processor '{}': {}; going on from the stored checkpoint", name, moved.getMessage());
          reload = true;
        } catch (RuntimeException e) {
          reload = true; // a failed commit may still have committed: the stored checkpoint is the truth
          failures++;
          if (!isTransient(e) && failures >= retryPolicy.maxAttempts()) {
            fail(e, "failed " + failures + " times in a row at " + checkpoint);
            return;
          }
          Duration wait = retryPolicy.backoffAfter(failures);
          LOG.warn("processor '{}' failed at {} (failure {}), trying again in {}", name, checkpoint, failures, wait, e);
          if (owner) {
            setStatus(ProcessorStatus.RETRYING);
          }
          int attempt = failures;
          Position at = checkpoint;
          tell(listener -> listener.retrying(name, at, attempt, e));
          pause(wait);
        }
      }
    } finally {
      close(feed);
    }
  }

  private static boolean isTransient(RuntimeException e) {
    return e instanceof CqrsException cqrs && cqrs.isTransient();
  }

  /**
   * An event failed (its batch committed what came before it): back off and try it again, or, once it is out of
   * attempts, park it with a checkpoint past it in one unit, or stop the processor.
   */
  private void failed(RecordedEvent event, RuntimeException failure) {
    if (!event.eventId().equals(failingEvent)) {
      failingEvent = event.eventId();
      failedAttempts = 0;
      firstFailure = clock.instant();
    }
    failedAttempts++;
    if (failedAttempts < retryPolicy.maxAttempts()) {
      setStatus(ProcessorStatus.RETRYING);
      int attempt = failedAttempts;
      tell(listener -> listener.retrying(name, event.position(), attempt, failure));
      Duration wait = retryPolicy.backoffAfter(failedAttempts);
      LOG.debug("processor '{}': {} failed (attempt {}), retrying in {}", name, event, failedAttempts, wait, failure);
      pause(wait); // outside any transaction: nothing is held while waiting
      return;
    }
    if (deadLetters == null) {
      fail(failure, event + " failed " + failedAttempts + " times");
      return;
    }
    DeadLetter letter = new DeadLetter(DeadLetter.idFor(name, event.eventId()), name, event,
        DeadLetter.describe(failure), failedAttempts, firstFailure, clock.instant());
    Position start = checkpoint;
    try {
      coordinator.inBatch(() -> {
        coordinator.saveDeadLetter(deadLetters, letter);
        moveCheckpoint(start, event.position());
        return null;
      });
    } catch (LeaseLostException | BatchRetryException | CheckpointMovedException e) {
      throw e;
    } catch (RuntimeException parkFailure) {
      if (isTransient(parkFailure)) {
        throw parkFailure; // the loop reloads the checkpoint and tries again
      }
      parkFailure.addSuppressed(failure);
      fail(parkFailure, "could not park " + event + " as a dead letter");
      throw new Stopped();
    }
    advance(event.position());
    failingEvent = null;
    LOG.warn("processor '{}' parked {} as dead letter {} after {} attempts", name, event, letter.id(),
        failedAttempts, failure);
    tell(listener -> listener.parked(name, letter));
  }

  /** Back to RUNNING after an attempt that succeeded. */
  private void recovered() {
    if (state.status() == ProcessorStatus.RETRYING) {
      setStatus(ProcessorStatus.RUNNING);
    }
  }

  /** Ends the worker with status FAILED and the cause, published together. */
  private void fail(Throwable cause, String what) {
    running = false;
    state = new State(ProcessorStatus.FAILED, cause);
    signalProgress();
    LOG.error("processor '{}' stopped: {}", name, what, cause);
    tell(listener -> listener.statusChanged(name, ProcessorStatus.FAILED, Optional.of(cause)));
  }

  /** Closes a feed, if any, logging a failure to close; returns {@code null} for the caller's variable. */
  private EventFeed close(EventFeed feed) {
    if (feed != null) {
      try {
        feed.close();
      } catch (RuntimeException e) {
        LOG.warn("processor '{}' could not close its event feed", name, e);
      }
    }
    return null;
  }

  /** What one batch did: how far it got, and the event that failed, if one did. */
  private record BatchOutcome(Position last, int events, RecordedEvent failedEvent, RuntimeException failure) {
  }

  /**
   * Applies a batch up to the first event that fails, and moves the checkpoint past what was applied; runs inside the
   * coordinator's unit of work, once, without waiting.
   */
  private BatchOutcome applyBatch(Position start, List<RecordedEvent> batch) {
    Position last = start;
    int events = 0;
    RecordedEvent failedEvent = null;
    RuntimeException failure = null;
    for (RecordedEvent event : batch) {
      if (!running) {
        break;
      }
      if (projection.handles(event.payload().getClass())) {
        applyLock.lock();
        try {
          projection.apply(event);
        } catch (LeaseLostException | BatchRetryException abortBatch) {
          throw abortBatch;
        } catch (RuntimeException e) {
          failedEvent = event;
          failure = e;
          break;
        } finally {
          applyLock.unlock();
        }
      }
      last = event.position();
      events++;
    }
    if (last.isAfter(start)) {
      moveCheckpoint(start, last);
    }
    return new BatchOutcome(last, events, failedEvent, failure);
  }

  private void moveCheckpoint(Position from, Position to) {
    if (!checkpoints.move(name, from, to)) {
      throw new CheckpointMovedException("the checkpoint is no longer at " + from + " (a commit whose"
          + " acknowledgement was lost, a reset, or another instance moved it); the batch to " + to
          + " is not applied");
    }
  }

  /** The stored checkpoint was not where this instance expected it; the batch is rolled back. */
  private static final class CheckpointMovedException extends CqrsException {
    private static final long serialVersionUID = 1L;

    CheckpointMovedException(String message) {
      super(message);
    }
  }

  /** Ends the worker after {@link #fail}. */
  private static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stopped() {
      super(null, null, false, false);
    }
  }

  /** Moves the in-memory checkpoint after its batch committed, and wakes waiters. */
  private void advance(Position last) {
    if (last.isAfter(checkpoint)) {
      moveTo(last);
    } else {
      signalProgress();
    }
  }

  /** Sets the in-memory checkpoint (backwards too: after a reset, or to follow another instance) and wakes waiters. */
  private void moveTo(Position position) {
    progressLock.lock();
    try {
      checkpoint = position;
      progressed.signalAll();
    } finally {
      progressLock.unlock();
    }
  }

  private void signalProgress() {
    progressLock.lock();
    try {
      progressed.signalAll();
    } finally {
      progressLock.unlock();
    }
  }

  private void awaitHint() {
    try {
      if (hint.tryAcquire(pollInterval.toNanos(), TimeUnit.NANOSECONDS)) {
        hint.drainPermits();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  /** Waits, unless stopped; returns {@code false} when the processor is stopping. */
  private boolean pause(Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    progressLock.lock();
    try {
      long remaining;
      while (running && (remaining = deadline - System.nanoTime()) > 0) {
        progressed.awaitNanos(remaining);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    } finally {
      progressLock.unlock();
    }
    return running;
  }

  @Override
  public String toString() {
    return "TrackingProcessor[" + name + ", " + state.status() + " at " + checkpoint + "]";
  }
}
