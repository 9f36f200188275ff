package dev.cqrs.example.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.CommandRejectedException;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventQuery;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.example.orders.Messages.AddItem;
import dev.cqrs.example.orders.Messages.CancelOrder;
import dev.cqrs.example.orders.Messages.ConfirmOrder;
import dev.cqrs.example.orders.Messages.DefinePromotion;
import dev.cqrs.example.orders.Messages.ItemAdded;
import dev.cqrs.example.orders.Messages.OrderConfirmed;
import dev.cqrs.example.orders.Messages.OrderPlaced;
import dev.cqrs.example.orders.Messages.PlaceOrder;
import dev.cqrs.example.orders.Messages.PromotionDefined;
import dev.cqrs.example.orders.Messages.PromotionRedeemed;
import dev.cqrs.example.orders.Messages.RedeemPromotion;
import dev.cqrs.example.orders.Messages.Restock;
import dev.cqrs.test.CommandHandlerFixture;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** The promotion rule across orders: its decisions given events, and its limits under 8 concurrent writers. */
class PromotionsTest {

  private final CommandHandlerFixture fixture = CommandHandlerFixture.of(Messages.TYPES, bus -> bus
      .register(DefinePromotion.class, Promotions.DEFINE)
      .register(RedeemPromotion.class, Promotions.REDEEM));

  // promotion tests begin
  @Test
  void an_open_order_redeems_a_code_and_the_redemption_carries_the_code_and_order_tags() {
    fixture.given("promotion-SPRING", new PromotionDefined("SPRING", 10, 2))
        .and("order-o1", new OrderPlaced("o1", "alice"), new ItemAdded("o1", "book", 1, 1_500))
        .when(new RedeemPromotion("SPRING", "o1"))
        .then(new PromotionRedeemed("SPRING", "o1", 10))
        .thenTagged(new PromotionRedeemed("SPRING", "o1", 10), "promotion:SPRING", "order:o1");
  }

  @Test
  void a_code_is_used_up_after_its_limit_across_all_orders() {
    fixture.given("promotion-SPRING", new PromotionDefined("SPRING", 10, 2))
        .and("redemption-o1", new PromotionRedeemed("SPRING", "o1", 10))
        .and("redemption-o2", new PromotionRedeemed("SPRING", "o2", 10))
        .and("order-o3", new OrderPlaced("o3", "carol"))
        .when(new RedeemPromotion("SPRING", "o3"))
        .thenThrows(CommandRejectedException.class, "promotion code SPRING is used up: all 2 redemptions are taken");
  }

  // promotion tests end

  @Test
  void only_open_orders_of_their_own_and_known_codes_redeem_once() {
    fixture.given("order-o1", new OrderPlaced("o1", "alice"))
        .when(new RedeemPromotion("NOPE", "o1"))
        .thenThrows(CommandRejectedException.class, "unknown promotion code NOPE");
    fixture.given("promotion-SPRING", new PromotionDefined("SPRING", 10, 5))
        .when(new RedeemPromotion("SPRING", "o9"))
        .thenThrows(CommandRejectedException.class, "order o9 does not exist");
    fixture.given("promotion-SPRING", new PromotionDefined("SPRING", 10, 5))
        .and("order-o1", new OrderPlaced("o1", "alice"),
            new OrderConfirmed("o1", "alice", List.of(new Messages.Line("book", 1, 1_500))))
        .when(new RedeemPromotion("SPRING", "o1"))
        .thenThrows(CommandRejectedException.class, "order o1 is confirmed; promotion codes apply to open orders");
    fixture.given("promotion-SPRING", new PromotionDefined("SPRING", 10, 5))
        .and("promotion-OTHER", new PromotionDefined("OTHER", 5, 5))
        .and("order-o1", new OrderPlaced("o1", "alice"))
        .and("redemption-o1", new PromotionRedeemed("OTHER", "o1", 5))
        .when(new RedeemPromotion("SPRING", "o1"))
        .thenThrows(CommandRejectedException.class, "order o1 uses promotion code OTHER already");
    fixture.given("promotion-SPRING", new PromotionDefined("SPRING", 10, 5))
        .when(new DefinePromotion("SPRING", 20, 1))
        .thenThrows(CommandRejectedException.class, "promotion code SPRING exists already");
  }

  // promotion meanwhile begins
  @Test
  void an_order_confirmed_while_the_redemption_is_decided_makes_it_decide_again_and_refuse() {
    CommandHandlerFixture.Given.When when = fixture.given("promotion-SPRING", new PromotionDefined("SPRING", 10, 2))
        .and("order-o1", new OrderPlaced("o1", "alice"))
        .meanwhile("order-o1", new OrderConfirmed("o1", "alice", List.of()))
        .when(new RedeemPromotion("SPRING", "o1"));
    when.thenThrows(CommandRejectedException.class, "order o1 is confirmed");
    assertThat(when.decisions()).isEqualTo(2);
  }
  // promotion meanwhile ends

  @Test
  void the_last_redemption_taken_meanwhile_by_another_order_refuses_this_one() {
    CommandHandlerFixture.Given.When when = fixture.given("promotion-SPRING", new PromotionDefined("SPRING", 10, 1))
        .and("order-o1", new OrderPlaced("o1", "alice"))
        .meanwhile("redemption-o2", new PromotionRedeemed("SPRING", "o2", 10))
        .when(new RedeemPromotion("SPRING", "o1"));
    when.thenThrows(CommandRejectedException.class, "is used up");
    assertThat(when.decisions()).isEqualTo(2);
  }

  @Test
  void eight_writers_in_memory_never_exceed_the_limit_nor_redeem_a_closed_order() throws Exception {
    try (OrdersApp app = OrdersApp.inMemory()) {
      race(app);
    }
  }

  @Test
  void eight_writers_on_h2_never_exceed_the_limit_nor_redeem_a_closed_order() throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:promotions-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    try (OrdersApp app = OrdersApp.onDatabase(h2)) {
      race(app);
    }
  }

  @Test
  void eight_writers_on_postgresql_never_exceed_the_limit_nor_redeem_a_closed_order() throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
         OrdersApp app = OrdersApp.onDatabase(postgres.getPostgresDatabase())) {
      race(app);
    }
  }

  /**
   * 40 open orders, a code for 5 of them; 8 threads redeem the code for every order while half the orders are being
   * confirmed or cancelled. Checked on the final events: exactly 5 redemptions, at most one per order, each before its
   * order closed in the global order, and every refusal for one of the rule's reasons.
   */
  private static void race(OrdersApp app) throws Exception {
    String code = "RACE-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase(java.util.Locale.ROOT);
    app.send(new Restock("book", 1_000));
    app.send(new DefinePromotion(code, 15, 5));
    List<String> orders = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String id = code + "-" + i;
      app.send(new PlaceOrder(id, "customer-" + i));
      app.send(new AddItem(id, "book", 1));
      orders.add(id);
    }
    int writers = 8;
    CyclicBarrier start = new CyclicBarrier(writers);
    ConcurrentLinkedQueue<String> refusals = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      Thread thread = new Thread(() -> {
        try {
          start.await(30, TimeUnit.SECONDS);
          for (int i = writer; i < orders.size(); i += writers) {
            String id = orders.get((i * 7) % orders.size());
            if (writer % 2 == 0 && i % 2 == 0) {
              try {
                app.commands().send(i % 4 == 0 ? new ConfirmOrder(id) : new CancelOrder(id));
              } catch (CommandRejectedException ignored) {
                // fulfillment may have moved the order on; the invariant is checked on the final events
              }
            }
            for (String any : List.of(id, orders.get((i * 13 + 5) % orders.size()))) {
              try {
                app.commands().send(new RedeemPromotion(code, any));
              } catch (CommandRejectedException refused) {
                refusals.add(refused.getMessage());
              }
            }
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join(TimeUnit.MINUTES.toMillis(2));
      assertThat(thread.isAlive()).as("a writer is stuck").isFalse();
    }
    assertThat(failures).isEmpty();

    List<RecordedEvent> events = app.store().read(EventQuery.all(), dev.cqrs.core.Position.START).events();
    Map<String, Long> redeemedAt = new HashMap<>();
    Map<String, Long> closedAt = new HashMap<>();
    long index = 0;
    for (RecordedEvent event : events) {
      index++;
      Event payload = event.payload();
      if (payload instanceof PromotionRedeemed redeemed && redeemed.code().equals(code)) {
        assertThat(redeemedAt.put(redeemed.orderId(), index)).as("a second redemption of " + redeemed.orderId())
            .isNull();
        assertThat(event.tags()).containsExactlyInAnyOrder("promotion:" + code, "order:" + redeemed.orderId());
      }
      if (payload instanceof OrderConfirmed confirmed && orders.contains(confirmed.orderId())) {
        closedAt.putIfAbsent(confirmed.orderId(), index);
      }
      if (payload instanceof Messages.OrderCancelled cancelled && orders.contains(cancelled.orderId())) {
        closedAt.putIfAbsent(cancelled.orderId(), index);
      }
    }
    assertThat(redeemedAt).as("redemptions of the code").hasSize(5);
    redeemedAt.forEach((order, at) -> assertThat(closedAt.getOrDefault(order, Long.MAX_VALUE))
        .as("order %s closed after its redemption", order).isGreaterThan(at));
    assertThat(refusals).allSatisfy(reason -> assertThat(reason).containsAnyOf("is used up", "open orders only",
        "uses promotion code"));
    assertThat(refusals.stream().filter(reason -> reason.contains("is used up"))).isNotEmpty();
    app.awaitProcessed(app.store().head());
    assertThat(app.ask(new Queries.FindPromotion(code))).hasValueSatisfying(view ->
        assertThat(view.orders()).containsExactlyInAnyOrderElementsOf(redeemedAt.keySet()));
  }
}
