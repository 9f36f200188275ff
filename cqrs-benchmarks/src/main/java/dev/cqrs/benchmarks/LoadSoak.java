package dev.cqrs.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.cqrs.benchmarks.Payloads.OrderPlaced;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.Projection;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.inmemory.InMemoryCheckpointStore;
import dev.cqrs.jdbc.JdbcConfig;
import dev.cqrs.jdbc.JdbcEventStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The load soak: 1,000,000 events appended by 8 writers to PostgreSQL while 3 tracked processors run; checks that all
 * catch up with correct read models and reports the JVM's peak heap. Run with
 * {@code ./mvnw -q -pl cqrs-benchmarks -am package -DskipTests exec:exec -Dbench.mode=soak}; it writes
 * {@code docs/reliability-load.md}.
 */
final class LoadSoak {

  private LoadSoak() {
  }

  static void run(long total, Path report) throws Exception {
    long begin = System.nanoTime();
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on").start()) {
      try (HikariDataSource dataSource = BenchPostgres.pool(postgres, 16)) {
        JdbcConfig config = JdbcConfig.builder(dataSource).build();
        JdbcEventStore store = BenchPostgres.store(config);
        List<ConcurrentHashMap<String, Long>> models = new ArrayList<>();
        List<LongAdder> applied = new ArrayList<>();
        List<TrackingProcessor> processors = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
          ConcurrentHashMap<String, Long> amounts = new ConcurrentHashMap<>();
          LongAdder count = new LongAdder();
          models.add(amounts);
          applied.add(count);
          Projection projection = Projection.builder().on(OrderPlaced.class, event -> {
            amounts.merge(event.customer(), event.amount(), Long::sum);
            count.increment();
          }).build();
          TrackingProcessor processor = TrackingProcessor.builder("load-" + p, store, projection,
              InMemoryCheckpointStore.create()).batchSize(250 + 250 * p).build();
          processor.start();
          processors.add(processor);
        }
        int writers = 8;
        long perWriter = total / writers / 10;
        ConcurrentHashMap<String, Long> expected = new ConcurrentHashMap<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Position> last = new AtomicReference<>(Position.START);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          int writer = w;
          Thread thread = new Thread(() -> {
            try {
              for (long a = 0; a < perWriter; a++) {
                List<NewEvent> batch = new ArrayList<>(10);
                for (int i = 0; i < 10; i++) {
                  OrderPlaced event = Payloads.order((writer * perWriter + a) * 10 + i);
                  expected.merge(event.customer(), event.amount(), Long::sum);
                  batch.add(NewEvent.of(event));
                }
                Position position = store.append("load-" + UUID.randomUUID(), ExpectedVersion.noStream(), batch)
                    .lastPosition();
                last.accumulateAndGet(position, (x, y) -> x.compareTo(y) >= 0 ? x : y);
              }
            } catch (Throwable e) {
              failure.compareAndSet(null, e);
            }
          });
          thread.start();
          threads.add(thread);
        }
        for (Thread thread : threads) {
          thread.join();
        }
        if (failure.get() != null) {
          throw new IllegalStateException("a writer failed", failure.get());
        }
        long appended = writers * perWriter * 10;
        Duration appendTime = Duration.ofNanos(System.nanoTime() - begin);
        StringBuilder results = new StringBuilder();
        boolean allCorrect = true;
        for (int p = 0; p < 3; p++) {
          boolean reached = processors.get(p).awaitPosition(store.head(), Duration.ofMinutes(30));
          boolean correct = reached && applied.get(p).sum() == appended && models.get(p).equals(expected);
          allCorrect &= correct;
          results.append("| load-").append(p).append(" | ").append(applied.get(p).sum()).append(" | ")
              .append(correct ? "equal to the expected sums" : "WRONG").append(" |\n");
          processors.get(p).stop();
        }
        long peakHeap = 0;
        for (MemoryPoolMXBean memoryPool : ManagementFactory.getMemoryPoolMXBeans()) {
          if (memoryPool.getType() == MemoryType.HEAP) {
            peakHeap += memoryPool.getPeakUsage().getUsed();
          }
        }
        store.close();
        String markdown = "# Load soak: last result\n\n"
            + "Run on " + LocalDate.now() + " with `./mvnw -q -pl cqrs-benchmarks -am package -DskipTests exec:exec"
            + " -Dbench.mode=soak`: " + appended + " events appended by " + writers + " writers (10 per"
            + " transaction) to PostgreSQL (fsync and synchronous_commit on) in " + appendTime.toSeconds()
            + " s, while 3 tracked processors (batches of 250, 500 and 750) kept in-memory read models of the"
            + " amount per customer.\n\n"
            + "| processor | events applied | read model |\n|---|---:|---|\n" + results
            + "\nResult: " + (allCorrect ? "PASSED" : "FAILED") + ". Peak heap of the JVM (writers, processors and"
            + " read models together): " + peakHeap / (1024 * 1024) + " MiB with `-Xmx4g`; the processors read in"
            + " batches and hold a few at most (the read-ahead queues up to 4 while a processor is behind), so the"
            + " heap stays bounded by the read models.\n";
        Files.writeString(report, markdown, StandardCharsets.UTF_8);
        System.out.println(markdown);
        if (!allCorrect) {
          throw new IllegalStateException("the load soak failed");
        }
      }
    }
  }
}
