package dev.cqrs.core.internal;

import dev.cqrs.core.CheckpointStore;
import dev.cqrs.core.DeadLetter;
import dev.cqrs.core.Event;
import dev.cqrs.core.Lag;
import dev.cqrs.core.Position;
import dev.cqrs.core.ProcessorNotReadyException;
import dev.cqrs.core.ProcessorStatus;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.Segment;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.core.spi.ProcessingCoordinator;
import dev.cqrs.core.spi.ProcessorParts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadFactory;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A processor split into segments by stream: one {@link DefaultTrackingProcessor} per segment, each reading the whole
 * global order and applying the events of its streams, with a checkpoint (and, with a coordinating backend, a lease)
 * of its own.
 *
 * <p>The layout is recorded in the checkpoint store under {@code name[segments]}, as a position that holds a
 * generation (growing with every resize and reset), the previous count and the count. When a processor starts with another count than the recorded one, it resizes:
 * holding the leases of every old segment (so that no instance processes them meanwhile), it copies each old
 * segment's checkpoint to {@code name[i/old]@resize}, starts every new segment at the lowest of them, retires the old
 * checkpoints (a position past any event, so that an instance still configured with the old count finds nothing more
 * to do and cannot move them), and records the new layout last. A new segment then skips each event that the old
 * segment of its stream had processed already, so nothing is lost or repeated; an interrupted resize is done again
 * from the copies. A further resize waits until the segments have passed every copied checkpoint.
 *
 * <p>Thread-safe.
 */
public final class SegmentedTrackingProcessor implements TrackingProcessor {

  private static final Logger LOG = LoggerFactory.getLogger(SegmentedTrackingProcessor.class);

  /** The checkpoint of a segment retired by a resize: after every event, so nothing is read from it again. */
  public static final Position RETIRED = Position.of(Long.MAX_VALUE, Long.MAX_VALUE);

  private final String name;
  private final int count;
  private final CheckpointStore layoutStore;
  private final Function<Segment, ProcessorParts> parts;
  private final Runnable leave;
  private final Duration pollInterval;
  private final ThreadFactory threadFactory;
  private final List<DefaultTrackingProcessor> segments = new ArrayList<>();
  private final List<SegmentFilter> filters = new ArrayList<>();
  private final List<ProcessorParts> madeParts = new ArrayList<>();

  private boolean running;
  private Thread launcher;
  private volatile String waitingFor;

  /**
   * Creates the processor, stopped.
   *
   * @param name the processor's name
   * @param count how many segments
   * @param layoutStore where the layout is recorded (the segments' checkpoint store)
   * @param parts makes the parts of a segment, of this count or (for a resize) of an older one
   * @param leave called when the processor stops, so that a coordinating backend can say this instance left
   * @param pollInterval how often a blocked resize is tried again
   * @param threadFactory makes the thread that waits for a blocked resize
   * @param make makes a segment's processor from its name and parts, the projection already filtered
   */
  public SegmentedTrackingProcessor(String name, int count, CheckpointStore layoutStore,
                                    Function<Segment, ProcessorParts> parts, Runnable leave, Duration pollInterval,
                                    ThreadFactory threadFactory,
                                    BiFunction<String, ProcessorParts, DefaultTrackingProcessor> make) {
    this.name = name;
    this.count = count;
    this.layoutStore = layoutStore;
    this.parts = parts;
    this.leave = leave;
    this.pollInterval = pollInterval;
    this.threadFactory = threadFactory;
    for (int i = 0; i < count; i++) {
      Segment segment = new Segment(i, count);
      ProcessorParts made = parts.apply(segment);
      SegmentFilter filter = new SegmentFilter(segment, made.projection());
      filters.add(filter);
      madeParts.add(made);
      segments.add(make.apply(segment.processorName(name),
          new ProcessorParts(filter, made.checkpoints(), made.coordinator())));
    }
  }

  /**
   * Returns the name under which a processor's segment layout is recorded.
   *
   * @param processor the processor's name
   * @return {@code processor[segments]}
   */
  public static String layoutName(String processor) {
    return processor + "[segments]";
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
    running = true;
    if (prepare()) {
      segments.forEach(DefaultTrackingProcessor::start);
      return;
    }
    LOG.info("processor '{}' waits to resize to {} segments: {}", name, count, waitingFor);
    launcher = threadFactory.newThread(this::launchWhenReady);
    launcher.start();
  }

  private void launchWhenReady() {
    try {
      while (true) {
        Thread.sleep(pollInterval.toMillis());
        synchronized (this) {
          if (!running || Thread.currentThread() != launcher) {
            return;
          }
          if (prepare()) {
            segments.forEach(DefaultTrackingProcessor::start);
            launcher = null;
            return;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("processor '{}' could not resize to {} segments; trying again at its next start", name, count, e);
    }
  }

  /**
   * Makes the recorded layout this one, resizing when it differs; sets every segment's skip window.
   *
   * @return {@code true} when the segments may start; {@code false} when the resize must wait ({@link #waitingFor})
   */
  private boolean prepare() {
    Optional<Position> marker = layoutStore.load(layoutName(name));
    int previous;
    int current;
    long generation = marker.map(Position::commit).orElse(0L);
    if (marker.isPresent()) {
      previous = previousCount(marker.get());
      current = count(marker.get());
    } else if (count == 1 || layoutStore.load(name).isEmpty()) {
      if (count > 1) {
        layoutStore.save(layoutName(name), layout(1, 0, count)); // a new processor
      }
      return ready(0, null);
    } else {
      previous = 0;
      current = 1; // an unsegmented processor's checkpoint
    }
    if (current == count) {
      return ready(previous, previous == 0 ? null : copies(previous));
    }
    if (previous != 0) {
      Position[] earlier = copies(previous);
      Position highest = Arrays.stream(earlier).max(Comparator.naturalOrder()).orElse(Position.START);
      for (int i = 0; i < current; i++) {
        Position at = layoutStore.load(new Segment(i, current).processorName(name)).orElse(Position.START);
        if (at.compareTo(highest) < 0) {
          waitingFor = "the resize from " + previous + " to " + current + " segments has not caught up (segment " + i
              + " is at " + at + ", before " + highest + "); run it with " + current + " segments until it has";
          return false;
        }
      }
    }
    List<ProcessingCoordinator> held = new ArrayList<>();
    try {
      for (int i = 0; i < current; i++) {
        ProcessingCoordinator coordinator = parts.apply(new Segment(i, current)).coordinator();
        if (!coordinator.acquire()) {
          waitingFor = "another instance still processes segment " + new Segment(i, current).processorName(name);
          return false;
        }
        held.add(coordinator);
      }
      if (!layoutStore.load(layoutName(name)).equals(marker)) {
        // another instance resized between the first look and the leases: look again, from its layout
        waitingFor = "another instance changed the layout meanwhile";
        return false;
      }
      Position[] old = new Position[current];
      for (int i = 0; i < current; i++) {
        String segmentName = new Segment(i, current).processorName(name);
        Position stored = layoutStore.load(segmentName).orElse(Position.START);
        old[i] = stored.equals(RETIRED) ? layoutStore.load(copyName(segmentName)).orElse(Position.START) : stored;
        overwrite(copyName(segmentName), old[i]);
      }
      Position lowest = Arrays.stream(old).min(Comparator.naturalOrder()).orElseThrow();
      for (int j = 0; j < count; j++) {
        overwrite(new Segment(j, count).processorName(name), lowest);
      }
      for (int i = 0; i < current; i++) {
        String segmentName = new Segment(i, current).processorName(name);
        layoutStore.save(segmentName, RETIRED); // never a new segment's name: the names hold the count
      }
      layoutStore.save(layoutName(name), layout(generation + 1, current, count)); // the resize is done
      LOG.info("processor '{}' resized from {} to {} segments; the new segments start at {}", name, current, count,
          lowest);
      return ready(current, old);
    } finally {
      for (ProcessingCoordinator coordinator : held) {
        try {
          coordinator.release();
        } catch (RuntimeException e) {
          LOG.warn("processor '{}': a lease of its old layout could not be released; it expires", name, e);
        }
      }
    }
  }

  private boolean ready(int previous, Position[] copies) {
    for (SegmentFilter filter : filters) {
      filter.window(previous, copies);
    }
    waitingFor = null;
    return true;
  }

  private Position[] copies(int previous) {
    Position[] copies = new Position[previous];
    for (int i = 0; i < previous; i++) {
      copies[i] = layoutStore.load(copyName(new Segment(i, previous).processorName(name))).orElse(Position.START);
    }
    return copies;
  }

  /**
   * The recorded layout: a generation that grows with every resize or reset (so that the record only moves
   * forwards), and the previous and current counts.
   */
  private static Position layout(long generation, int previous, int count) {
    return Position.of(generation, previous * 100L + count);
  }

  /**
   * Returns the segment count a recorded layout names.
   *
   * @param layout the record under {@link #layoutName}
   * @return the count
   */
  public static int count(Position layout) {
    return (int) (layout.sequence() % 100);
  }

  private static int previousCount(Position layout) {
    return (int) (layout.sequence() / 100);
  }

  /** Writes a checkpoint that may lie before the stored one (a segment name used by an earlier layout). */
  private void overwrite(String checkpointName, Position position) {
    layoutStore.reset(checkpointName);
    layoutStore.save(checkpointName, position);
  }

  private static String copyName(String segmentName) {
    return segmentName + "@resize";
  }

  @Override
  public void stop() {
    stop(DEFAULT_STOP_TIMEOUT);
  }

  @Override
  public boolean stop(Duration timeout) {
    Thread waiting;
    synchronized (this) {
      running = false;
      waiting = launcher;
      launcher = null;
    }
    if (waiting != null) {
      waiting.interrupt();
    }
    boolean ended = true;
    for (DefaultTrackingProcessor segment : segments) {
      ended &= segment.stop(timeout);
    }
    try {
      leave.run();
    } catch (RuntimeException e) {
      LOG.warn("processor '{}' could not say that this instance left; that expires on its own", name, e);
    }
    return ended;
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public void reset() {
    boolean wasRunning;
    synchronized (this) {
      wasRunning = running;
    }
    stop();
    resetFrom(0);
    LOG.info("processor '{}' reset its {} segments to the first event", name, count);
    Optional<Position> marker = layoutStore.load(layoutName(name));
    if (marker.isPresent() || count > 1) {
      // from the first event: no resize window any more
      layoutStore.save(layoutName(name), layout(marker.map(Position::commit).orElse(0L) + 1, 0, count));
    }
    ready(0, null);
    if (wasRunning) {
      start();
    }
  }

  /**
   * Resets segment {@code index} and, inside its coordinator's fenced unit, the segments after it; the last one also
   * clears the read model. With leases, every segment's lease is taken over before anything commits, so that no
   * instance can apply a batch of any segment into the cleared read model or move a checkpoint past the reset.
   */
  private void resetFrom(int index) {
    ProcessorParts part = madeParts.get(index);
    part.coordinator().reset(() -> {
      part.checkpoints().reset(new Segment(index, count).processorName(name));
      if (index == count - 1) {
        part.projection().reset();
      } else {
        resetFrom(index + 1);
      }
    });
    if (index == 0) {
      for (ProcessorParts made : madeParts) {
        made.coordinator().release(); // the reset took every lease: share them out again
      }
    }
  }

  @Override
  public ProcessorStatus status() {
    if (waitingFor != null && running) {
      return ProcessorStatus.STANDBY;
    }
    List<ProcessorStatus> all = segments.stream().map(TrackingProcessor::status).toList();
    for (ProcessorStatus status : List.of(ProcessorStatus.FAILED, ProcessorStatus.RETRYING, ProcessorStatus.RUNNING,
        ProcessorStatus.STANDBY)) {
      if (all.contains(status)) {
        return status;
      }
    }
    return ProcessorStatus.STOPPED;
  }

  @Override
  public Optional<Throwable> failure() {
    return segments.stream().map(TrackingProcessor::failure).flatMap(Optional::stream).findFirst();
  }

  /** The lowest checkpoint of the segments: every event up to it has been processed by the segment of its stream. */
  @Override
  public Position checkpoint() {
    return segments.stream().map(TrackingProcessor::checkpoint).min(Comparator.naturalOrder())
        .orElse(Position.START);
  }

  @Override
  public Lag lag() {
    List<Lag> lags = segments.stream().map(TrackingProcessor::lag).toList();
    return new Lag(lags.stream().mapToLong(Lag::events).max().orElse(0),
        lags.stream().map(Lag::behind).max(Comparator.naturalOrder()).orElse(Duration.ZERO));
  }

  @Override
  public boolean awaitPosition(Position position, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (DefaultTrackingProcessor segment : segments) {
      Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      if (!segment.awaitPosition(position, left)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void awaitProcessed(Position position, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    // a resize that waits for other instances is waited for too, within the timeout: they may be about to stop
    for (String waiting = waitingFor; waiting != null && running; waiting = waitingFor) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new ProcessorNotReadyException("processor '" + name + "' has not processed " + position + ": it waits"
            + " to resize to " + count + " segments: " + waiting, null);
      }
      try {
        Thread.sleep(Math.max(1, Math.min(10, left / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ProcessorNotReadyException("interrupted while waiting for processor '" + name + "' to resize to "
            + count + " segments and process " + position, e);
      }
    }
    for (DefaultTrackingProcessor segment : segments) {
      segment.awaitProcessed(position, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
  }

  @Override
  public List<DeadLetter> deadLetters() {
    List<DeadLetter> all = new ArrayList<>();
    segments.forEach(segment -> all.addAll(segment.deadLetters()));
    return all;
  }

  @Override
  public boolean retryDeadLetter(UUID id) {
    return owner(id).retryDeadLetter(id);
  }

  @Override
  public boolean discardDeadLetter(UUID id) {
    return owner(id).discardDeadLetter(id);
  }

  private DefaultTrackingProcessor owner(UUID id) {
    for (DefaultTrackingProcessor segment : segments) {
      if (segment.deadLetters().stream().anyMatch(letter -> letter.id().equals(id))) {
        return segment;
      }
    }
    throw new NoSuchElementException("processor '" + name + "' has no dead letter " + id);
  }

  /**
   * The segments' processors, for tests and metrics.
   *
   * @return the segments, in index order
   */
  public List<TrackingProcessor> segments() {
    return List.copyOf(segments);
  }

  @Override
  public String toString() {
    return "TrackingProcessor[" + name + " in " + count + " segments, " + status() + " at " + checkpoint() + "]";
  }

  /**
   * Passes on the events of one segment's streams, minus those the old segment of their stream processed before a
   * resize.
   */
  private static final class SegmentFilter implements Projection {
    private final Segment segment;
    private final Projection delegate;
    private volatile int previous;
    private volatile Position[] copies;

    SegmentFilter(Segment segment, Projection delegate) {
      this.segment = segment;
      this.delegate = delegate;
    }

    void window(int previous, Position[] copies) {
      this.copies = copies;
      this.previous = previous;
    }

    @Override
    public boolean handles(Class<? extends Event> eventType) {
      return delegate.handles(eventType);
    }

    @Override
    public void apply(RecordedEvent event) {
      if (!segment.contains(event.streamId())) {
        return;
      }
      Position[] done = copies;
      if (done != null && !event.position().isAfter(done[Segment.of(event.streamId(), previous).index()])) {
        return; // processed by its old segment before the resize
      }
      delegate.apply(event);
    }

    @Override
    public void reset() {
      delegate.reset();
    }

    @Override
    public String toString() {
      return delegate + " for " + segment;
    }
  }
}
