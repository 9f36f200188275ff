package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.CommandResult;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.StateChange;
import dev.cqrs.core.StateStoredHandler;
import dev.cqrs.core.StoredState;
import dev.cqrs.core.UnknownEventTypeException;
import dev.cqrs.jackson.JacksonSerializer;
import dev.cqrs.jdbc.internal.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The state-stored write model and inline projections, each in the append's transaction, on both databases. */
class JdbcWriteModelTest {

  record Restock(String sku, int quantity) implements Command {
  }

  record Restocked(String sku, int quantity) implements Event {
  }

  record NotRegistered(String sku) implements Event {
  }

  record Stock(String sku, long onHand) {
  }

  private static final EventTypes TYPES = EventTypes.builder().register(Restocked.class, "Restocked", 1).build();

  /** Sends a command from several threads at once, each many times; returns what failed. */
  private static List<Throwable> sendConcurrently(CommandBus bus, Restock command, int threads, int perThread)
      throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
          for (int i = 0; i < perThread; i++) {
            bus.send(command);
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      thread.start();
      started.add(thread);
    }
    start.countDown();
    for (Thread thread : started) {
      thread.join();
    }
    return List.copyOf(failures);
  }

  static Stream<Supplier<JdbcConfig>> databases() {
    return Stream.of(TestDatabases::h2, TestDatabases::postgres);
  }

  @ParameterizedTest
  @MethodSource("databases")
  void eight_writers_on_one_hot_stream_all_succeed_with_the_default_retries(Supplier<JdbcConfig> database)
      throws Exception {
    JdbcConfig config = database.get();
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES))) {
      String sku = "hot-" + UUID.randomUUID();
      dev.cqrs.core.Decider<Restock, Long, Restocked> counter = dev.cqrs.core.Decider.of(0L,
          (command, total) -> List.of(new Restocked(command.sku(), command.quantity())),
          (total, event) -> total + event.quantity());
      CommandBus bus = CommandBus.builder().eventStore(store).build().register(Restock.class,
          dev.cqrs.core.EventSourcedHandler.builder(counter, Restock::sku).build()); // default settings
      int threads = 8;
      int perThread = 200;
      assertThat(sendConcurrently(bus, new Restock(sku, 1), threads, perThread)).isEmpty();
      List<RecordedEvent> events = store.readStream(sku);
      assertThat(events).hasSize(threads * perThread);
      assertThat(events).extracting(RecordedEvent::version)
          .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, threads * perThread).boxed()
              .toList());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void a_command_resent_after_its_acknowledgement_was_lost_is_stored_once(Supplier<JdbcConfig> database) {
    JdbcConfig base = database.get();
    dev.cqrs.test.faults.FaultyDataSource faulty = dev.cqrs.test.faults.FaultyDataSource.wrap(base.dataSource());
    JdbcConfig config = JdbcConfig.builder(faulty).database(base.database()).schema(base.schema())
        .tablePrefix(base.tablePrefix()).build();
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES))) {
      JdbcStateStoredRepository<Stock> repository =
          JdbcStateStoredRepository.create(store, JacksonSerializer.create(), Stock.class);
      String sku = "resent-" + UUID.randomUUID();
      dev.cqrs.core.Decider<Restock, Long, Restocked> counter = dev.cqrs.core.Decider.of(0L,
          (command, total) -> List.of(new Restocked(command.sku(), command.quantity())),
          (total, event) -> total + event.quantity());
      CommandBus sourced = CommandBus.builder().eventStore(store).build().register(Restock.class,
          dev.cqrs.core.EventSourcedHandler.builder(counter, Restock::sku).build());
      CommandBus stateStored = CommandBus.builder().eventStore(store).build().register(Restock.class,
          StateStoredHandler.<Restock, Stock>builder(repository, command -> "stock-" + command.sku(),
              (stock, command) -> StateChange.of(new Stock(command.sku(),
                  stock.map(Stock::onHand).orElse(0L) + command.quantity()),
                  new Restocked(command.sku(), command.quantity()))).build());

      // the event-sourced append commits, and then the connection drops before the caller hears of it
      if (config.database() == Database.H2) {
        faulty.loseAcknowledgementOfNextCommits(1);
      } else {
        faulty.dropConnectionOnStatements(sql -> sql.contains("INSERT INTO"), 1, true); // one auto-commit statement
      }
      dev.cqrs.core.Metadata message = dev.cqrs.core.Metadata.create();
      assertThatThrownBy(() -> sourced.send(new Restock(sku, 3), message))
          .isInstanceOf(dev.cqrs.core.TransientException.class);
      assertThat(store.readStream(sku)).as("the append did commit").hasSize(1);
      CommandResult resent = sourced.send(new Restock(sku, 3), message);
      assertThat(resent.events()).extracting(RecordedEvent::eventId)
          .containsExactlyElementsOf(store.readStream(sku).stream().map(RecordedEvent::eventId).toList());
      assertThat(store.readStream(sku)).hasSize(1);

      faulty.loseAcknowledgementOfNextCommits(1);
      dev.cqrs.core.Metadata stockMessage = dev.cqrs.core.Metadata.create();
      assertThatThrownBy(() -> stateStored.send(new Restock(sku, 4), stockMessage))
          .isInstanceOf(dev.cqrs.core.TransientException.class);
      stateStored.send(new Restock(sku, 4), stockMessage);
      assertThat(repository.load("stock-" + sku)).contains(new StoredState<>("stock-" + sku, 1, new Stock(sku, 4)));
      assertThat(store.readStream("stock-" + sku)).hasSize(1);
      assertThat(faulty.faultsInjected()).isEqualTo(2);
    }
  }

  /** The aggregate style, with a state Jackson can keep as a snapshot. */
  static final class Shelf extends dev.cqrs.core.AggregateRoot<Restocked> {
    @com.fasterxml.jackson.annotation.JsonProperty
    private long onHand;

    void restock(Restock command) {
      record(new Restocked(command.sku(), command.quantity()));
    }

    @Override
    protected void apply(Restocked event) {
      onHand += event.quantity();
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void an_aggregate_and_a_decider_with_snapshots_store_the_state_after_their_events(Supplier<JdbcConfig> database) {
    JdbcConfig config = database.get();
    JdbcSnapshotStore snapshots = JdbcSnapshotStore.create(config, JacksonSerializer.create());
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES))) {
      String sku = "shelf-" + UUID.randomUUID();
      CommandBus aggregates = CommandBus.builder().eventStore(store).build().register(Restock.class,
          dev.cqrs.core.EventSourcedHandler.<Restock, Shelf, Restocked>forAggregate(Shelf::new, Restock::sku,
              Shelf::restock).snapshots(snapshots, Shelf.class, 1, dev.cqrs.core.SnapshotPolicy.everyNEvents(1))
              .build());
      aggregates.send(new Restock(sku, 100));
      assertThat(snapshots.load(sku, Shelf.class).orElseThrow().state().onHand).as("one restock of 100")
          .isEqualTo(100);
      aggregates.send(new Restock(sku, 5));
      assertThat(snapshots.load(sku, Shelf.class).orElseThrow().state().onHand).isEqualTo(105);

      String other = "stock-" + UUID.randomUUID();
      dev.cqrs.core.Decider<Restock, Stock, Restocked> decider = dev.cqrs.core.Decider.of(new Stock("", 0),
          (command, stock) -> List.of(new Restocked(command.sku(), command.quantity())),
          (stock, event) -> new Stock(event.sku(), stock.onHand() + event.quantity()));
      CommandBus deciders = CommandBus.builder().eventStore(store).build().register(Restock.class,
          dev.cqrs.core.EventSourcedHandler.builder(decider, Restock::sku)
              .snapshots(snapshots, Stock.class, 1, dev.cqrs.core.SnapshotPolicy.everyNEvents(1)).build());
      deciders.send(new Restock(other, 100));
      deciders.send(new Restock(other, 7));
      assertThat(snapshots.load(other, Stock.class).orElseThrow().state()).isEqualTo(new Stock(other, 107));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void a_state_and_its_events_commit_together(Supplier<JdbcConfig> database) throws Exception {
    JdbcConfig config = database.get();
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES))) {
      JdbcStateStoredRepository<Stock> repository =
          JdbcStateStoredRepository.create(store, JacksonSerializer.create(), Stock.class);
      String sku = "sku-" + UUID.randomUUID();
      CommandBus bus = CommandBus.builder().eventStore(store).build().register(Restock.class,
          StateStoredHandler.<Restock, Stock>builder(repository, Restock::sku, (stock, command) -> StateChange.of(
              new Stock(command.sku(), stock.map(Stock::onHand).orElse(0L) + command.quantity()),
              new Restocked(command.sku(), command.quantity()))).maxRetries(50).build());

      bus.send(new Restock(sku, 5));
      CommandResult result = bus.send(new Restock(sku, 3));

      assertThat(repository.load(sku)).contains(new StoredState<>(sku, 2, new Stock(sku, 8)));
      assertThat(store.readStream(sku)).extracting(RecordedEvent::payload)
          .containsExactly(new Restocked(sku, 5), new Restocked(sku, 3));
      assertThat(result.events()).hasSize(1);

      int threads = 8;
      int perThread = 25;
      assertThat(sendConcurrently(bus, new Restock(sku, 1), threads, perThread)).isEmpty();
      StoredState<Stock> stored = repository.load(sku).orElseThrow();
      assertThat(stored.version()).isEqualTo(2 + threads * perThread);
      assertThat(stored.state().onHand()).isEqualTo(8 + threads * perThread);
      assertThat(store.readStream(sku)).hasSize(2 + threads * perThread);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void a_failed_append_leaves_the_state_unchanged(Supplier<JdbcConfig> database) throws Exception {
    JdbcConfig config = database.get();
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(TYPES))) {
      JdbcStateStoredRepository<Stock> repository =
          JdbcStateStoredRepository.create(store, JacksonSerializer.create(), Stock.class);
      String sku = "sku-" + UUID.randomUUID();
      repository.save(sku, 0, new Stock(sku, 1), List.of());

      assertThatThrownBy(() -> repository.save(sku, 1, new Stock(sku, 99),
          List.of(NewEvent.of(new NotRegistered(sku)))))
          .isInstanceOf(UnknownEventTypeException.class);
      assertThatThrownBy(() -> repository.save(sku, 0, new Stock(sku, 7), List.of()))
          .isInstanceOf(ConcurrencyConflictException.class)
          .hasMessageContaining("noStream");

      assertThat(repository.load(sku)).contains(new StoredState<>(sku, 1, new Stock(sku, 1)));
      assertThat(store.readStream(sku)).isEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void an_inline_projection_commits_with_the_append_or_not_at_all(Supplier<JdbcConfig> database) {
    JdbcConfig config = database.get();
    String table = "totals_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    Jdbc.withConnection(config, "create", c -> {
      try (Statement statement = c.createStatement()) {
        statement.execute("CREATE TABLE " + table + " (sku VARCHAR(100) PRIMARY KEY, total INTEGER NOT NULL)");
      }
      return null;
    });
    JdbcProjection totals = new JdbcProjection() {
      @Override
      public boolean handles(Class<? extends Event> eventType) {
        return eventType == Restocked.class;
      }

      @Override
      public void apply(RecordedEvent event, Connection connection) throws SQLException {
        Restocked restocked = event.payloadAs(Restocked.class);
        if (restocked.quantity() < 0) {
          throw new IllegalArgumentException("negative restock of " + restocked.sku());
        }
        try (PreparedStatement update = connection.prepareStatement(
            "UPDATE " + table + " SET total = total + ? WHERE sku = ?")) {
          update.setInt(1, restocked.quantity());
          update.setString(2, restocked.sku());
          if (update.executeUpdate() == 0) {
            try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO " + table + " (sku, total) VALUES (?, ?)")) {
              insert.setString(1, restocked.sku());
              insert.setInt(2, restocked.quantity());
              insert.executeUpdate();
            }
          }
        }
      }
    };
    try (JdbcEventStore store = JdbcEventStore.builder(config, TestDatabases.codec(TYPES))
        .inlineProjection(totals).build()) {
      String sku = "sku-" + UUID.randomUUID();
      store.append(sku, ExpectedVersion.noStream(), new Restocked(sku, 4), new Restocked(sku, 6));
      assertThat(total(config, table, sku)).isEqualTo(10);

      assertThatThrownBy(() -> store.append(sku, ExpectedVersion.exactly(2), new Restocked(sku, 1),
          new Restocked(sku, -1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative restock");
      assertThat(total(config, table, sku)).as("the read model after a failed append").isEqualTo(10);
      assertThat(store.readStream(sku)).hasSize(2);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void an_inline_projection_gets_the_events_of_each_append_in_one_apply_batch_call(
      Supplier<JdbcConfig> database) {
    JdbcConfig config = database.get();
    List<List<RecordedEvent>> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
    JdbcProjection recorder = new JdbcProjection() {
      @Override
      public boolean handles(Class<? extends Event> eventType) {
        return eventType == Restocked.class;
      }

      @Override
      public void applyBatch(List<RecordedEvent> events, Connection connection) {
        calls.add(List.copyOf(events));
      }

      @Override
      public void apply(RecordedEvent event, Connection connection) {
        throw new AssertionError("inline appends go through applyBatch");
      }
    };
    try (JdbcEventStore store = JdbcEventStore.builder(config, TestDatabases.codec(TYPES))
        .inlineProjection(recorder).build()) {
      String sku = "sku-" + UUID.randomUUID();
      List<RecordedEvent> first = store.append(sku, ExpectedVersion.noStream(), new Restocked(sku, 1),
          new Restocked(sku, 2), new Restocked(sku, 3)).events();
      List<RecordedEvent> second = store.append(sku, ExpectedVersion.exactly(3), new Restocked(sku, 4),
          new Restocked(sku, 5)).events();

      assertThat(calls).containsExactly(first, second);
    }
  }

  private static int total(JdbcConfig config, String table, String sku) {
    return Jdbc.withConnection(config, "total", c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT total FROM " + table + " WHERE sku = ?")) {
        select.setString(1, sku);
        try (ResultSet row = select.executeQuery()) {
          return row.next() ? row.getInt(1) : -1;
        }
      }
    });
  }
}
