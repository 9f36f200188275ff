package dev.cqrs.jdbc.internal;

import dev.cqrs.core.EventFeed;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.serialization.EventCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadFactory;

/**
 * A feed that reads ahead while its reader catches up. The caller's thread decodes; a read-ahead thread runs the
 * queries, so the database produces the next rows while the caller decodes and handles the current ones.
 *
 * <p>A call that finds no read-ahead running reads one batch itself. If that batch is full, the reader is probably
 * behind: a read-ahead thread starts after it, queries about {@value #ROWS_PER_QUERY} rows at a time (a multiple of
 * the batch size), and queues them as batches, up to {@value #PAGES_AHEAD} ahead, until a query returns fewer rows
 * than it asked for (the reader has caught up; the thread ends, and the next call reads itself again, after a wake-up
 * hint or a poll). The read-ahead thread holds a connection only while a query runs.
 *
 * <p>If a page cannot be read, the read-ahead stops and the call throws without moving the position, so the next call
 * reads from the same place again: nothing is skipped. A row that cannot be decoded ends its batch: the call returns
 * the rows before it, and the next call, which starts at that row, throws.
 *
 * <p>Not thread-safe, like every {@link EventFeed}: one reader calls it; the read-ahead thread is its own.
 */
public final class ReadAheadFeed implements EventFeed {

  /** Reads the undecoded rows after a position. */
  @FunctionalInterface
  public interface PageReader {

    /**
     * Reads a page.
     *
     * @param after the position to read after
     * @param limit the most rows
     * @return the rows, in global order
     */
    List<EventRows.Raw> read(Position after, int limit);
  }

  private static final int PAGES_AHEAD = 4;
  private static final int ROWS_PER_QUERY = 2_000;

  private final PageReader reader;
  private final EventCodec codec;
  private final int batchSize;
  private final ThreadFactory threads;
  private Position position;
  private ReadAhead ahead;
  private boolean closed;

  /**
   * Opens a feed.
   *
   * @param reader reads pages
   * @param codec decodes rows
   * @param after the position to read after
   * @param batchSize the most events per call
   * @param threads makes the read-ahead threads
   */
  public ReadAheadFeed(PageReader reader, EventCodec codec, Position after, int batchSize, ThreadFactory threads) {
    this.reader = Objects.requireNonNull(reader, "reader must not be null");
    this.codec = Objects.requireNonNull(codec, "codec must not be null");
    this.position = Objects.requireNonNull(after, "after must not be null");
    this.batchSize = batchSize;
    this.threads = Objects.requireNonNull(threads, "threads must not be null");
  }

  @Override
  public List<RecordedEvent> next() {
    if (closed) {
      throw new IllegalStateException("the feed is closed");
    }
    List<EventRows.Raw> page;
    if (ahead == null) {
      page = reader.read(position, batchSize);
      if (page.size() == batchSize) {
        ahead = new ReadAhead(page.get(page.size() - 1).position());
      }
    } else {
      try {
        page = ahead.take();
      } catch (RuntimeException e) {
        stopReadingAhead();
        throw e;
      }
      if (page.size() < batchSize) {
        stopReadingAhead(); // it ended there: caught up
      }
    }
    List<RecordedEvent> events = new ArrayList<>(page.size());
    for (EventRows.Raw row : page) {
      try {
        events.add(row.decode(codec));
      } catch (RuntimeException e) {
        stopReadingAhead(); // the position stays before this row; the next call reads it again
        if (events.isEmpty()) {
          throw e;
        }
        break; // hand out the rows before it first, so the reader gets as far as it can
      }
    }
    if (!events.isEmpty()) {
      position = events.get(events.size() - 1).position();
    }
    return events;
  }

  private void stopReadingAhead() {
    if (ahead != null) {
      ahead.stop();
      ahead = null;
    }
  }

  @Override
  public Position position() {
    return position;
  }

  @Override
  public void close() {
    closed = true;
    stopReadingAhead();
  }

  /** One read-ahead thread and the pages it queued; a page is a list of rows, or the failure that ended it. */
  private final class ReadAhead implements Runnable {
    private final BlockingQueue<Object> pages = new ArrayBlockingQueue<>(PAGES_AHEAD);
    private final Thread thread;
    private volatile boolean stopped;
    private Position after;

    ReadAhead(Position after) {
      this.after = after;
      this.thread = threads.newThread(this);
      thread.start();
    }

    @Override
    public void run() {
      int querySize = batchSize * Math.max(1, Math.min(ROWS_PER_QUERY / batchSize, EventStore.MAX_READ_LIMIT / batchSize));
      while (!stopped) {
        List<EventRows.Raw> rows;
        try {
          rows = reader.read(after, querySize);
        } catch (RuntimeException | Error e) {
          offer(e);
          return;
        }
        for (int from = 0; from < rows.size(); from += batchSize) {
          if (!offer(rows.subList(from, Math.min(from + batchSize, rows.size())))) {
            return;
          }
        }
        if (rows.size() < querySize) {
          if (rows.size() % batchSize == 0) {
            offer(List.of()); // the last page queued was full: say that the reader has caught up
          }
          return;
        }
        after = rows.get(rows.size() - 1).position();
      }
    }

    /** Queues a page, waiting for room; returns {@code false} when stopped meanwhile. */
    private boolean offer(Object page) {
      try {
        while (!stopped) {
          if (pages.offer(page, 100, TimeUnit.MILLISECONDS)) {
            return true;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return false;
    }

    @SuppressWarnings("unchecked")
    List<EventRows.Raw> take() {
      Object page;
      try {
        page = pages.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the next page of events", e);
      }
      if (page instanceof RuntimeException e) {
        throw e;
      }
      if (page instanceof Error e) {
        throw e;
      }
      return (List<EventRows.Raw>) page;
    }

    void stop() {
      stopped = true;
      pages.clear();
    }
  }
}
