package dev.cqrs.test.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.Registration;
import dev.cqrs.test.contract.ContractEvents.Happened;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Contract: under real concurrent writers, optimistic concurrency lets exactly one writer win each version, nothing is
 * lost or duplicated, and a reader tailing the global order from its checkpoint sees exactly what a later full read
 * sees, in the same order. Override {@link #threads()} and the sizes to scale the suite to a backend's speed.
 */
public abstract class ConcurrencyContract extends EventStoreContractSupport {

  /** Creates the suite. */
  protected ConcurrencyContract() {
  }

  /**
   * Returns how many writer threads each test runs; at least 8.
   *
   * @return the number of writers
   */
  protected int threads() {
    return 8;
  }

  /**
   * Returns how many versions the one-stream race decides; each is contended by every writer.
   *
   * @return the number of rounds
   */
  protected int contendedRounds() {
    return 250;
  }

  /**
   * Returns how many events each writer appends in the tailing test.
   *
   * @return events per writer
   */
  protected int eventsPerWriter() {
    return 500;
  }

  @Test
  void exactly_one_writer_wins_each_version_of_one_stream() throws Exception {
    String stream = uniqueStream("race");
    int writers = threads();
    int rounds = contendedRounds();
    CyclicBarrier barrier = new CyclicBarrier(writers);
    AtomicReferenceArray<UUID> winners = new AtomicReferenceArray<>(rounds + 1);
    int[][] wins = new int[writers][1];
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      threads.add(new Thread(() -> {
        try {
          for (int version = 0; version < rounds; version++) {
            barrier.await(60, TimeUnit.SECONDS);
            List<NewEvent> event = happened("w" + writer, version + 1, 1);
            try {
              store.append(stream, ExpectedVersion.exactly(version), event);
              if (!winners.compareAndSet(version + 1, null, event.get(0).eventId())) {
                throw new AssertionError("a second writer won version " + (version + 1));
              }
              wins[writer][0]++;
            } catch (ConcurrencyConflictException conflict) {
              try {
                assertThat(conflict.streamId()).isEqualTo(stream);
                assertThat(conflict.expectedVersion()).isEqualTo(ExpectedVersion.exactly(version));
                assertThat(conflict.actualVersion()).isEqualTo(version + 1L);
              } catch (Throwable wrong) {
                failures.add(wrong);
              }
            } catch (Throwable wrong) {
              failures.add(wrong); // keep taking part in the rounds, so the others never wait for this thread
            }
            barrier.await(60, TimeUnit.SECONDS);
          }
        } catch (Throwable t) {
          failures.add(t);
          barrier.reset();
        }
      }, "writer-" + w));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(failures).isEmpty();
    List<RecordedEvent> read = store.readStream(stream);
    assertThat(read).hasSize(rounds);
    for (int version = 1; version <= rounds; version++) {
      RecordedEvent event = read.get(version - 1);
      assertThat(event.version()).isEqualTo(version);
      assertThat(event.eventId()).as("winner of version %d", version).isEqualTo(winners.get(version));
      assertThat(((Happened) event.payload()).number()).isEqualTo(version);
    }
    int totalWins = 0;
    for (int[] win : wins) {
      totalWins += win[0];
    }
    assertThat(totalWins).isEqualTo(rounds);
  }

  @Test
  void concurrent_appends_with_any_to_one_stream_lose_and_duplicate_nothing() throws Exception {
    String stream = uniqueStream("any-race");
    int writers = threads();
    int perWriter = eventsPerWriter() / 2;
    Set<UUID> appended = ConcurrentHashMap.newKeySet();
    runWriters(writers, writer -> {
      for (int i = 0; i < perWriter; i++) {
        List<NewEvent> events = happened("w" + writer, i, 1 + i % 3);
        store.append(stream, ExpectedVersion.any(), events);
        appended.addAll(newIds(events));
      }
    });

    List<RecordedEvent> read = store.readStream(stream);
    assertThat(read).hasSize(appended.size());
    assertThat(new HashSet<>(ids(read))).isEqualTo(appended);
    for (int i = 0; i < read.size(); i++) {
      assertThat(read.get(i).version()).isEqualTo(i + 1L);
    }
    assertThat(ids(readAllSinceStart())).containsExactlyElementsOf(ids(read));
  }

  @RepeatedTest(3)
  void a_tailing_reader_sees_exactly_the_final_global_order() throws Exception {
    int writers = threads();
    int perWriter = eventsPerWriter();
    int total = writers * perWriter;
    Map<UUID, String> appended = new ConcurrentHashMap<>();
    Semaphore hint = new Semaphore(0);
    AtomicBoolean done = new AtomicBoolean();
    List<RecordedEvent> tailed = new ArrayList<>();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

    Thread reader = new Thread(() -> {
      Position checkpoint = startHead;
      try {
        while (tailed.size() < total) {
          List<RecordedEvent> page = store.readAll(checkpoint, 97);
          if (page.isEmpty()) {
            if (done.get() && store.readAll(checkpoint, 1).isEmpty()) {
              break;
            }
            hint.tryAcquire(20, TimeUnit.MILLISECONDS); // the hint wakes us; the timeout is the polling fallback
            continue;
          }
          for (RecordedEvent event : page) {
            if (!event.position().isAfter(checkpoint)) {
              throw new AssertionError("position " + event.position() + " is not after checkpoint " + checkpoint);
            }
            checkpoint = event.position();
            tailed.add(event);
          }
        }
      } catch (Throwable t) {
        failures.add(t);
      }
    }, "tailing-reader");
    Registration registration = store.onAppend(hint::release);
    try {
      reader.start();
      runWriters(writers, writer -> {
        int streams = 5;
        long[] versions = new long[streams];
        String[] ids = new String[streams];
        for (int s = 0; s < streams; s++) {
          ids[s] = uniqueStream("tail-w" + writer + "-s" + s);
        }
        int written = 0;
        while (written < perWriter) {
          int s = written % streams;
          int size = Math.min(1 + written % 4, perWriter - written);
          List<NewEvent> events = happened("w" + writer, written, size);
          store.append(ids[s], ExpectedVersion.exactly(versions[s]), events);
          versions[s] += size;
          for (NewEvent event : events) {
            appended.put(event.eventId(), ids[s]);
          }
          written += size;
        }
      });
      done.set(true);
      hint.release();
      reader.join(Duration.ofMinutes(2).toMillis());
    } finally {
      registration.close();
    }

    assertThat(reader.isAlive()).as("reader still running").isFalse();
    assertThat(failures).isEmpty();
    List<RecordedEvent> full = readAllSinceStart();
    assertThat(full).hasSize(total);
    assertThat(tailed).hasSize(total);
    Set<UUID> seen = new HashSet<>();
    Map<String, Long> lastVersion = new HashMap<>();
    for (int i = 0; i < total; i++) {
      RecordedEvent tail = tailed.get(i);
      RecordedEvent later = full.get(i);
      assertThat(tail.eventId()).as("event %d of the tailed sequence", i).isEqualTo(later.eventId());
      assertThat(tail.position()).isEqualTo(later.position());
      assertThat(seen.add(tail.eventId())).as("event %s seen once", tail.eventId()).isTrue();
      assertThat(appended.get(tail.eventId())).as("stream of event %s", tail.eventId()).isEqualTo(tail.streamId());
      long previous = lastVersion.getOrDefault(tail.streamId(), 0L);
      assertThat(tail.version()).as("version in stream %s", tail.streamId()).isEqualTo(previous + 1);
      lastVersion.put(tail.streamId(), tail.version());
    }
    assertThat(seen).isEqualTo(appended.keySet());
  }

  /** The work of one writer thread. */
  @FunctionalInterface
  private interface Writer {
    void write(int writer) throws Exception;
  }

  private static void runWriters(int writers, Writer work) throws InterruptedException {
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CyclicBarrier start = new CyclicBarrier(writers);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      threads.add(new Thread(() -> {
        try {
          start.await();
          work.write(writer);
        } catch (Throwable t) {
          failures.add(t);
        }
      }, "writer-" + w));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
    if (!failures.isEmpty()) {
      AssertionError error = new AssertionError(failures.size() + " writers failed; the first: " + failures.peek());
      failures.forEach(error::addSuppressed);
      throw error;
    }
  }

}
