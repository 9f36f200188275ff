package dev.cqrs.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.Projection;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.jdbc.JdbcConfig;
import dev.cqrs.jdbc.JdbcEventStore;
import dev.cqrs.jdbc.JdbcProcessors;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Catch-up of segmented processors into an I/O-bound projection (each event waits about 1 ms, as a call to another
 * service would) on PostgreSQL: 1, 4 and 8 segments on one instance and 8 segments on two instances, each catching up
 * on the same stored events from the first one, in one run; prints the throughput of each as a ratio to one segment.
 * Leased processors (the read model is elsewhere), a lease of 1 s so that the instances share within a third of it.
 * Run with {@code ./mvnw -q -pl cqrs-benchmarks -am package -DskipTests exec:exec -Dbench.mode=segments}.
 */
final class SegmentScaling {

  private static final int EVENTS = 8_000;
  private static final int STREAMS = 800;
  private static final long WAIT_NANOS = 1_000_000;

  private SegmentScaling() {
  }

  static void run() throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setServerConfig("fsync", "on").start()) {
      try (HikariDataSource dataSource = BenchPostgres.pool(postgres, 40)) {
        JdbcConfig config = JdbcConfig.builder(dataSource).build();
        try (JdbcEventStore store = BenchPostgres.store(config)) {
          Position last = Position.START;
          for (int i = 0; i < EVENTS; i++) {
            String stream = "order-" + (i % STREAMS);
            last = store.append(stream, ExpectedVersion.exactly(i / STREAMS),
                List.of(NewEvent.of(new Payloads.Incremented(stream, i)))).lastPosition();
          }
          int[][] layouts = {{1, 1}, {4, 1}, {8, 1}, {8, 2}};
          double[] perSecond = new double[layouts.length];
          for (int round = 0; round < 2; round++) { // the first round warms up; the second is reported
            for (int l = 0; l < layouts.length; l++) {
              perSecond[l] = catchUp(config, store, last, layouts[l][0], layouts[l][1]);
            }
          }
          System.out.println();
          System.out.printf(Locale.ROOT, "| segments | instances | events/s | ratio to 1 segment | target |%n");
          System.out.printf(Locale.ROOT, "|---|---|---|---|---|%n");
          for (int l = 0; l < layouts.length; l++) {
            System.out.printf(Locale.ROOT, "| %d | %d | %.0f | %.2f | >= %.1f |%n", layouts[l][0], layouts[l][1],
                perSecond[l], perSecond[l] / perSecond[0], 0.8 * layouts[l][0]);
          }
        }
      }
    }
  }

  /** Runs a fresh processor over every stored event; returns events per second until the last one is applied. */
  private static double catchUp(JdbcConfig config, JdbcEventStore store, Position last, int segments,
                                int instances) {
    String name = "catch-up-" + UUID.randomUUID();
    AtomicInteger applied = new AtomicInteger();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    int[] perInstance = new int[instances];
    List<TrackingProcessor> processors = new ArrayList<>();
    long began = System.nanoTime();
    for (int i = 0; i < instances; i++) {
      int instance = i;
      Projection projection = Projection.builder()
          .on(Payloads.Incremented.class, event -> {
            LockSupport.parkNanos(WAIT_NANOS); // the I/O a handler waits for
            applied.incrementAndGet();
            threads.add(instance + "/" + Thread.currentThread().getName());
            synchronized (perInstance) {
              perInstance[instance]++;
            }
          })
          .build();
      TrackingProcessor processor = JdbcProcessors.leased(config, name, store, projection, "instance-" + i,
              Duration.ofSeconds(1))
          .segments(segments).batchSize(100).pollInterval(Duration.ofMillis(20)).build();
      processors.add(processor);
      processor.start();
    }
    try {
      processors.get(0).awaitProcessed(last, Duration.ofMinutes(5));
      long took = System.nanoTime() - began;
      if (applied.get() < EVENTS) {
        throw new IllegalStateException("applied " + applied.get() + " of " + EVENTS + " events");
      }
      String split;
      synchronized (perInstance) {
        split = java.util.Arrays.toString(perInstance);
      }
      System.out.printf(Locale.ROOT, "%d segments on %d instances: %d events in %.2f s on %d threads, per instance %s%n",
          segments, instances, applied.get(), took / 1e9, threads.size(), split);
      return EVENTS / (took / 1e9); // a take-over may deliver an event twice (leased: at least once); count each once
    } finally {
      processors.forEach(TrackingProcessor::stop);
    }
  }
}
