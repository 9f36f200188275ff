package dev.cqrs.example.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.CommandRejectedException;
import dev.cqrs.core.StateChange;
import dev.cqrs.example.orders.Messages.AddItem;
import dev.cqrs.example.orders.Messages.CancelOrder;
import dev.cqrs.example.orders.Messages.ConfirmOrder;
import dev.cqrs.example.orders.Messages.ItemAdded;
import dev.cqrs.example.orders.Messages.ItemRemoved;
import dev.cqrs.example.orders.Messages.Line;
import dev.cqrs.example.orders.Messages.MarkReadyToShip;
import dev.cqrs.example.orders.Messages.OrderCancelled;
import dev.cqrs.example.orders.Messages.OrderCommand;
import dev.cqrs.example.orders.Messages.OrderConfirmed;
import dev.cqrs.example.orders.Messages.OrderEvent;
import dev.cqrs.example.orders.Messages.OrderPlaced;
import dev.cqrs.example.orders.Messages.OrderReadyToShip;
import dev.cqrs.example.orders.Messages.OrderRejected;
import dev.cqrs.example.orders.Messages.OrderShipped;
import dev.cqrs.example.orders.Messages.PlaceOrder;
import dev.cqrs.example.orders.Messages.RejectOrder;
import dev.cqrs.example.orders.Messages.ReleaseStock;
import dev.cqrs.example.orders.Messages.RemoveItem;
import dev.cqrs.example.orders.Messages.ReserveStock;
import dev.cqrs.example.orders.Messages.Restock;
import dev.cqrs.example.orders.Messages.Restocked;
import dev.cqrs.example.orders.Messages.ShipOrder;
import dev.cqrs.example.orders.Messages.ShipStock;
import dev.cqrs.example.orders.Messages.StockReleased;
import dev.cqrs.example.orders.Messages.StockReserved;
import dev.cqrs.example.orders.Messages.StockShipped;
import dev.cqrs.test.DeciderFixture;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every rule of the order decider and the stock model, as given/when/then. */
class OrderRulesTest {

  // fixture begins
  private final DeciderFixture<OrderCommand, Order, OrderEvent> orders = DeciderFixture.of(Order.DECIDER);

  private static final OrderPlaced PLACED = new OrderPlaced("1", "alice");
  private static final ItemAdded TWO_BOOKS = new ItemAdded("1", "book", 2, 1_500);

  @Test
  void an_order_can_be_placed_once() {
    orders.given().when(new PlaceOrder("1", "alice")).then(PLACED);
    orders.given(PLACED).when(new PlaceOrder("1", "bob"))
        .thenThrows(CommandRejectedException.class, "order 1 exists already");
  }

  @Test
  void items_are_added_at_the_catalog_price() {
    orders.given(PLACED).when(new AddItem("1", "book", 2)).then(TWO_BOOKS)
        .thenState(order -> assertThat(order.total()).isEqualTo(3_000));
  }
  // fixture ends

  @Test
  void quantities_must_be_positive() {
    orders.given(PLACED).when(new AddItem("1", "book", 0))
        .thenThrows(CommandRejectedException.class, "quantity must be positive, but was 0");
    orders.given(PLACED, TWO_BOOKS).when(new RemoveItem("1", "book", -1))
        .thenThrows(CommandRejectedException.class, "quantity must be positive, but was -1");
  }

  @Test
  void unknown_products_and_orders_are_rejected() {
    orders.given(PLACED).when(new AddItem("1", "piano", 1))
        .thenThrows(CommandRejectedException.class, "unknown product 'piano'");
    orders.given().when(new AddItem("9", "book", 1))
        .thenThrows(CommandRejectedException.class, "order 9 does not exist");
  }

  @Test
  void items_can_be_removed_but_not_more_than_the_order_has() {
    orders.given(PLACED, TWO_BOOKS).when(new RemoveItem("1", "book", 1)).then(new ItemRemoved("1", "book", 1))
        .thenState(order -> assertThat(order.quantityOf("book")).isEqualTo(1));
    orders.given(PLACED, TWO_BOOKS).when(new RemoveItem("1", "book", 3))
        .thenThrows(CommandRejectedException.class, "has 2 of 'book', so 3 cannot be removed");
  }

  @Test
  void an_order_needs_items_to_be_confirmed_and_carries_its_lines() {
    orders.given(PLACED).when(new ConfirmOrder("1"))
        .thenThrows(CommandRejectedException.class, "has no items to confirm");
    orders.given(PLACED, TWO_BOOKS).when(new ConfirmOrder("1"))
        .then(new OrderConfirmed("1", "alice", List.of(new Line("book", 2, 1_500))));
  }

  @Test
  void nothing_changes_after_confirmation() {
    OrderConfirmed confirmed = new OrderConfirmed("1", "alice", List.of(new Line("book", 2, 1_500)));
    orders.given(PLACED, TWO_BOOKS, confirmed).when(new AddItem("1", "pen", 1))
        .thenThrows(CommandRejectedException.class, "cannot change after confirmation");
    orders.given(PLACED, TWO_BOOKS, confirmed).when(new RemoveItem("1", "book", 1))
        .thenThrows(CommandRejectedException.class, "cannot change after confirmation");
    orders.given(PLACED, TWO_BOOKS, confirmed).when(new ConfirmOrder("1"))
        .thenThrows(CommandRejectedException.class, "cannot confirm");
  }

  @Test
  void fulfillment_marks_ready_or_rejects_only_confirmed_orders() {
    OrderConfirmed confirmed = new OrderConfirmed("1", "alice", List.of(new Line("book", 2, 1_500)));
    orders.given(PLACED, TWO_BOOKS, confirmed).when(new MarkReadyToShip("1")).then(new OrderReadyToShip("1"));
    orders.given(PLACED, TWO_BOOKS, confirmed).when(new RejectOrder("1", "no stock"))
        .then(new OrderRejected("1", "no stock"));
    orders.given(PLACED, TWO_BOOKS).when(new MarkReadyToShip("1"))
        .thenThrows(CommandRejectedException.class, "is OPEN and cannot be marked ready to ship");
    orders.given(PLACED, TWO_BOOKS, confirmed, new OrderReadyToShip("1")).when(new RejectOrder("1", "x"))
        .thenThrows(CommandRejectedException.class, "cannot be rejected");
  }

  @Test
  void no_shipping_before_confirmation_and_reservation() {
    OrderConfirmed confirmed = new OrderConfirmed("1", "alice", List.of(new Line("book", 2, 1_500)));
    orders.given(PLACED, TWO_BOOKS).when(new ShipOrder("1"))
        .thenThrows(CommandRejectedException.class, "cannot ship before it is confirmed");
    orders.given(PLACED, TWO_BOOKS, confirmed).when(new ShipOrder("1"))
        .thenThrows(CommandRejectedException.class, "cannot ship before it is confirmed");
    orders.given(PLACED, TWO_BOOKS, confirmed, new OrderRejected("1", "x")).when(new ShipOrder("1"))
        .thenThrows(CommandRejectedException.class, "is REJECTED and cannot ship");
    orders.given(PLACED, TWO_BOOKS, confirmed, new OrderReadyToShip("1")).when(new ShipOrder("1"))
        .then(new OrderShipped("1", List.of(new Line("book", 2, 1_500))));
  }

  @Test
  void cancelling_releases_reserved_stock_and_is_refused_after_shipping() {
    List<Line> lines = List.of(new Line("book", 2, 1_500));
    OrderConfirmed confirmed = new OrderConfirmed("1", "alice", lines);
    orders.given(PLACED, TWO_BOOKS).when(new CancelOrder("1")).then(new OrderCancelled("1", List.of()));
    orders.given(PLACED, TWO_BOOKS, confirmed, new OrderReadyToShip("1")).when(new CancelOrder("1"))
        .then(new OrderCancelled("1", lines));
    orders.given(PLACED, TWO_BOOKS, confirmed, new OrderReadyToShip("1"), new OrderShipped("1", lines))
        .when(new CancelOrder("1"))
        .thenThrows(CommandRejectedException.class, "has shipped and cannot be cancelled");
    orders.given(PLACED, new OrderCancelled("1", List.of())).when(new CancelOrder("1")).thenNothing();
  }

  @Test
  void stock_is_restocked_reserved_released_and_shipped() {
    StateChange<Stock> restocked = Stock.change(Optional.empty(), new Restock("mug", 5));
    assertThat(restocked).isEqualTo(StateChange.of(new Stock("mug", 5, 0), new Restocked("mug", 5)));
    Optional<Stock> five = Optional.of(new Stock("mug", 5, 0));
    assertThat(Stock.change(five, new ReserveStock("mug", 3, "1")))
        .isEqualTo(StateChange.of(new Stock("mug", 5, 3), new StockReserved("mug", 3, "1")));
    Optional<Stock> reserved = Optional.of(new Stock("mug", 5, 3));
    assertThat(Stock.change(reserved, new ReleaseStock("mug", 2, "1")))
        .isEqualTo(StateChange.of(new Stock("mug", 5, 1), new StockReleased("mug", 2, "1")));
    assertThat(Stock.change(reserved, new ShipStock("mug", 3, "1")))
        .isEqualTo(StateChange.of(new Stock("mug", 2, 0), new StockShipped("mug", 3, "1")));
  }

  @Test
  void stock_cannot_be_over_reserved_or_released_beyond_reservations() {
    Optional<Stock> stock = Optional.of(new Stock("mug", 5, 3));
    assertThatThrownBy(() -> Stock.change(stock, new ReserveStock("mug", 3, "2")))
        .isInstanceOf(CommandRejectedException.class).hasMessage("not enough 'mug' in stock: 2 available, 3 wanted");
    assertThatThrownBy(() -> Stock.change(stock, new ReleaseStock("mug", 4, "1")))
        .isInstanceOf(CommandRejectedException.class).hasMessage("only 3 of 'mug' are reserved, not 4");
    assertThatThrownBy(() -> Stock.change(stock, new Restock("mug", -2)))
        .isInstanceOf(CommandRejectedException.class).hasMessage("quantity must be from 1 to 10000, but was -2");
    assertThatThrownBy(() -> Stock.change(Optional.empty(), new Restock("piano", 1)))
        .isInstanceOf(CommandRejectedException.class).hasMessageContaining("unknown product 'piano'");
  }
}
