package dev.cqrs.example.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.CommandResult;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.example.orders.Messages.AddItem;
import dev.cqrs.example.orders.Messages.ConfirmOrder;
import dev.cqrs.example.orders.Messages.OrderReadyToShip;
import dev.cqrs.example.orders.Messages.PlaceOrder;
import dev.cqrs.example.orders.Messages.Restock;
import dev.cqrs.example.orders.Messages.StockReserved;
import dev.cqrs.test.faults.FaultyDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * The fulfillment process manager is exactly once in effect: when the processor fails right after the reservation
 * commands committed and before its checkpoint (as a kill there would), the order confirmation is delivered again, and
 * the commands sent again are recognised as repeats: stock is reserved once and the order is not rejected.
 */
class FulfillmentExactlyOnceTest {

  @Test
  void stock_is_reserved_once_when_the_checkpoint_after_the_commands_fails_on_h2() {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:fulfillment-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=30000");
    reservesOnce(h2);
  }

  @Test
  void stock_is_reserved_once_when_the_checkpoint_after_the_commands_fails_on_postgres() throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      reservesOnce(postgres.getPostgresDatabase());
    }
  }

  @Test
  void stock_is_reserved_once_after_a_kill_between_the_commands_and_the_checkpoint_on_h2(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path data) throws Exception {
    killedAndRestarted("jdbc:h2:file:" + data.resolve("orders") + ";WRITE_DELAY=0;FILE_LOCK=NO", "sa", "");
  }

  @Test
  void stock_is_reserved_once_after_a_kill_between_the_commands_and_the_checkpoint_on_postgres() throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      killedAndRestarted(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "");
    }
  }

  /**
   * Prepares an order, lets a child JVM confirm it and die right before the fulfillment checkpoint (after the
   * reservations committed), then restarts the application, whose fulfillment gets the confirmation again.
   */
  private static void killedAndRestarted(String url, String user, String password) throws Exception {
    DataSource dataSource = FulfillmentKillChild.dataSource(url, user, password);
    try (OrdersApp app = OrdersApp.onDatabase(dataSource)) {
      app.send(new Restock("lamp", 10));
      app.send(new Restock("mug", 10));
      app.send(new PlaceOrder("Z", "zoe"));
      app.send(new AddItem("Z", "lamp", 2));
      app.send(new AddItem("Z", "mug", 1));
    }
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process child = new ProcessBuilder(System.getProperty("java.home") + java.io.File.separator + "bin"
        + java.io.File.separator + "java", "-cp", classpath, FulfillmentKillChild.class.getName(), url, user,
        password, "Z").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(child.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).as("the child ended").isTrue();
    assertThat(child.exitValue()).as("killed right before the fulfillment checkpoint").isEqualTo(137);

    dev.cqrs.jdbc.JdbcConfig config = dev.cqrs.jdbc.JdbcConfig.builder(dataSource).build();
    try (dev.cqrs.jdbc.JdbcEventStore store = dev.cqrs.jdbc.JdbcEventStore.create(config,
        dev.cqrs.core.serialization.EventCodec.of(Messages.TYPES, dev.cqrs.jackson.JacksonSerializer.create(),
            dev.cqrs.core.serialization.UpcasterChain.empty()))) {
      List<RecordedEvent> atKill = store.readAll(Position.START, 1000);
      assertThat(atKill).filteredOn(e -> e.payload() instanceof StockReserved)
          .as("the reservations committed before the kill").hasSize(2);
      assertThat(dev.cqrs.jdbc.JdbcCheckpointStore.create(config).load("fulfillment").orElseThrow())
          .as("the fulfillment checkpoint stayed before the confirmation")
          .isLessThan(atKill.stream().filter(e -> e.payload() instanceof Messages.OrderConfirmed).findFirst()
              .orElseThrow().position());
    }

    try (OrdersApp restarted = OrdersApp.onDatabase(dataSource)) { // waits until its processors caught up
      restarted.awaitProcessed(restarted.store().head()); // the confirmation was delivered again
      List<RecordedEvent> events = restarted.store().readAll(Position.START, 1000);
      assertThat(events).filteredOn(e -> e.payload() instanceof StockReserved)
          .extracting(e -> ((StockReserved) e.payload()).sku()).containsExactly("lamp", "mug");
      assertThat(events).filteredOn(e -> e.payload() instanceof OrderReadyToShip).hasSize(1);
      assertThat(restarted.ask(new Queries.FindOrder("Z")).orElseThrow().status())
          .isEqualTo(Order.Status.READY_TO_SHIP);
    }
  }

  private static void reservesOnce(DataSource dataSource) {
    FaultyDataSource faulty = FaultyDataSource.wrap(dataSource);
    try (OrdersApp app = OrdersApp.onDatabase(faulty)) {
      app.send(new Restock("lamp", 10));
      app.send(new PlaceOrder("K", "kim"));
      app.send(new AddItem("K", "lamp", 2));
      app.send(new AddItem("K", "mug", 1));
      app.send(new Restock("mug", 10));
      app.awaitProcessed(app.store().head());

      // the fulfillment processor's next checkpoint write fails, after its commands for the confirmation committed
      faulty.dropConnectionOnStatements(sql -> sql.contains("checkpoints") && !sql.trim().startsWith("SELECT"), 1,
          false);
      CommandResult confirmed = app.send(new ConfirmOrder("K"));
      app.awaitProcessed(confirmed.lastPosition().orElseThrow());

      assertThat(faulty.faultsInjected()).as("the checkpoint write failed once").isEqualTo(1);
      List<RecordedEvent> events = app.store().readAll(Position.START, 1000);
      assertThat(events).filteredOn(e -> e.payload() instanceof StockReserved)
          .extracting(e -> ((StockReserved) e.payload()).sku()).containsExactly("lamp", "mug");
      assertThat(events).filteredOn(e -> e.payload() instanceof OrderReadyToShip).hasSize(1);
      assertThat(app.ask(new Queries.FindOrder("K")).orElseThrow().status()).isEqualTo(Order.Status.READY_TO_SHIP);
    }
  }
}
