package dev.cqrs.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cqrs.benchmarks.Payloads.OrderPlaced;
import dev.cqrs.core.Event;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.core.serialization.EventCodec;
import dev.cqrs.core.serialization.UpcasterChain;
import dev.cqrs.inmemory.InMemoryCheckpointStore;
import dev.cqrs.jdbc.JdbcConfig;
import dev.cqrs.jdbc.JdbcEventStore;
import dev.cqrs.jdbc.JdbcProcessors;
import dev.cqrs.jdbc.JdbcProjection;
import dev.cqrs.jdbc.JdbcSchema;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.SimpleEventHandlerInvoker;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.eventhandling.tokenstore.inmemory.InMemoryTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.PostgresTokenTableFactory;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.PostgresEventTableFactory;
import org.axonframework.serialization.json.JacksonSerializer;

/**
 * Workloads 3 to 6 on one PostgreSQL server with durable settings: appends, catch-up, append-to-projection latency,
 * and the plain-JDBC baseline. Both libraries use the same server, the same connection pool and the same payloads.
 */
final class DatabaseWorkloads implements AutoCloseable {

  /** One measured figure. */
  record Figure(double value, String unit) {
  }

  private final EmbeddedPostgres postgres;
  private final HikariDataSource dataSource;
  private final JdbcConfig config;
  private final JdbcEventStore store;
  private final AxonJdbc axonJdbc;
  private final JdbcEventStorageEngine axonEngine;
  private final String version;
  private final int batchSize = 500;

  DatabaseWorkloads() throws Exception {
    postgres = EmbeddedPostgres.builder()
        // -Dbench.fsync=off measures the same without waiting for the disk, to see what the CPU costs
        .setServerConfig("fsync", System.getProperty("bench.fsync", "on"))
        .setServerConfig("synchronous_commit", System.getProperty("bench.fsync", "on"))
        .setServerConfig("max_connections", "100")
        .start();
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
    pool.setUsername("postgres");
    pool.setMaximumPoolSize(24);
    pool.setPoolName("bench");
    dataSource = new HikariDataSource(pool);
    config = JdbcConfig.builder(dataSource).build();
    JdbcSchema.migrate(config);
    store = JdbcEventStore.create(config, EventCodec.of(Payloads.TYPES,
        dev.cqrs.jackson.JacksonSerializer.create(), UpcasterChain.empty()));
    axonJdbc = new AxonJdbc(dataSource);
    axonEngine = JdbcEventStorageEngine.builder()
        .connectionProvider(axonJdbc)
        .transactionManager(axonJdbc)
        .eventSerializer(JacksonSerializer.defaultSerializer())
        .snapshotSerializer(JacksonSerializer.defaultSerializer())
        .batchSize(batchSize)
        .build();
    axonEngine.createSchema(PostgresEventTableFactory.INSTANCE);
    execute("CREATE TABLE plain_events (LIKE cqrs_events INCLUDING DEFAULTS)",
        "ALTER TABLE plain_events ADD PRIMARY KEY (position)", "CREATE SEQUENCE plain_seq",
        "CREATE TABLE sink_cqrs (event_id uuid NOT NULL, amount bigint NOT NULL)",
        "CREATE TABLE sink_cqrs_batch (event_id uuid NOT NULL, amount bigint NOT NULL)",
        "CREATE TABLE sink_axon (event_id varchar(255) NOT NULL, amount bigint NOT NULL)");
    version = query("SHOW server_version");
  }

  String version() {
    return version;
  }

  private void execute(String... statements) throws SQLException {
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  private String query(String sql) throws SQLException {
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
         ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getString(1);
    }
  }

  // ---- appends

  /** One append of a batch by one writer; returns how many events it stored. */
  @FunctionalInterface
  interface Append {
    int run(int writer, long sequence) throws Exception;
  }

  Append cqrsAppend(int events) {
    return (writer, sequence) -> {
      List<NewEvent> batch = new ArrayList<>(events);
      for (int i = 0; i < events; i++) {
        batch.add(NewEvent.of(Payloads.order(sequence * events + i)));
      }
      store.append("cqrs-" + writer + "-" + sequence + "-" + UUID.randomUUID(), ExpectedVersion.noStream(), batch);
      return events;
    };
  }

  Append axonAppend(int events) {
    return (writer, sequence) -> {
      String aggregate = "axon-" + writer + "-" + sequence + "-" + UUID.randomUUID();
      List<DomainEventMessage<?>> batch = new ArrayList<>(events);
      for (int i = 0; i < events; i++) {
        batch.add(new GenericDomainEventMessage<>("Order", aggregate, i, Payloads.order(sequence * events + i)));
      }
      axonEngine.appendEvents(batch);
      return events;
    };
  }

  /**
   * The least a durable append of the same rows can cost: one multi-row {@code INSERT} in auto-commit mode (one round
   * trip, one commit) into the events table's copy without secondary indexes, with no version check at all.
   */
  Append floorAppend(int events) {
    String json = "{\"orderId\":\"order-1\",\"customer\":\"customer-1\",\"amount\":7,"
        + "\"note\":\"a note of some length for the payload\"}";
    StringBuilder sql = new StringBuilder("INSERT INTO plain_events (position, transaction_id, stream_id, version,"
        + " event_id, type_name, type_revision, payload, message_id, correlation_id, causation_id, created_at,"
        + " headers) VALUES ");
    for (int i = 0; i < events; i++) {
      sql.append(i == 0 ? "" : ", ").append("(nextval('plain_seq'), pg_current_xact_id()::text::bigint, ?, ?, ?,"
          + " 'OrderPlaced', 1, ?::json, ?, ?, ?, ?, '{}')");
    }
    return (writer, sequence) -> {
      try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(sql.toString())) {
        String stream = "floor-" + UUID.randomUUID();
        int p = 1;
        for (int i = 0; i < events; i++) {
          UUID id = UUID.randomUUID();
          insert.setString(p++, stream);
          insert.setLong(p++, i + 1);
          insert.setObject(p++, id);
          insert.setString(p++, json);
          insert.setObject(p++, id);
          insert.setObject(p++, id);
          insert.setObject(p++, id);
          insert.setObject(p++, OffsetDateTime.now(ZoneOffset.UTC));
        }
        insert.executeUpdate();
      }
      return events;
    };
  }

  Append plainAppend(int events) {
    String json = "{\"orderId\":\"order-1\",\"customer\":\"customer-1\",\"amount\":7,"
        + "\"note\":\"a note of some length for the payload\"}";
    return (writer, sequence) -> {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO plain_events (position, transaction_id, stream_id, version,"
            + " event_id, type_name, type_revision, payload, message_id, correlation_id, causation_id, created_at,"
            + " headers) VALUES (nextval('plain_seq'), pg_current_xact_id()::text::bigint, ?, ?, ?, 'OrderPlaced', 1, ?::json, ?, ?, ?, ?, '{}')")) {
          String stream = "plain-" + UUID.randomUUID();
          for (int i = 0; i < events; i++) {
            UUID id = UUID.randomUUID();
            insert.setString(1, stream);
            insert.setLong(2, i + 1);
            insert.setObject(3, id);
            insert.setString(4, json);
            insert.setObject(5, id);
            insert.setObject(6, id);
            insert.setObject(7, id);
            insert.setObject(8, OffsetDateTime.now(ZoneOffset.UTC));
            insert.addBatch();
          }
          insert.executeBatch();
        }
        c.commit();
      }
      return events;
    };
  }

  /** Runs writers for a warm-up, then measures events per second. */
  static Figure throughput(int writers, Duration warmup, Duration measure, Append append) throws Exception {
    LongAdder events = new LongAdder();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long warmupEnd = System.nanoTime() + warmup.toNanos();
    long measureEnd = warmupEnd + measure.toNanos();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      Thread thread = new Thread(() -> {
        try {
          start.await();
          long sequence = 0;
          long now;
          while ((now = System.nanoTime()) < measureEnd) {
            int stored = append.run(writer, sequence++);
            if (now >= warmupEnd) {
              events.add(stored);
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      thread.start();
      threads.add(thread);
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("workload failed", failure.get());
    }
    return new Figure(events.sum() / (measure.toNanos() / 1e9), "events/s");
  }

  // ---- catch-up

  /** Appends {@code count} events to both stores, 100 per transaction, from 8 writers. */
  void seed(long count) throws Exception {
    long perWriter = count / 8 / 100;
    for (Append append : List.of(cqrsAppend(100), axonAppend(100))) {
      CountDownLatch done = new CountDownLatch(8);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      for (int w = 0; w < 8; w++) {
        int writer = w;
        new Thread(() -> {
          try {
            for (long s = 0; s < perWriter; s++) {
              append.run(100 + writer, s);
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          } finally {
            done.countDown();
          }
        }).start();
      }
      done.await();
      if (failure.get() != null) {
        throw new IllegalStateException("seeding failed", failure.get());
      }
    }
  }

  long eventsIn(String table) throws SQLException {
    return Long.parseLong(query("SELECT count(*) FROM " + table));
  }

  /** This library: a tracking processor into a no-op projection. */
  Figure cqrsCatchUpNoOp(long total) throws Exception {
    AtomicLong seen = new AtomicLong();
    Projection counter = Projection.builder().on(OrderPlaced.class, event -> seen.incrementAndGet()).build();
    TrackingProcessor processor = TrackingProcessor.builder("catch-up-" + UUID.randomUUID(), store, counter,
        InMemoryCheckpointStore.create()).batchSize(batchSize).build();
    return timed(total, seen, processor::start, processor::stop);
  }

  /**
   * This library: a transactional processor inserting into a table of the same database, one row per event with
   * {@code apply}, or each batch with one JDBC batch in {@code applyBatch}.
   */
  Figure cqrsCatchUpTable(long total, boolean batched) throws Exception {
    AtomicLong seen = new AtomicLong();
    String table = batched ? "sink_cqrs_batch" : "sink_cqrs";
    JdbcProjection sink = new JdbcProjection() {
      @Override
      public boolean handles(Class<? extends Event> type) {
        return type == OrderPlaced.class;
      }

      @Override
      public void apply(RecordedEvent event, Connection connection) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO " + table + " (event_id, amount) VALUES (?, ?)")) {
          insert.setObject(1, event.eventId());
          insert.setLong(2, event.payloadAs(OrderPlaced.class).amount());
          insert.executeUpdate();
        }
        seen.incrementAndGet();
      }

      @Override
      public void applyBatch(List<RecordedEvent> events, Connection connection) throws SQLException {
        if (!batched) {
          JdbcProjection.super.applyBatch(events, connection);
          return;
        }
        try (PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO " + table + " (event_id, amount) VALUES (?, ?)")) {
          for (RecordedEvent event : events) {
            insert.setObject(1, event.eventId());
            insert.setLong(2, event.payloadAs(OrderPlaced.class).amount());
            insert.addBatch();
          }
          insert.executeBatch();
        }
        seen.addAndGet(events.size());
      }
    };
    TrackingProcessor processor = JdbcProcessors.transactional(config, "sink-" + UUID.randomUUID(), store, sink)
        .batchSize(batchSize).build();
    Figure figure = timed(total, seen, processor::start, processor::stop);
    if (eventsIn(table) < total) {
      throw new IllegalStateException("the sink holds fewer rows than events");
    }
    return figure;
  }

  /** Axon's handler for the no-op catch-up. */
  public static final class AxonCounter {
    private final AtomicLong seen;

    AxonCounter(AtomicLong seen) {
      this.seen = seen;
    }

    /**
     * Counts.
     *
     * @param event the event
     */
    @EventHandler
    public void on(OrderPlaced event) {
      seen.incrementAndGet();
    }
  }

  /** Axon's handler for the table catch-up: one insert per event through the processor's transaction. */
  public static final class AxonSink {
    private final AtomicLong seen;
    private final AxonJdbc jdbc;

    AxonSink(AtomicLong seen, AxonJdbc jdbc) {
      this.seen = seen;
      this.jdbc = jdbc;
    }

    /**
     * Inserts.
     *
     * @param event the event
     * @param message the message, for its id
     * @throws SQLException on a database failure
     */
    @EventHandler
    public void on(OrderPlaced event, EventMessage<?> message) throws SQLException {
      try (Connection connection = jdbc.getConnection(); PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO sink_axon (event_id, amount) VALUES (?, ?)")) {
        insert.setString(1, message.getIdentifier());
        insert.setLong(2, event.amount());
        insert.executeUpdate();
      }
      seen.incrementAndGet();
    }
  }

  /** Axon: a tracking event processor over an embedded event store on the JDBC engine, into a no-op handler. */
  Figure axonCatchUpNoOp(long total) throws Exception {
    AtomicLong seen = new AtomicLong();
    EmbeddedEventStore eventStore = EmbeddedEventStore.builder().storageEngine(axonEngine).build();
    TrackingEventProcessor processor = TrackingEventProcessor.builder()
        .name("catch-up-" + UUID.randomUUID())
        .eventHandlerInvoker(SimpleEventHandlerInvoker.builder().eventHandlers(new AxonCounter(seen)).build())
        .messageSource(eventStore)
        .tokenStore(new InMemoryTokenStore())
        .transactionManager(NoTransactionManager.INSTANCE)
        .trackingEventProcessorConfiguration(
            TrackingEventProcessorConfiguration.forSingleThreadedProcessing().andBatchSize(batchSize))
        .build();
    try {
      return timed(total, seen, processor::start, processor::shutDown);
    } finally {
      eventStore.shutDown();
    }
  }

  /** Axon: the same, inserting into a table, with its token in a JDBC token store in the same transaction. */
  Figure axonCatchUpTable(long total) throws Exception {
    AtomicLong seen = new AtomicLong();
    JdbcTokenStore tokens = JdbcTokenStore.builder().connectionProvider(axonJdbc)
        .serializer(JacksonSerializer.defaultSerializer()).build();
    tokens.createSchema(PostgresTokenTableFactory.INSTANCE);
    EmbeddedEventStore eventStore = EmbeddedEventStore.builder().storageEngine(axonEngine).build();
    TrackingEventProcessor processor = TrackingEventProcessor.builder()
        .name("sink-" + UUID.randomUUID())
        .eventHandlerInvoker(SimpleEventHandlerInvoker.builder().eventHandlers(new AxonSink(seen, axonJdbc)).build())
        .messageSource(eventStore)
        .tokenStore(tokens)
        .transactionManager(axonJdbc)
        .trackingEventProcessorConfiguration(
            TrackingEventProcessorConfiguration.forSingleThreadedProcessing().andBatchSize(batchSize))
        .build();
    try {
      return timed(total, seen, processor::start, processor::shutDown);
    } finally {
      eventStore.shutDown();
    }
  }

  private static Figure timed(long total, AtomicLong seen, Runnable start, Runnable stop) throws Exception {
    long begin = System.nanoTime();
    start.run();
    try {
      long deadline = begin + Duration.ofMinutes(20).toNanos();
      while (seen.get() < total) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("catch-up did not finish: " + seen.get() + " of " + total);
        }
        Thread.sleep(2);
      }
      return new Figure(total / ((System.nanoTime() - begin) / 1e9), "events/s");
    } finally {
      stop.run();
    }
  }

  // ---- latency

  /** Milliseconds from the start of an append to a projection seeing its event: p50 and p99. */
  record Latency(double p50, double p99) {
  }

  Latency cqrsLatency(int events) throws Exception {
    ConcurrentHashMap<String, Long> started = new ConcurrentHashMap<>();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    Projection timer = Projection.builder().on(OrderPlaced.class, event -> {
      Long start = started.remove(event.orderId());
      if (start != null) {
        latencies.add(System.nanoTime() - start);
      }
    }).build();
    TrackingProcessor processor = TrackingProcessor.builder("latency-" + UUID.randomUUID(), store, timer,
        InMemoryCheckpointStore.create()).build();
    processor.start();
    try {
      awaitCaughtUp(processor);
      for (int i = 0; i < events; i++) {
        String id = "latency-cqrs-" + UUID.randomUUID();
        started.put(id, System.nanoTime());
        store.append(id, ExpectedVersion.noStream(), new OrderPlaced(id, "c", i, "n"));
        Thread.sleep(5);
      }
      return percentiles(latencies, events);
    } finally {
      processor.stop();
    }
  }

  private void awaitCaughtUp(TrackingProcessor processor) throws InterruptedException {
    if (!processor.awaitPosition(store.head(), Duration.ofMinutes(20))) {
      throw new IllegalStateException("processor did not catch up");
    }
  }

  /** Axon's handler for latency. */
  public static final class AxonTimer {
    private final ConcurrentHashMap<String, Long> started;
    private final List<Long> latencies;

    AxonTimer(ConcurrentHashMap<String, Long> started, List<Long> latencies) {
      this.started = started;
      this.latencies = latencies;
    }

    /**
     * Times.
     *
     * @param event the event
     */
    @EventHandler
    public void on(OrderPlaced event) {
      Long start = started.remove(event.orderId());
      if (start != null) {
        latencies.add(System.nanoTime() - start);
      }
    }
  }

  Latency axonLatency(int events) throws Exception {
    ConcurrentHashMap<String, Long> started = new ConcurrentHashMap<>();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    EmbeddedEventStore eventStore = EmbeddedEventStore.builder().storageEngine(axonEngine).build();
    TrackingEventProcessor processor = TrackingEventProcessor.builder()
        .name("latency-" + UUID.randomUUID())
        .eventHandlerInvoker(SimpleEventHandlerInvoker.builder()
            .eventHandlers(new AxonTimer(started, latencies)).build())
        .messageSource(eventStore)
        .tokenStore(new InMemoryTokenStore())
        .transactionManager(NoTransactionManager.INSTANCE)
        .trackingEventProcessorConfiguration(
            TrackingEventProcessorConfiguration.forSingleThreadedProcessing().andBatchSize(batchSize)
                .andInitialTrackingToken(source -> source.createHeadToken()))
        .build();
    processor.start();
    try {
      Thread.sleep(2000);
      for (int i = 0; i < events; i++) {
        String id = "latency-axon-" + UUID.randomUUID();
        started.put(id, System.nanoTime());
        eventStore.publish(new GenericDomainEventMessage<>("Order", id, 0, new OrderPlaced(id, "c", i, "n")));
        Thread.sleep(5);
      }
      return percentiles(latencies, events);
    } finally {
      processor.shutDown();
      eventStore.shutDown();
    }
  }

  private static Latency percentiles(List<Long> latencies, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (latencies.size() < expected && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    long[] sorted;
    synchronized (latencies) {
      sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    }
    if (sorted.length < expected) {
      throw new IllegalStateException("only " + sorted.length + " of " + expected + " events reached the projection");
    }
    return new Latency(sorted[(int) (sorted.length * 0.50)] / 1e6, sorted[Math.min(sorted.length - 1,
        (int) Math.ceil(sorted.length * 0.99) - 1)] / 1e6);
  }

  // ---- plain read baseline

  Figure plainRead(long total) throws SQLException {
    long begin = System.nanoTime();
    long rows = 0;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement select = c.prepareStatement("SELECT position, stream_id, version, event_id, type_name,"
          + " type_revision, payload::text, message_id, correlation_id, causation_id, created_at, headers::text"
          + " FROM cqrs_events ORDER BY transaction_id, position")) {
        select.setFetchSize(1000);
        try (ResultSet result = select.executeQuery()) {
          while (result.next()) {
            result.getString(7);
            rows++;
          }
        }
      }
      c.commit();
    }
    if (rows < total) {
      throw new IllegalStateException("read " + rows + " rows, expected at least " + total);
    }
    return new Figure(rows / ((System.nanoTime() - begin) / 1e9), "rows/s");
  }

  @Override
  public void close() throws IOException {
    store.close();
    dataSource.close();
    postgres.close();
  }
}
