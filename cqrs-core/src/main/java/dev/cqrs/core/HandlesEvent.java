package dev.cqrs.core;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a plain read-model object as the handler of one event class, for
 * {@link Projection.Builder#annotated(Object)}. The method takes the event, optionally followed by the
 * {@link RecordedEvent}, and returns nothing:
 *
 * <pre>{@code
 * final class OrderCounts {
 *   final Map<String, Integer> perCustomer = new ConcurrentHashMap<>();
 *
 *   @HandlesEvent
 *   void on(OrderPlaced placed) {
 *     perCustomer.merge(placed.customer(), 1, Integer::sum);
 *   }
 * }
 * Projection counts = Projection.builder().annotated(orderCounts).onReset(orderCounts.perCustomer::clear).build();
 * }</pre>
 *
 * <p>Methods are found once, when the projection is built; nothing scans the class path.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface HandlesEvent {
}
