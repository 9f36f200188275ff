package dev.cqrs.example.orders;

import dev.cqrs.core.CommandRejectedException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The products the shop sells and their unit prices in cents. Immutable and thread-safe. */
public final class Catalog {

  private static final Map<String, Long> PRICES = Map.of(
      "book", 1_500L,
      "pen", 250L,
      "mug", 900L,
      "lamp", 4_500L);

  private Catalog() {
  }

  /**
   * Returns a product's unit price.
   *
   * @param sku the product
   * @return the price in cents
   * @throws CommandRejectedException if the shop does not sell it
   */
  public static long priceOf(String sku) {
    Long price = PRICES.get(sku);
    if (price == null) {
      throw new CommandRejectedException("unknown product '" + sku + "'; the shop sells " + skus());
    }
    return price;
  }

  /**
   * Returns every product.
   *
   * @return the products, sorted
   */
  public static Set<String> skus() {
    return new TreeSet<>(PRICES.keySet());
  }

  /**
   * Formats cents as money.
   *
   * @param cents an amount
   * @return for example {@code 12.50}
   */
  public static String money(long cents) {
    return String.format("%d.%02d", cents / 100, Math.abs(cents % 100));
  }
}
