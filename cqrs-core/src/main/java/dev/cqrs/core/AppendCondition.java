package dev.cqrs.core;

import java.util.List;
import java.util.Objects;

/**
 * What must still hold for a conditional {@linkplain EventStore#append(String, ExpectedVersion, List, AppendCondition)
 * append}: no event matching a query has been appended after a position, normally the {@linkplain
 * EventQueryResult#readTo() position a decision read to}. The store checks it atomically with the append.
 *
 * <p>Take the position from a read, not from an earlier append's result: on PostgreSQL an append that was under way
 * may still commit below a position another append returned (the global order is complete only up to what a read
 * returns, see the read fence), so a condition starting at an append's position could miss it.
 *
 * <p>Immutable and thread-safe.
 *
 * @param failIfEventsMatch the query whose events would change the decision
 * @param after the position the decision read to; events up to it were considered
 */
public record AppendCondition(EventQuery failIfEventsMatch, Position after) {

  /**
   * Validates the parts.
   *
   * @param failIfEventsMatch the query
   * @param after the position
   * @throws NullPointerException if a part is null
   */
  public AppendCondition {
    Objects.requireNonNull(failIfEventsMatch, "failIfEventsMatch must not be null");
    Objects.requireNonNull(after, "after must not be null; use Position.START when nothing was read");
  }

  /**
   * Returns the condition that holds while the result's query matches nothing after the position it read to.
   *
   * @param read what the decision read
   * @param query the query it read with
   * @return the condition
   */
  public static AppendCondition unchangedSince(EventQuery query, EventQueryResult read) {
    Objects.requireNonNull(read, "read must not be null");
    return new AppendCondition(query, read.readTo());
  }
}
