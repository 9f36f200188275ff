package dev.cqrs.jdbc.internal;

import java.util.Map;
import java.util.TreeMap;

/** Writes and reads flat JSON objects of strings, the stored form of metadata headers. Stateless and thread-safe. */
public final class HeadersJson {

  private HeadersJson() {
  }

  /**
   * Writes headers as a JSON object.
   *
   * @param headers the headers
   * @return the JSON text
   */
  public static String write(Map<String, String> headers) {
    if (headers.isEmpty()) {
      return "{}";
    }
    StringBuilder json = new StringBuilder("{");
    for (Map.Entry<String, String> header : headers.entrySet()) {
      if (json.length() > 1) {
        json.append(',');
      }
      quote(json, header.getKey()).append(':');
      quote(json, header.getValue());
    }
    return json.append('}').toString();
  }

  private static StringBuilder quote(StringBuilder json, String text) {
    json.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    return json.append('"');
  }

  /**
   * Reads a JSON object of strings.
   *
   * @param json the JSON text
   * @return the headers
   * @throws IllegalArgumentException if the text is not such an object
   */
  public static Map<String, String> read(String json) {
    if (json.equals("{}")) {
      return Map.of(); // most events carry no headers
    }
    Reader reader = new Reader(json);
    Map<String, String> headers = new TreeMap<>();
    reader.skipSpace();
    reader.expect('{');
    reader.skipSpace();
    if (reader.peek() == '}') {
      reader.index++;
      return headers;
    }
    while (true) {
      reader.skipSpace();
      String name = reader.string();
      reader.skipSpace();
      reader.expect(':');
      reader.skipSpace();
      headers.put(name, reader.string());
      reader.skipSpace();
      char next = reader.next();
      if (next == '}') {
        return headers;
      }
      if (next != ',') {
        throw new IllegalArgumentException("headers are not a JSON object of strings: " + json);
      }
    }
  }

  private static final class Reader {
    private final String text;
    private int index;

    Reader(String text) {
      this.text = text;
    }

    char peek() {
      if (index >= text.length()) {
        throw new IllegalArgumentException("headers JSON ends early: " + text);
      }
      return text.charAt(index);
    }

    char next() {
      char c = peek();
      index++;
      return c;
    }

    void expect(char c) {
      if (next() != c) {
        throw new IllegalArgumentException("headers JSON expected '" + c + "' at " + (index - 1) + ": " + text);
      }
    }

    void skipSpace() {
      while (index < text.length() && Character.isWhitespace(text.charAt(index))) {
        index++;
      }
    }

    String string() {
      expect('"');
      StringBuilder value = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return value.toString();
        }
        if (c != '\\') {
          value.append(c);
          continue;
        }
        char escaped = next();
        switch (escaped) {
          case 'n' -> value.append('\n');
          case 'r' -> value.append('\r');
          case 't' -> value.append('\t');
          case 'b' -> value.append('\b');
          case 'f' -> value.append('\f');
          case 'u' -> {
            value.append((char) Integer.parseInt(text.substring(index, index + 4), 16));
            index += 4;
          }
          default -> value.append(escaped);
        }
      }
    }
  }
}
