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
   * Reads a position from its text, {@code commit/sequence} as {@link #toString()} writes it, for positions that
   * travel through a URL, a header or a form (a client's read-your-writes token).
   *
   * @param text the text, such as {@code 0/42}
   * @return the position
   * @throws IllegalArgumentException if the text is not two whole numbers of 0 or more joined by {@code /}; the
   *     message quotes it
   */
  public static Position parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("a position must not be null");
    }
    int slash = text.indexOf('/');
    if (slash > 0 && slash < text.length() - 1 && text.indexOf('/', slash + 1) < 0
        && digits(text, 0, slash) && digits(text, slash + 1, text.length())) {
      try {
        return new Position(Long.parseLong(text, 0, slash, 10), Long.parseLong(text, slash + 1, text.length(), 10));
      } catch (NumberFormatException tooLarge) {
        // falls through to the message below
      }
    }
    String shown = text.length() > 60 ? text.substring(0, 60) + "..." : text;
    throw new IllegalArgumentException("a position is written commit/sequence with two whole numbers from 0 to "
        + Long.MAX_VALUE + ", such as 0/42, but was '" + shown + "'");
  }

  private static boolean digits(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
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
