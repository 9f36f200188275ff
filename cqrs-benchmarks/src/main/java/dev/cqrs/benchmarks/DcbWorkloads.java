package dev.cqrs.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.cqrs.core.AppendCondition;
import dev.cqrs.core.AppendConditionFailedException;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.EventQuery;
import dev.cqrs.core.EventQueryResult;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.jdbc.JdbcConfig;
import dev.cqrs.jdbc.JdbcEventStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * Dynamic consistency boundaries on PostgreSQL (fsync on), 8 writers, one event per append, in one run: conditional
 * appends on disjoint tags against stream appends guarded by their expected version, both as bare appends and as
 * whole decisions (read, then append); and 8 writers on one hot tag numbering events without gaps, against the same on
 * one hot stream, with the conflict rate and the numbering checked on the stored events. The contenders run in
 * interleaved rounds, each round in another order; figures are means over the rounds. Run with
 * {@code ./mvnw -q -pl cqrs-benchmarks -am package -DskipTests exec:exec -Dbench.mode=dcb}; {@code -Dbench.rounds=N}
 * sets the rounds (4 by default).
 */
final class DcbWorkloads {

  private static final int WRITERS = 8;
  /** Entities per writer for the decisions: each decision reads one entity's few events. */
  private static final int ENTITIES = 100;

  private final JdbcEventStore store;
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  private DcbWorkloads(JdbcEventStore store) {
    this.store = store;
  }

  /** One writer's work for one round: returns the appends it made and counts its refusals. */
  @FunctionalInterface
  private interface Writer {
    void run(int writer, long deadline, long measureFrom, LongAdder appends, LongAdder refusals) throws Exception;
  }

  static void run() throws Exception {
    int rounds = Integer.getInteger("bench.rounds", 4);
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on").setServerConfig("max_connections", "100").start()) {
      try (HikariDataSource dataSource = BenchPostgres.pool(postgres, 24)) {
        try (JdbcEventStore store = BenchPostgres.store(JdbcConfig.builder(dataSource).build())) {
          new DcbWorkloads(store).measure(rounds, dataSource);
        }
      }
    }
  }

  private void measure(int rounds, HikariDataSource dataSource) throws Exception {
    Duration warmup = Duration.ofSeconds(1);
    Duration measure = Duration.ofSeconds(3);
    String[] names = {"1. stream appends (expected version)", "2. tagged appends, no condition",
        "3. conditional appends (disjoint tags)", "4. stream decisions (read stream, append)",
        "5. tag decisions (read by query, conditional append)", "6. hot stream, gapless numbers",
        "7. hot tag, gapless numbers"};
    Writer[] contenders = {this::streamAppends, this::plainTaggedAppends, this::taggedAppends, this::streamDecisions,
        this::tagDecisions, this::hotStream, this::hotTag};
    int[] baseline = {-1, 0, 0, -1, 3, -1, 5};
    int[][] groups = {{0, 1, 2}, {3, 4}, {5, 6}};
    double[] appends = new double[contenders.length];
    double[] refusals = new double[contenders.length];
    double[] attempts = new double[contenders.length];
    for (int round = 0; round < rounds; round++) {
      for (int[] group : groups) {
        for (int k = 0; k < group.length; k++) {
          int which = group[(round + k) % group.length]; // each round in another order
          LongAdder[] counts = time(contenders[which], round, warmup, measure);
          appends[which] += counts[0].sum() / (measure.toNanos() / 1e9);
          refusals[which] += counts[1].sum();
          attempts[which] += counts[0].sum() + counts[1].sum();
        }
      }
      System.out.printf(Locale.ROOT, "round %d done%n", round + 1);
    }
    System.out.println();
    System.out.println("| workload, 8 writers, 1 event per append | appends/s | conflicts | ratio |");
    System.out.println("|---|---:|---:|---:|");
    for (int i = 0; i < contenders.length; i++) {
      double rate = appends[i] / rounds;
      String conflicts = attempts[i] == 0 ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * refusals[i] / attempts[i]);
      String ratio = baseline[i] < 0 ? "" : String.format(Locale.ROOT, "%.2f of %d", rate
          / (appends[baseline[i]] / rounds), baseline[i] + 1);
      System.out.printf(Locale.ROOT, "| %s | %,.0f | %s | %s |%n", names[i], rate, conflicts, ratio);
    }
    checkGapless("hot-stream-" + run);
    checkGaplessTag("hot:" + run);
    explain(dataSource);
  }

  private LongAdder[] time(Writer writer, int round, Duration warmup, Duration measure) throws Exception {
    LongAdder appends = new LongAdder();
    LongAdder refusals = new LongAdder();
    long measureFrom = System.nanoTime() + warmup.toNanos();
    long deadline = measureFrom + measure.toNanos();
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int w = 0; w < WRITERS; w++) {
      int id = round * 100 + w;
      Thread thread = new Thread(() -> {
        try {
          writer.run(id, deadline, measureFrom, appends, refusals);
        } catch (Throwable t) {
          failures.add(t);
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("a writer failed", failures.get(0));
    }
    return new LongAdder[] {appends, refusals};
  }

  private static NewEvent event(long i) {
    return NewEvent.of(Payloads.order(i));
  }

  private static void count(long measureFrom, LongAdder adder) {
    if (System.nanoTime() >= measureFrom) {
      adder.increment();
    }
  }

  /** Each writer appends to a stream of its own, with the version it knows as expected version. */
  private void streamAppends(int writer, long deadline, long measureFrom, LongAdder appends, LongAdder refusals) {
    String stream = "s-" + run + "-" + writer;
    for (long version = 0; System.nanoTime() < deadline; version++) {
      store.append(stream, ExpectedVersion.exactly(version), List.of(event(version)));
      count(measureFrom, appends);
    }
  }

  /** Each writer appends events tagged with a tag of its own, without a condition: what the tags alone cost. */
  private void plainTaggedAppends(int writer, long deadline, long measureFrom, LongAdder appends,
                                  LongAdder refusals) {
    String tag = "p:" + run + ":" + writer;
    for (long i = 0; System.nanoTime() < deadline; i++) {
      store.append("p-" + run + "-" + writer + "-" + i, ExpectedVersion.any(), List.of(event(i).withTags(tag)));
      count(measureFrom, appends);
    }
  }

  /**
   * Each writer appends events tagged with a tag of its own, on the condition that none appeared since its last. Using
   * an append's own position as the next condition's start is safe only because no other writer uses the tag: on
   * PostgreSQL another matching append may commit later at a lower position, so a condition must start where a read
   * ended ({@code EventQueryResult.readTo()}), as the other workloads do.
   */
  private void taggedAppends(int writer, long deadline, long measureFrom, LongAdder appends, LongAdder refusals) {
    String tag = "w:" + run + ":" + writer;
    EventQuery mine = EventQuery.of(EventQuery.Item.tags(tag));
    Position last = store.read(mine, Position.START).readTo();
    for (long i = 0; System.nanoTime() < deadline; i++) {
      last = store.append("t-" + run + "-" + writer + "-" + i, ExpectedVersion.any(), List.of(event(i).withTags(tag)),
          new AppendCondition(mine, last)).lastPosition();
      count(measureFrom, appends);
    }
  }

  /** Each writer decides on entities of its own in turn: reads the entity's stream, appends at its version. */
  private void streamDecisions(int writer, long deadline, long measureFrom, LongAdder appends, LongAdder refusals) {
    for (long i = 0; System.nanoTime() < deadline; i++) {
      String stream = "d-" + run + "-" + writer + "-" + (i % ENTITIES);
      List<RecordedEvent> history = store.readStream(stream);
      store.append(stream, ExpectedVersion.exactly(history.size()), List.of(event(i)));
      count(measureFrom, appends);
    }
  }

  /** The same decisions over tags: reads the entity's tag, appends on the condition of what it read. */
  private void tagDecisions(int writer, long deadline, long measureFrom, LongAdder appends, LongAdder refusals) {
    for (long i = 0; System.nanoTime() < deadline; i++) {
      String tag = "e:" + run + ":" + writer + ":" + (i % ENTITIES);
      EventQuery entity = EventQuery.of(EventQuery.Item.tags(tag));
      EventQueryResult read = store.read(entity, Position.START);
      store.append("q-" + run + "-" + writer + "-" + i, ExpectedVersion.any(), List.of(event(i).withTags(tag)),
          AppendCondition.unchangedSince(entity, read));
      count(measureFrom, appends);
    }
  }

  /** Every writer numbers events in one stream: reads what is new, appends the next number at the version read. */
  private void hotStream(int writer, long deadline, long measureFrom, LongAdder appends, LongAdder refusals) {
    String stream = "hot-stream-" + run;
    long version = 0;
    while (System.nanoTime() < deadline) {
      version += store.readStream(stream, version + 1).size();
      try {
        store.append(stream, ExpectedVersion.exactly(version), List.of(event(version + 1)));
        version++;
        count(measureFrom, appends);
      } catch (ConcurrencyConflictException conflict) {
        count(measureFrom, refusals);
      }
    }
  }

  /** Every writer numbers events under one tag: reads what is new by query, appends on the condition of the read. */
  private void hotTag(int writer, long deadline, long measureFrom, LongAdder appends, LongAdder refusals) {
    EventQuery hot = EventQuery.of(EventQuery.Item.tags("hot:" + run));
    long numbered = 0;
    Position readTo = Position.START;
    for (long i = 0; System.nanoTime() < deadline; i++) {
      EventQueryResult read = store.read(hot, readTo); // what is new since this writer's last read
      numbered += read.events().size();
      readTo = read.readTo();
      try {
        // the next read returns this event too: a condition starts where a read ended, never at an append
        store.append("hot-" + run + "-" + writer + "-" + i, ExpectedVersion.any(),
            List.of(event(numbered + 1).withTags("hot:" + run)), new AppendCondition(hot, readTo));
        count(measureFrom, appends);
      } catch (AppendConditionFailedException refused) {
        count(measureFrom, refusals);
      }
    }
  }

  /** The stream's events carry the numbers 1, 2, 3... in version order: no number twice, none skipped. */
  private void checkGapless(String stream) {
    List<RecordedEvent> events = store.readStream(stream);
    for (int i = 0; i < events.size(); i++) {
      long number = ((Payloads.OrderPlaced) events.get(i).payload()).amount() / 7;
      if (number != i + 1) {
        throw new IllegalStateException("hot stream: event " + (i + 1) + " carries number " + number);
      }
    }
    System.out.printf(Locale.ROOT, "hot stream: %,d events numbered 1 to %,d without a gap or a repeat%n",
        events.size(), events.size());
  }

  /** The tag's events carry the numbers 1, 2, 3... in global order: no number twice, none skipped. */
  private void checkGaplessTag(String tag) {
    List<RecordedEvent> events = store.read(EventQuery.of(EventQuery.Item.tags(tag)), Position.START).events();
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < events.size(); i++) {
      long number = ((Payloads.OrderPlaced) events.get(i).payload()).amount() / 7;
      if (number != i + 1 || !seen.add(number)) {
        throw new IllegalStateException("hot tag: event " + (i + 1) + " carries number " + number);
      }
    }
    System.out.printf(Locale.ROOT, "hot tag: %,d events numbered 1 to %,d without a gap or a repeat%n",
        events.size(), events.size());
  }

  /** Shows how PostgreSQL reads one entity's tag from the full table: through the tags' index. */
  private void explain(HikariDataSource dataSource) throws Exception {
    try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("EXPLAIN SELECT *"
        + " FROM cqrs_events WHERE (transaction_id, position) > (0, 0) AND transaction_id < 9223372036854775807"
        + " AND ((tags <> '{}' AND tags @> ?::text[])) ORDER BY transaction_id, position LIMIT 1000")) {
      s.setString(1, "{\"e:" + run + ":3:7\"}");
      try (ResultSet plan = s.executeQuery()) {
        System.out.println("plan of a read by one tag over " + String.format(Locale.ROOT, "%,d",
            store.countAfter(Position.START)) + " events:");
        while (plan.next()) {
          System.out.println("  " + plan.getString(1));
        }
      }
    }
  }
}
