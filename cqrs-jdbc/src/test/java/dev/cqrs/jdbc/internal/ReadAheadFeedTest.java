package dev.cqrs.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.CqrsException;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.TransientException;
import dev.cqrs.core.serialization.EventCodec;
import dev.cqrs.core.serialization.UpcasterChain;
import dev.cqrs.jackson.JacksonSerializer;
import dev.cqrs.test.contract.ContractEvents;
import dev.cqrs.test.contract.ContractEvents.Happened;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The read-ahead feed against a page source in memory that can fail on purpose. */
class ReadAheadFeedTest {

  private static final EventCodec CODEC = EventCodec.of(ContractEvents.TYPES, JacksonSerializer.create(),
      UpcasterChain.empty());
  /** A thread factory of the user's: the read-ahead threads must come from it. */
  private static final java.util.concurrent.ThreadFactory THREADS = Threads.daemon("test-read-ahead");

  /** Rows 1..n in order; reads fail while {@link #failReads} is positive; records the threads that read. */
  private static final class Source implements ReadAheadFeed.PageReader {
    final List<EventRows.Raw> rows = new ArrayList<>();
    final AtomicInteger failReads = new AtomicInteger();
    final AtomicInteger reads = new AtomicInteger();
    final Set<String> threads = ConcurrentHashMap.newKeySet();

    Source(int n, long badRow) {
      for (long i = 1; i <= n; i++) {
        String payload = i == badRow ? "{\"source\":\"s\",\"number\":\"not a number\"}"
            : "{\"source\":\"s\",\"number\":" + i + "}";
        rows.add(new EventRows.Raw(Position.of(i / 7, i), "stream-" + i, 1, new UUID(0, i), "Happened", 1, payload,
            new UUID(1, i), new UUID(2, i), new UUID(3, i), Instant.EPOCH.plusSeconds(i), "{}", java.util.Set.of()));
      }
    }

    @Override
    public List<EventRows.Raw> read(Position after, int limit) {
      reads.incrementAndGet();
      threads.add(Thread.currentThread().getName());
      if (failReads.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new TransientException("read after " + after + " failed on purpose");
      }
      List<EventRows.Raw> page = new ArrayList<>();
      for (EventRows.Raw row : rows) {
        if (row.position().compareTo(after) > 0 && page.size() < limit) {
          page.add(row);
        }
      }
      return page;
    }
  }

  private static List<Long> numbers(List<RecordedEvent> events) {
    return events.stream().map(e -> e.payloadAs(Happened.class).number()).toList();
  }

  private static List<Long> oneTo(long n) {
    List<Long> all = new ArrayList<>();
    for (long i = 1; i <= n; i++) {
      all.add(i);
    }
    return all;
  }

  @Test
  void reads_every_row_once_in_order_with_the_reads_after_the_first_on_a_read_ahead_thread() {
    Source source = new Source(10_000, -1);
    List<RecordedEvent> fed = new ArrayList<>();
    try (ReadAheadFeed feed = new ReadAheadFeed(source, CODEC, Position.START, 100, THREADS)) {
      List<RecordedEvent> batch;
      while (!(batch = feed.next()).isEmpty()) {
        assertThat(batch).hasSize(100);
        fed.addAll(batch);
      }
    }
    assertThat(numbers(fed)).containsExactlyElementsOf(oneTo(10_000));
    assertThat(fed).extracting(RecordedEvent::position).isSorted();
    assertThat(source.threads).anyMatch(name -> name.startsWith("test-read-ahead-"));
    // the first read runs on the caller's thread; after the last short page the caller reads itself again
    assertThat(source.threads).contains(Thread.currentThread().getName());
  }

  @Test
  void a_failed_read_ahead_throws_keeps_the_position_and_the_next_call_reads_from_there() {
    Source source = new Source(3_000, -1);
    List<RecordedEvent> fed = new ArrayList<>();
    int failures = 0;
    try (ReadAheadFeed feed = new ReadAheadFeed(source, CODEC, Position.START, 100, THREADS)) {
      fed.addAll(feed.next());
      fed.addAll(feed.next());
      source.failReads.set(1); // the read-ahead thread's next query fails
      while (true) {
        Position before = feed.position();
        List<RecordedEvent> batch;
        try {
          batch = feed.next();
        } catch (TransientException e) {
          failures++;
          assertThat(e).hasMessageContaining("failed on purpose");
          assertThat(feed.position()).isEqualTo(before);
          continue;
        }
        if (batch.isEmpty()) {
          break;
        }
        fed.addAll(batch);
      }
    }
    assertThat(failures).isEqualTo(1);
    assertThat(numbers(fed)).containsExactlyElementsOf(oneTo(3_000));
  }

  @Test
  void an_undecodable_row_ends_its_batch_and_then_fails_every_time_without_skipping_it() {
    Source source = new Source(1_000, 555);
    List<RecordedEvent> fed = new ArrayList<>();
    try (ReadAheadFeed feed = new ReadAheadFeed(source, CODEC, Position.START, 100, THREADS)) {
      for (int i = 0; i < 5; i++) {
        fed.addAll(feed.next());
      }
      List<RecordedEvent> beforeTheBadRow = feed.next();
      assertThat(numbers(beforeTheBadRow)).containsExactlyElementsOf(oneTo(554).subList(500, 554));
      fed.addAll(beforeTheBadRow);
      for (int attempt = 0; attempt < 3; attempt++) {
        assertThatThrownBy(feed::next).isInstanceOf(CqrsException.class)
            .hasMessageContaining("stream 'stream-555' version 1 position " + Position.of(555 / 7, 555));
        assertThat(feed.position()).isEqualTo(Position.of(554 / 7, 554));
      }
    }
    assertThat(numbers(fed)).containsExactlyElementsOf(oneTo(554));
  }

  @Test
  void close_ends_the_read_ahead_thread() throws InterruptedException {
    Source source = new Source(5_000, -1);
    ReadAheadFeed feed = new ReadAheadFeed(source, CODEC, Position.START, 100, THREADS);
    assertThat(numbers(feed.next())).containsExactlyElementsOf(oneTo(100));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (source.threads.stream().noneMatch(name -> name.startsWith("test-read-ahead-"))
        && System.nanoTime() < deadline) {
      Thread.sleep(5); // the read-ahead thread has started reading
    }
    feed.close();
    while (readAheadThreadsAlive(source) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(source.threads).anyMatch(name -> name.startsWith("test-read-ahead-"));
    assertThat(readAheadThreadsAlive(source)).isFalse();
    int readsAtClose = source.reads.get();
    Thread.sleep(300);
    assertThat(source.reads.get()).isEqualTo(readsAtClose);
    assertThatThrownBy(feed::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  /** Whether a read-ahead thread that read from this source still runs. */
  private static boolean readAheadThreadsAlive(Source source) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.isAlive() && t.getName().startsWith("test-read-ahead-") && source.threads.contains(t.getName()));
  }
}
