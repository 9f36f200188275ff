package dev.cqrs.core;

import java.util.ArrayList;
import java.util.List;

/**
 * A base class for teams who prefer a class over a {@link Decider}: command methods check rules and
 * {@link #record(Event) record} events, and the state changes only in {@link #apply(Event)}, which also replays stored
 * events on load. Run it with {@link EventSourcedHandler#forAggregate}, which makes it a decider underneath.
 *
 * <pre>{@code
 * final class Account extends AggregateRoot<AccountEvent> {
 *   private long balance;
 *
 *   void withdraw(long amount) {
 *     if (amount > balance) {
 *       throw new CommandRejectedException("balance " + balance + " is below " + amount);
 *     }
 *     record(new Withdrawn(amount));
 *   }
 *
 *   protected void apply(AccountEvent event) {
 *     if (event instanceof Deposited deposited) {
 *       balance += deposited.amount();
 *     } else if (event instanceof Withdrawn withdrawn) {
 *       balance -= withdrawn.amount();
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>Not thread-safe: the handler creates a fresh instance for each command and confines it to one thread.
 *
 * @param <E> the event type
 */
public abstract class AggregateRoot<E extends Event> {

  private final List<E> recorded = new ArrayList<>();

  /** Creates an aggregate in its initial state. */
  protected AggregateRoot() {
  }

  /**
   * Changes the state for an event, whether it was just recorded or is replayed from the store. Must not throw for
   * events that were stored.
   *
   * @param event the event
   */
  protected abstract void apply(E event);

  /**
   * Applies a new event and remembers it for appending when the command completes.
   *
   * @param event the new event
   */
  protected final void record(E event) {
    apply(event);
    recorded.add(event);
  }

  /** Returns and forgets the events recorded since the last call; used by the handler. */
  final List<E> takeRecorded() {
    List<E> events = List.copyOf(recorded);
    recorded.clear();
    return events;
  }

  /** Replays a stored event; used by the handler. */
  final void replay(E event) {
    apply(event);
  }
}
