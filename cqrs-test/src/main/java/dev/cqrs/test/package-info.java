/**
 * Given/when/then test fixtures (API) for deciders, command handlers and projections:
 *
 * <pre>{@code
 * DeciderFixture.of(orders)
 *     .given(new OrderPlaced("42", "alice"))
 *     .when(new ConfirmOrder("42"))
 *     .then(new OrderConfirmed("42"));
 * }</pre>
 *
 * <p>Failures are {@link java.lang.AssertionError}s that show the expected and the actual events side by side.
 */
package dev.cqrs.test;
