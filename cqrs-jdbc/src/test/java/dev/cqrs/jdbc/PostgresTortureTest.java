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
import dev.cqrs.core.TransientException;
import dev.cqrs.inmemory.InMemoryCheckpointStore;
import dev.cqrs.jdbc.internal.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Savepoint;
import java.sql.Statement;
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
    List<TrackingProcessor> processors = startProcessors(readerStore, logs, start);

    int writers = 16;
    int perWriter = 250;
    Set<UUID> written = ConcurrentHashMap.newKeySet();
    runWriters(writers, "torture", w -> {
      String writer = "writer-" + UUID.randomUUID() + "-" + w;
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
    });
    assertThat(heldOpen.get()).as("transactions held open before commit").isGreaterThan(100);

    assertEveryProcessorSawTheFinalOrder(readerStore, processors, logs, start, written);
    readerStore.close();
    writerStore.close();
  }

  @RepeatedTest(2)
  void caller_transactions_that_write_elsewhere_first_append_late_or_roll_back_are_read_once_in_order()
      throws Exception {
    JdbcConfig config = TestDatabases.postgres("torture_callers_");
    String elsewhere = "elsewhere_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Jdbc.withConnection(config, "create", c -> {
      try (Statement statement = c.createStatement()) {
        statement.execute("CREATE TABLE " + elsewhere + " (writer text, number int)");
      }
      return null;
    });
    JdbcEventStore writerStore = JdbcEventStore.create(config, TestDatabases.codec(TYPES));
    JdbcEventStore readerStore = JdbcEventStore.create(config, TestDatabases.codec(TYPES));
    Position start = readerStore.head();
    List<List<UUID>> logs = List.of(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
    List<TrackingProcessor> processors = startProcessors(readerStore, logs, start);

    int writers = 12;
    int transactionsPerWriter = 60;
    Set<UUID> written = ConcurrentHashMap.newKeySet();
    AtomicInteger wroteFirst = new AtomicInteger();
    AtomicInteger rolledBack = new AtomicInteger();
    AtomicInteger undoneToSavepoint = new AtomicInteger();
    runWriters(writers, "caller-torture", w -> {
      String writer = "caller-" + UUID.randomUUID() + "-" + w;
      ThreadLocalRandom random = ThreadLocalRandom.current();
      try (Connection connection = config.dataSource().getConnection()) {
        connection.setAutoCommit(false);
        transactions:
        for (int t = 0; t < transactionsPerWriter; t++) {
          connection.setTransactionIsolation(random.nextBoolean() ? Connection.TRANSACTION_READ_COMMITTED
              : Connection.TRANSACTION_REPEATABLE_READ);
          if (random.nextInt(3) > 0) { // takes a transaction id long before it appends
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + elsewhere
                + " VALUES (?, ?)")) {
              insert.setString(1, writer);
              insert.setInt(2, t);
              insert.executeUpdate();
            }
            wroteFirst.incrementAndGet();
            Thread.sleep(random.nextInt(0, 12));
          }
          List<UUID> mine = new ArrayList<>();
          for (int a = 0, appends = random.nextInt(1, 4); a < appends; a++) {
            List<NewEvent> events = new ArrayList<>();
            for (int i = 0, size = random.nextInt(1, 3); i < size; i++) {
              events.add(NewEvent.of(new Written(writer, t * 10 + a)));
            }
            Savepoint savepoint = random.nextInt(6) == 0 ? connection.setSavepoint() : null;
            try {
              // the first append goes to a stream shared by all writers, so that appends wait for each other's
              // stream lock; the others to the writer's own (two shared streams in one transaction could deadlock)
              String stream = a == 0 ? "shared-" + random.nextInt(8) : writer + "-" + random.nextInt(2);
              writerStore.append(connection, stream, ExpectedVersion.any(), events);
            } catch (TransientException e) {
              // a repeatable read transaction found the stream changed since its snapshot: start over
              connection.rollback();
              mine.clear();
              continue transactions;
            }
            if (savepoint != null) {
              connection.rollback(savepoint);
              undoneToSavepoint.incrementAndGet();
            } else {
              events.forEach(e -> mine.add(e.eventId()));
            }
            if (random.nextInt(4) == 0) {
              Thread.sleep(random.nextInt(1, 8)); // holds its appends open
            }
          }
          if (random.nextInt(8) == 0) {
            connection.rollback();
            rolledBack.incrementAndGet();
          } else {
            connection.commit();
            written.addAll(mine);
          }
        }
      }
    });
    assertThat(wroteFirst.get()).as("transactions that wrote elsewhere before appending").isGreaterThan(300);
    assertThat(rolledBack.get()).as("transactions rolled back").isPositive();
    assertThat(undoneToSavepoint.get()).as("appends rolled back to a savepoint").isPositive();
    assertThat(written.size()).as("events committed").isGreaterThan(500);

    assertEveryProcessorSawTheFinalOrder(readerStore, processors, logs, start, written);
    readerStore.close();
    writerStore.close();
  }

  /** A writer's work. */
  @FunctionalInterface
  interface Writer {
    void run(int index) throws Exception;
  }

  /** Runs writers on threads of their own, started together; fails with the first writer's failure. */
  private static void runWriters(int count, String name, Writer writer) throws InterruptedException {
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < count; w++) {
      int index = w;
      Thread thread = new Thread(() -> {
        try {
          go.await();
          writer.run(index);
        } catch (Throwable e) {
          failures.add(e);
        }
      }, name + "-" + w);
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(failures).isEmpty();
  }

  private static List<TrackingProcessor> startProcessors(JdbcEventStore readerStore, List<List<UUID>> logs,
                                                         Position start) {
    List<TrackingProcessor> processors = new ArrayList<>();
    for (int p = 0; p < logs.size(); p++) {
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
    return processors;
  }

  /** Each processor's log equals the store's final global order after the start, which holds exactly the written. */
  private static List<RecordedEvent> assertEveryProcessorSawTheFinalOrder(JdbcEventStore readerStore,
      List<TrackingProcessor> processors, List<List<UUID>> logs, Position start, Set<UUID> written)
      throws InterruptedException {
    Position head = readerStore.head();
    for (TrackingProcessor processor : processors) {
      assertThat(processor.awaitPosition(head, Duration.ofSeconds(60))).as("%s caught up", processor).isTrue();
      processor.stop();
    }
    List<RecordedEvent> events = new ArrayList<>();
    Position after = start;
    List<RecordedEvent> page;
    while (!(page = readerStore.readAll(after, 1000)).isEmpty()) {
      events.addAll(page);
      after = page.get(page.size() - 1).position();
    }
    List<UUID> finalOrder = events.stream().map(RecordedEvent::eventId).toList();
    assertThat(finalOrder).hasSize(written.size());
    assertThat(new HashSet<>(finalOrder)).isEqualTo(written);
    for (int p = 0; p < logs.size(); p++) {
      List<UUID> log = logs.get(p);
      assertThat(log).as("log of processor %d", p).hasSize(finalOrder.size());
      for (int i = 0; i < finalOrder.size(); i++) {
        if (!log.get(i).equals(finalOrder.get(i))) {
          throw new AssertionError("processor " + p + " saw event " + log.get(i) + " at index " + i
              + " where the final order has " + finalOrder.get(i));
        }
      }
    }
    Map<String, Long> lastVersions = new HashMap<>();
    for (RecordedEvent event : events) {
      Long previous = lastVersions.put(event.streamId(), event.version());
      if (previous != null && previous >= event.version()) {
        throw new AssertionError("stream " + event.streamId() + " has version " + event.version() + " after version "
            + previous + " in the global order");
      }
    }
    List<Long> sequences = events.stream().map(e -> e.position().sequence()).toList();
    assertThat(sequences).as("positions were handed out in another order than transactions became visible")
        .isNotEqualTo(sequences.stream().sorted().toList());
    return events;
  }
}
