package dev.cqrs.core;

import java.util.Objects;

/**
 * The stable name and revision under which events of one class are stored, independent of the Java class name, so
 * that classes can be renamed and moved. A new revision means a changed shape; older revisions are upcast on read.
 *
 * <p>Names start with a letter and hold letters, digits, {@code _ . -}, at most {@value #MAX_NAME_LENGTH} characters.
 * Immutable and thread-safe.
 *
 * @param name the stable type name, for example {@code OrderPlaced}
 * @param revision the revision of the event's shape, 1 or more
 */
public record EventType(String name, int revision) {

  /** The longest type name accepted. */
  public static final int MAX_NAME_LENGTH = 200;

  /**
   * Validates the name and the revision.
   *
   * @param name the stable type name, for example {@code OrderPlaced}
   * @param revision the revision of the event's shape, 1 or more
   * @throws NullPointerException if the name is null
   * @throws IllegalArgumentException if the name is not a valid type name or the revision is below 1
   */
  public EventType {
    Objects.requireNonNull(name, "event type name must not be null");
    if (!isValidName(name)) {
      throw new IllegalArgumentException("event type name must start with a letter and hold only letters, digits,"
          + " '_', '.' and '-', at most " + MAX_NAME_LENGTH + " characters, but was '" + name + "'");
    }
    if (revision < 1) {
      throw new IllegalArgumentException(
          "revision of event type '" + name + "' must be 1 or more, but was " + revision);
    }
  }

  /** Checks a name without a regular expression: stores build an EventType for every event they read. */
  private static boolean isValidName(String name) {
    int length = name.length();
    if (length == 0 || length > MAX_NAME_LENGTH || !isAsciiLetter(name.charAt(0))) {
      return false;
    }
    for (int i = 1; i < length; i++) {
      char c = name.charAt(i);
      if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && c != '_' && c != '.' && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /**
   * Returns the type with the given name and revision.
   *
   * @param name the stable type name
   * @param revision the revision, 1 or more
   * @return the event type
   */
  public static EventType of(String name, int revision) {
    return new EventType(name, revision);
  }

  /**
   * Returns {@code name@revision}.
   *
   * @return a compact readable form
   */
  @Override
  public String toString() {
    return name + "@" + revision;
  }
}
