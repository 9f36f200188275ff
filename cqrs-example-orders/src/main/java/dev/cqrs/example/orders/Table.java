package dev.cqrs.example.orders;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Prints small text tables. Not thread-safe. */
final class Table {

  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  Table(String... headers) {
    this.headers = List.of(headers);
  }

  Table row(Object... cells) {
    List<String> row = new ArrayList<>();
    for (Object cell : cells) {
      row.add(printable(String.valueOf(cell)));
    }
    rows.add(row);
    return this;
  }

  void print(PrintStream out) {
    int[] widths = new int[headers.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headers.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    line(out, headers, widths);
    StringBuilder rule = new StringBuilder("  ");
    for (int width : widths) {
      rule.append("-".repeat(width)).append("  ");
    }
    out.println(rule.toString().stripTrailing());
    for (List<String> row : rows) {
      line(out, row, widths);
    }
    if (rows.isEmpty()) {
      out.println("  (none)");
    }
  }

  private static void line(PrintStream out, List<String> cells, int[] widths) {
    StringBuilder text = new StringBuilder("  ");
    for (int i = 0; i < cells.size(); i++) {
      text.append(String.format("%-" + widths[i] + "s  ", cells.get(i)));
    }
    out.println(text.toString().stripTrailing());
  }

  /**
   * Returns text that prints as one line and cannot steer the terminal: control characters (line breaks, ANSI
   * escapes), format characters and unpaired surrogates become {@code \\uXXXX}. Stored data may predate the rules.
   */
  static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i));
      } else if (Character.isISOControl(c) || Character.isSurrogate(c) || Character.getType(c) == Character.FORMAT) {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
