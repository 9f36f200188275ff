package dev.cqrs.example.orders;

import static dev.cqrs.example.orders.Messages.orderTag;
import static dev.cqrs.example.orders.Messages.promotionTag;

import dev.cqrs.core.CommandHandler;
import dev.cqrs.core.CommandRejectedException;
import dev.cqrs.core.DecisionModel;
import dev.cqrs.core.EventQuery;
import dev.cqrs.core.QueryDecidingHandler;
import dev.cqrs.example.orders.Messages.DefinePromotion;
import dev.cqrs.example.orders.Messages.OrderEvent;
import dev.cqrs.example.orders.Messages.PromotionDefined;
import dev.cqrs.example.orders.Messages.PromotionEvent;
import dev.cqrs.example.orders.Messages.PromotionRedeemed;
import dev.cqrs.example.orders.Messages.RedeemPromotion;
import java.util.List;
import java.util.Locale;

/**
 * The promotion rules, which span orders and so do not fit one stream: a code is redeemable a fixed number of times
 * across all orders, by open orders only, once per order. Each rule reads the events it needs by query (a code's
 * events by its tag, an order's events by the order's tag) and appends on the condition that none of them changed
 * meanwhile; two orders that race for the last redemption cannot both get it, and an order confirmed while its
 * redemption was decided makes the redemption decide again. Stateless and thread-safe.
 */
public final class Promotions {

  private Promotions() {
  }

  /**
   * What a decision knows about a promotion code.
   *
   * @param defined whether the code was offered
   * @param percentOff its discount
   * @param maxRedemptions how many orders may use it
   * @param redeemed how many orders have used it
   */
  public record Promotion(boolean defined, int percentOff, int maxRedemptions, int redeemed) {
    static final Promotion UNKNOWN = new Promotion(false, 0, 0, 0);
  }

  /**
   * What the redemption rule knows about an order.
   *
   * @param order the order, folded by the order decider's own evolve
   * @param usedCode the promotion code it used; empty when none
   */
  public record OrderUse(Order order, String usedCode) {
    static final OrderUse NONE = new OrderUse(Order.NONE, "");
  }

  // promotion rules begin
  /**
   * The state of a promotion code, from the events tagged with it.
   *
   * @param code the code
   * @return the model
   */
  public static DecisionModel<Promotion> promotion(String code) {
    return DecisionModel.of(
        EventQuery.of(EventQuery.Item.types(PromotionDefined.class, PromotionRedeemed.class)
            .withTags(promotionTag(code))),
        Promotion.UNKNOWN,
        (promotion, event) -> event.payload() instanceof PromotionDefined defined
            ? new Promotion(true, defined.percentOff(), defined.maxRedemptions(), promotion.redeemed())
            : new Promotion(promotion.defined(), promotion.percentOff(), promotion.maxRedemptions(),
                promotion.redeemed() + 1));
  }

  /**
   * The state of an order and its promotion, from every event tagged with the order: its own stream's events and
   * a redemption, which lives in a stream of its own.
   *
   * @param orderId the order
   * @return the model
   */
  public static DecisionModel<OrderUse> order(String orderId) {
    return DecisionModel.of(EventQuery.of(EventQuery.Item.tags(orderTag(orderId))), OrderUse.NONE,
        (use, event) -> event.payload() instanceof OrderEvent orderEvent
            ? new OrderUse(Order.evolve(use.order(), orderEvent), use.usedCode())
            : event.payload() instanceof PromotionRedeemed redeemed ? new OrderUse(use.order(), redeemed.code())
            : use);
  }

  /**
   * Offers a code once.
   *
   * @param command the command
   * @param promotion the code's state
   * @return the new events
   * @throws CommandRejectedException if the code is offered already
   */
  public static List<PromotionEvent> define(DefinePromotion command, Promotion promotion) {
    if (promotion.defined()) {
      throw new CommandRejectedException("promotion code " + command.code() + " exists already");
    }
    return List.of(new PromotionDefined(command.code(), command.percentOff(), command.maxRedemptions()));
  }

  /**
   * Redeems a code for an order, checked against the code's and the order's state together.
   *
   * @param command the command
   * @param state the code's state and the order's
   * @return the new events
   * @throws CommandRejectedException when a rule forbids it
   */
  public static List<PromotionEvent> redeem(RedeemPromotion command,
                                            DecisionModel.Both<Promotion, OrderUse> state) {
    Promotion promotion = state.first();
    OrderUse use = state.second();
    if (!promotion.defined()) {
      throw new CommandRejectedException("unknown promotion code " + command.code());
    }
    if (use.order().status() == Order.Status.NONE) {
      throw new CommandRejectedException("order " + command.orderId() + " does not exist");
    }
    if (use.order().status() != Order.Status.OPEN) {
      throw new CommandRejectedException("order " + command.orderId() + " is "
          + use.order().status().name().toLowerCase(Locale.ROOT).replace('_', ' ')
          + "; promotion codes apply to open orders only");
    }
    if (!use.usedCode().isEmpty()) {
      throw new CommandRejectedException("order " + command.orderId() + " uses promotion code " + use.usedCode()
          + " already");
    }
    if (promotion.redeemed() >= promotion.maxRedemptions()) {
      throw new CommandRejectedException("promotion code " + command.code() + " is used up: all "
          + promotion.maxRedemptions() + " redemptions are taken");
    }
    return List.of(new PromotionRedeemed(command.code(), command.orderId(), promotion.percentOff()));
  }

  /** Handles {@link DefinePromotion}; the events go to the code's stream. */
  public static final CommandHandler<DefinePromotion> DEFINE = QueryDecidingHandler.builder(
          (DefinePromotion c) -> promotion(c.code()), Promotions::define, c -> "promotion-" + c.code())
      .build();

  /**
   * Handles {@link RedeemPromotion}: one decision over both models, whose append is conditional on both queries. The
   * redemption goes to a stream of its own, so the order's stream and its decider stay as they were; its tags (the
   * code's and the order's, from {@link Messages#TYPES}) are what the rules read it by.
   */
  public static final CommandHandler<RedeemPromotion> REDEEM = QueryDecidingHandler.builder(
          (RedeemPromotion c) -> promotion(c.code()).and(order(c.orderId())), Promotions::redeem,
          c -> "redemption-" + c.orderId())
      .build();
  // promotion rules end
}
