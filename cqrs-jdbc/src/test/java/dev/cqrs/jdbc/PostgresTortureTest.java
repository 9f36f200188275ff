package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.inmemory.InMemoryCheckpointStore;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;

/**
 * The guarantee PostgreSQL users rely on: 16 writers on separate connections append while some hold their
 * transaction open after inserting (so that rows with lower positions commit after rows with higher ones), and two
 * tracked processors tail the store from their checkpoints. Each processor's log must equal the final global order:
 * the same events, in the same order, none skipped, none twice.
 */
class PostgresTortureTest {

  record Written(String writer, int number) implements Event {
  }

  private static final EventTypes TYPES = EventTypes.builder().register(Written.class, "Written", 1).build();

  @RepeatedTest(3)
  void processors_see_exactly_the_final_global_order_while_slow_transactions_commit_out_of_order() throws Exception {
    JdbcConfig config = TestDatabases.postgres("torture_");
    AtomicInteger heldOpen = new AtomicInteger();
    // Writers whose thread name ends in an odd digit keep their transaction open for a while after the insert.
    JdbcProjection holdOpen = new JdbcProjection() {
      @Override
      public boolean handles(Class<? extends Event> eventType) {
        return true;
      }

      @Override
      public void apply(RecordedEvent event, Connection connection) {
        if (event.version() % 5 == 1 && Thread.currentThread().getName().matches(".*[13579]$")) {
          heldOpen.incrementAndGet();
          try {
            Thread.sleep(ThreadLocalRandom.current().nextInt(1, 15));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    };
    JdbcEventStore writerStore = JdbcEventStore.builder(config, TestDatabases.codec(TYPES))
        .inlineProjection(holdOpen).build();
    JdbcEventStore readerStore = JdbcEventStore.create(config, TestDatabases.codec(TYPES));
    Position start = readerStore.head();

    List<List<UUID>> logs = List.of(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
    List<TrackingProcessor> processors = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      List<UUID> log = logs.get(p);
      Projection logger = Projection.builder()
          .on(Written.class, (written, recorded) -> log.add(recorded.eventId()))
          .build();
      InMemoryCheckpointStore checkpoints = InMemoryCheckpointStore.create();
      checkpoints.save("torture-" + p, start);
      TrackingProcessor processor = TrackingProcessor.builder("torture-" + p, readerStore, logger, checkpoints)
          .batchSize(50 + 50 * p)
          .pollInterval(Duration.ofMillis(5 + 20 * p))
          .build();
      processor.start();
      processors.add(processor);
    }

    int writers = 16;
    int perWriter = 250;
    Set<UUID> written = ConcurrentHashMap.newKeySet();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      String writer = "writer-" + UUID.randomUUID() + "-" + w;
      Thread thread = new Thread(() -> {
        try {
          go.await();
          int number = 0;
          while (number < perWriter) {
            int size = Math.min(1 + number % 3, perWriter - number);
            List<NewEvent> events = new ArrayList<>();
            for (int i = 0; i < size; i++) {
              events.add(NewEvent.of(new Written(writer, number + i)));
            }
            writerStore.append(writer + "-" + (number % 4), ExpectedVersion.any(), events);
            events.forEach(e -> written.add(e.eventId()));
            number += size;
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      }, "torture-" + w);
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(failures).isEmpty();
    assertThat(heldOpen.get()).as("transactions held open before commit").isGreaterThan(100);

    Position head = readerStore.head();
    for (TrackingProcessor processor : processors) {
      assertThat(processor.awaitPosition(head, Duration.ofSeconds(60))).as("%s caught up", processor).isTrue();
      processor.stop();
    }
    List<UUID> finalOrder = new ArrayList<>();
    Position after = start;
    List<RecordedEvent> page;
    List<Long> sequences = new ArrayList<>();
    while (!(page = readerStore.readAll(after, 1000)).isEmpty()) {
      for (RecordedEvent event : page) {
        finalOrder.add(event.eventId());
        sequences.add(event.position().sequence());
      }
      after = page.get(page.size() - 1).position();
    }
    readerStore.close();
    writerStore.close();

    assertThat(finalOrder).hasSize(writers * perWriter);
    assertThat(new HashSet<>(finalOrder)).isEqualTo(written);
    for (int p = 0; p < 2; p++) {
      List<UUID> log = logs.get(p);
      assertThat(log).as("log of processor %d", p).hasSize(finalOrder.size());
      for (int i = 0; i < finalOrder.size(); i++) {
        if (!log.get(i).equals(finalOrder.get(i))) {
          throw new AssertionError("processor " + p + " saw event " + log.get(i) + " at index " + i
              + " where the final order has " + finalOrder.get(i));
        }
      }
    }
    List<Long> sorted = new ArrayList<>(sequences);
    sorted.sort(null);
    assertThat(sequences).as("positions were handed out in another order than transactions became visible")
        .isNotEqualTo(sorted);
  }
}
