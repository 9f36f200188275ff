package dev.cqrs.test;

import java.util.List;
import java.util.Objects;

/** Compares expected and actual events and describes a mismatch side by side. Stateless and thread-safe. */
final class EventComparison {

  private EventComparison() {
  }

  static void assertSameEvents(String what, List<?> expected, List<?> actual) {
    if (expected.equals(actual)) {
      return;
    }
    throw new AssertionError(what + " other events than expected:\n" + sideBySide(expected, actual));
  }

  static String sideBySide(List<?> expected, List<?> actual) {
    int width = "expected".length();
    for (Object event : expected) {
      width = Math.max(width, String.valueOf(event).length());
    }
    width = Math.min(width, 100);
    StringBuilder table = new StringBuilder();
    table.append(String.format("  %-3s %-" + width + "s | %s%n", "#", "expected", "actual"));
    for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
      String left = i < expected.size() ? String.valueOf(expected.get(i)) : "(none)";
      String right = i < actual.size() ? String.valueOf(actual.get(i)) : "(none)";
      boolean same = i < expected.size() && i < actual.size() && Objects.equals(expected.get(i), actual.get(i));
      table.append(String.format("%s %-3d %-" + width + "s | %s%n", same ? " " : "≠", i + 1, left, right));
    }
    if (expected.isEmpty() && actual.isEmpty()) {
      table.append("  (no events on either side)\n");
    }
    return table.toString();
  }

  static String describe(Throwable failure) {
    return failure.getClass().getName() + ": " + failure.getMessage();
  }
}
