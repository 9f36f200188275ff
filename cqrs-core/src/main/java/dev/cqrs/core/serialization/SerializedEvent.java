package dev.cqrs.core.serialization;

import dev.cqrs.core.EventType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An event in stored form: its type name, the revision of its shape, and its bytes (JSON for the Jackson serializer).
 *
 * <p>Immutable and thread-safe: the bytes are copied in and out.
 *
 * @param type the stored type name and revision
 * @param data the stored bytes
 */
public record SerializedEvent(EventType type, byte[] data) {

  /**
   * Validates and copies.
   *
   * @param type the stored type name and revision
   * @param data the stored bytes
   * @throws NullPointerException if an argument is null
   */
  public SerializedEvent {
    Objects.requireNonNull(type, "type must not be null");
    data = Objects.requireNonNull(data, "data must not be null").clone();
  }

  /** Returns the stored bytes without copying, for readers in this package that do not change them. */
  byte[] bytes() {
    return data;
  }

  /**
   * Returns a copy of the stored bytes.
   *
   * @return the bytes
   */
  @Override
  public byte[] data() {
    return data.clone();
  }

  /**
   * Returns the bytes as UTF-8 text, for text formats such as JSON.
   *
   * @return the text
   */
  public String text() {
    return new String(data, StandardCharsets.UTF_8);
  }

  /**
   * Returns a serialized event holding UTF-8 text.
   *
   * @param type the stored type name and revision
   * @param text the text
   * @return the serialized event
   */
  public static SerializedEvent ofText(EventType type, String text) {
    return new SerializedEvent(type, text.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SerializedEvent that && type.equals(that.type) && Arrays.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return 31 * type.hashCode() + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "SerializedEvent[" + type + ", " + data.length + " bytes]";
  }
}
