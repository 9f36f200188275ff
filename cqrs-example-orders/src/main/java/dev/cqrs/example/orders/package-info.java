/**
 * The tutorial application (an example, not API): an e-commerce order flow with inventory, a fulfillment process
 * manager and four read models, runnable from the command line with {@link dev.cqrs.example.orders.Main}. See
 * {@code docs/tutorial.md}.
 */
package dev.cqrs.example.orders;
