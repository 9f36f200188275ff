package dev.cqrs.example.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.CommandResult;
import dev.cqrs.example.orders.Messages.AddItem;
import dev.cqrs.example.orders.Messages.ConfirmOrder;
import dev.cqrs.example.orders.Messages.PlaceOrder;
import dev.cqrs.example.orders.Messages.Restock;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** Two instances of the application on one database: each one's read models show what the other appended. */
class TwoInstancesTest {

  @Test
  void an_order_placed_through_one_instance_is_found_through_the_other() throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:two-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    try (OrdersApp first = OrdersApp.onDatabase(h2); OrdersApp second = OrdersApp.onDatabase(h2)) {
      first.send(new Restock("pen", 10));
      first.send(new PlaceOrder("T", "tess"));
      second.send(new AddItem("T", "pen", 3));
      CommandResult confirmed = first.send(new ConfirmOrder("T"));

      // the other instance's processors and its order details (in memory, fed every instance's appends) follow
      second.awaitProcessed(first.store().head());
      assertThat(second.ask(new Queries.FindOrder("T"))).hasValueSatisfying(order -> {
        assertThat(order.customer()).isEqualTo("tess");
        assertThat(order.status()).isEqualTo(Order.Status.READY_TO_SHIP);
      });
      assertThat(first.ask(new Queries.FindOrder("T")).orElseThrow().lines()).hasSize(1);
    }
  }
}
