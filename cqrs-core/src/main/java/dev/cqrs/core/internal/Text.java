package dev.cqrs.core.internal;

/** Checks on text that databases store differently from Java. Stateless and thread-safe. */
public final class Text {

  private Text() {
  }

  /**
   * Finds the first unpaired surrogate: a UTF-16 half of a character without its other half. It has no UTF-8 form, so
   * databases store it as {@code ?} (and two different ids would become one).
   *
   * @param text the text
   * @return its index, or -1 when every surrogate is paired
   */
  public static int unpairedSurrogateAt(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++; // a pair: one character outside the basic plane
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Shows text in a message with its control characters and unpaired surrogates as {@code \\uXXXX} escapes.
   *
   * @param text the text
   * @return the printable form
   */
  public static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1));
      if (paired) {
        out.append(c).append(text.charAt(++i));
      } else if (Character.isISOControl(c) || Character.isSurrogate(c)) {
        out.append('\\').append(String.format("u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
