package dev.cqrs.core;

/**
 * A place in the store's global order, as returned with every recorded event and kept by readers as their checkpoint.
 *
 * <p>Positions order by {@code commit}, then by {@code sequence}. Stores that assign positions one append at a time
 * (in memory, H2) leave {@code commit} at 0 and count {@code sequence} up. PostgreSQL puts the writing transaction's id
 * in {@code commit}, so that a transaction that commits late can never land behind a reader's checkpoint. Callers
 * should treat a position as an opaque, comparable value. Immutable and thread-safe.
 *
 * @param commit the commit group, compared first
 * @param sequence the order within the commit group, compared second
 */
public record Position(long commit, long sequence) implements Comparable<Position> {

  /** The position before the first event: reading after it reads from the beginning. */
  public static final Position START = new Position(0, 0);

  /**
   * Validates the parts.
   *
   * @param commit the commit group, compared first
   * @param sequence the order within the commit group, compared second
   * @throws IllegalArgumentException if either part is negative
   */
  public Position {
    if (commit < 0 || sequence < 0) {
      throw new IllegalArgumentException(
          "position parts must be 0 or more, but were commit=" + commit + ", sequence=" + sequence);
    }
  }

  /**
   * Returns the position with the given parts.
   *
   * @param commit the commit group
   * @param sequence the order within the commit group
   * @return the position
   */
  public static Position of(long commit, long sequence) {
    return new Position(commit, sequence);
  }

  /**
   * Tells whether this position comes after {@code other} in the global order.
   *
   * @param other the position to compare with
   * @return {@code true} when this one is later
   */
  public boolean isAfter(Position other) {
    return compareTo(other) > 0;
  }

  @Override
  public int compareTo(Position other) {
    int byCommit = Long.compare(commit, other.commit);
    return byCommit != 0 ? byCommit : Long.compare(sequence, other.sequence);
  }

  /**
   * Returns {@code commit/sequence}.
   *
   * @return a compact readable form
   */
  @Override
  public String toString() {
    return commit + "/" + sequence;
  }
}
