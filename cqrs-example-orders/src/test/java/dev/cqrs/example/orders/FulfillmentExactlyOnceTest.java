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
