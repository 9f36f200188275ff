package dev.cqrs.core.internal;

import dev.cqrs.core.CheckpointStore;
import dev.cqrs.core.DeadLetter;
import dev.cqrs.core.DeadLetterStore;
import dev.cqrs.core.EventFeed;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.Lag;
import dev.cqrs.core.Position;
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

  private volatile Position checkpoint;
  private volatile ProcessorStatus status = ProcessorStatus.STOPPED;
  private volatile Throwable failure;
  private volatile boolean running;
  private Thread worker;
  private Registration wakeUp;

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
   */
  public DefaultTrackingProcessor(String name, EventStore store, Projection projection, CheckpointStore checkpoints,
                                  int batchSize, Duration pollInterval, RetryPolicy retryPolicy,
                                  DeadLetterStore deadLetters, Clock clock, ThreadFactory threadFactory,
                                  ProcessingCoordinator coordinator) {
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
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    if (worker != null) {
      stop(); // the worker of a failed run has ended; release its wake-up registration
    }
    checkpoint = checkpoints.load(name).orElse(Position.START);
    failure = null;
    running = true;
    status = ProcessorStatus.STANDBY; // RUNNING once the coordinator lets this instance process
    hint.drainPermits();
    wakeUp = store.onAppend(hint::release);
    worker = threadFactory.newThread(this::run);
    worker.start();
    LOG.info("processor '{}' started at {}", name, checkpoint);
  }

  @Override
  public synchronized void stop() {
    Thread current = worker;
    if (current == null) {
      return;
    }
    running = false;
    hint.release();
    progressLock.lock();
    try {
      progressed.signalAll();
    } finally {
      progressLock.unlock();
    }
    if (current != Thread.currentThread()) {
      boolean interrupted = false;
      while (current.isAlive()) {
        try {
          current.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    worker = null;
    wakeUp.close();
    try {
      coordinator.release();
    } catch (RuntimeException e) {
      LOG.warn("processor '{}' could not release its lease; it expires on its own", name, e);
    }
    if (status == ProcessorStatus.RUNNING || status == ProcessorStatus.STANDBY) {
      status = ProcessorStatus.STOPPED;
    }
    LOG.info("processor '{}' stopped at {}", name, checkpoint);
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public synchronized void reset() {
    boolean wasRunning = running;
    stop();
    applyLock.lock();
    try {
      projection.reset();
      checkpoints.reset(name);
      checkpoint = Position.START;
        failure = null;
      status = ProcessorStatus.STOPPED;
    } finally {
      applyLock.unlock();
    }
    LOG.info("processor '{}' reset to the first event", name);
    if (wasRunning) {
      start();
    }
  }

  @Override
  public ProcessorStatus status() {
    return status;
  }

  @Override
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
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
        if (remaining <= 0 || status == ProcessorStatus.FAILED) {
          return false;
        }
        progressed.awaitNanos(remaining);
      }
      return true;
    } finally {
      progressLock.unlock();
    }
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
    applyLock.lock();
    try {
      projection.apply(letter.event());
    } catch (RuntimeException e) {
      parked.save(letter.failedAgain(e, clock.instant()));
      LOG.warn("processor '{}': retry of dead letter {} ({}) failed again", name, id, letter.event(), e);
      return false;
    } finally {
      applyLock.unlock();
    }
    parked.remove(id);
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
   * meanwhile), apply it and save the checkpoint as one unit of the coordinator, then move the in-memory checkpoint;
   * wait for a hint when caught up. A batch that did not end where the feed stands (a failure, a retry, a lost lease)
   * reopens the feed at the checkpoint, so nothing is skipped.
   */
  private void run() {
    int failures = 0;
    boolean owner = false;
    EventFeed feed = null;
    try {
      while (running) {
        try {
          if (!coordinator.acquire()) {
            if (owner || status == ProcessorStatus.RUNNING) {
              LOG.info("processor '{}' is on standby: another instance holds its lease", name);
            }
            owner = false;
            status = ProcessorStatus.STANDBY;
            feed = close(feed);
            pause(pollInterval);
            continue;
          }
          if (!owner) {
            owner = true;
            checkpoint = checkpoints.load(name).orElse(Position.START);
            status = ProcessorStatus.RUNNING;
            signalProgress();
          }
          if (feed == null || !feed.position().equals(checkpoint)) {
            // first read, or the last batch did not end where the feed is: read again from the checkpoint
            feed = close(feed); // stays null if opening fails: the next round opens again
            feed = store.openFeed(checkpoint, batchSize);
          }
          List<RecordedEvent> batch = feed.next();
          if (batch.isEmpty()) {
            failures = 0;
            awaitHint();
            continue;
          }
          BatchOutcome outcome = coordinator.inBatch(() -> applyBatch(batch));
          failures = 0;
          advance(outcome.last());
          if (outcome.failed()) {
            running = false;
            status = ProcessorStatus.FAILED;
            signalProgress();
            return;
          }
        } catch (BatchRetryException retry) {
          LOG.debug("processor '{}' runs its batch after {} again: {}", name, checkpoint, retry.getMessage());
        } catch (LeaseLostException lost) {
          LOG.warn("processor '{}' lost its lease; its last batch was rolled back", name, lost);
          owner = false;
          status = ProcessorStatus.STANDBY;
        } catch (RuntimeException e) {
          failures++;
          Duration wait = retryPolicy.backoffAfter(failures);
          LOG.warn("processor '{}' failed at {} (failure {}), trying again in {}", name, checkpoint, failures, wait, e);
          pause(wait);
        }
      }
    } finally {
      close(feed);
    }
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

  /** What one batch did: how far it got, and whether an event stopped the processor. */
  private record BatchOutcome(Position last, boolean failed) {
  }

  /** Applies a batch and saves its checkpoint; runs inside the coordinator's unit of work. */
  private BatchOutcome applyBatch(List<RecordedEvent> batch) {
    Position last = checkpoint;
    boolean failed = false;
    for (RecordedEvent event : batch) {
      if (!running) {
        break;
      }
      if (projection.handles(event.payload().getClass())) {
        Outcome outcome = applyWithRetries(event);
        if (outcome == Outcome.INTERRUPTED) {
          break;
        }
        if (outcome == Outcome.FAILED) {
          failed = true;
          break;
        }
      }
      last = event.position();
    }
    if (last.isAfter(checkpoint)) {
      checkpoints.save(name, last);
    }
    return new BatchOutcome(last, failed);
  }

  private enum Outcome { APPLIED, PARKED, FAILED, INTERRUPTED }

  private Outcome applyWithRetries(RecordedEvent event) {
    RuntimeException lastFailure = null;
    Instant firstFailure = null;
    for (int attempt = 1; attempt <= retryPolicy.maxAttempts(); attempt++) {
      applyLock.lock();
      try {
        projection.apply(event);
        return Outcome.APPLIED;
      } catch (LeaseLostException | BatchRetryException abortBatch) {
        throw abortBatch;
      } catch (RuntimeException e) {
        lastFailure = e;
        if (firstFailure == null) {
          firstFailure = clock.instant();
        }
      } finally {
        applyLock.unlock();
      }
      if (attempt < retryPolicy.maxAttempts()) {
        Duration wait = retryPolicy.backoffAfter(attempt);
        LOG.debug("processor '{}': {} failed (attempt {}), retrying in {}", name, event, attempt, wait, lastFailure);
        if (!pause(wait)) {
          return Outcome.INTERRUPTED;
        }
      }
    }
    if (deadLetters != null) {
      DeadLetter letter = new DeadLetter(UUID.randomUUID(), name, event, DeadLetter.describe(lastFailure),
          retryPolicy.maxAttempts(), firstFailure, clock.instant());
      deadLetters.save(letter);
      LOG.warn("processor '{}' parked {} as dead letter {} after {} attempts", name, event, letter.id(),
          retryPolicy.maxAttempts(), lastFailure);
      return Outcome.PARKED;
    }
    failure = lastFailure;
    LOG.error("processor '{}' stopped: {} failed {} times", name, event, retryPolicy.maxAttempts(), lastFailure);
    return Outcome.FAILED;
  }

  /** Moves the in-memory checkpoint after its batch committed, and wakes waiters. */
  private void advance(Position last) {
    if (last.isAfter(checkpoint)) {
      progressLock.lock();
      try {
        checkpoint = last;
      } finally {
        progressLock.unlock();
      }
    }
    signalProgress();
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
    return "TrackingProcessor[" + name + ", " + status + " at " + checkpoint + "]";
  }
}
