package dev.cqrs.core;

import dev.cqrs.core.internal.Ids;
import dev.cqrs.core.internal.Text;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What travels with every message: its id, when it was created, the id of the first message of its chain
 * (correlation id), the id of the message that caused it (causation id), and user headers.
 *
 * <p>The buses set and propagate these for you: a command sent without metadata gets {@link #create()}, and every
 * event appended while handling it gets {@link #causedBy(Metadata)}, so that its causation id is the command's id and
 * its correlation id is the command's correlation id. A message that starts a chain is its own cause and correlation.
 *
 * <p>Instances are immutable and thread-safe. Header names must be non-blank and at most
 * {@value #MAX_HEADER_NAME_LENGTH} characters long, values at most {@value #MAX_HEADER_VALUE_LENGTH} characters, and a
 * message carries at most {@value #MAX_HEADERS} headers.
 *
 * @param messageId the unique id of this message
 * @param timestamp when this message was created
 * @param correlationId the id of the first message of the chain this message belongs to
 * @param causationId the id of the message that caused this one (equal to {@code messageId} for a first message)
 * @param headers user headers, in name order; an unmodifiable copy of what was given
 */
public record Metadata(UUID messageId, Instant timestamp, UUID correlationId, UUID causationId,
                       Map<String, String> headers) {

  /** The longest header name accepted. */
  public static final int MAX_HEADER_NAME_LENGTH = 128;
  /** The longest header value accepted. */
  public static final int MAX_HEADER_VALUE_LENGTH = 4096;
  /** The most headers one message may carry. */
  public static final int MAX_HEADERS = 64;

  /**
   * Validates every field and copies the headers.
   *
   * @param messageId the unique id of this message
   * @param timestamp when this message was created
   * @param correlationId the id of the first message of the chain this message belongs to
   * @param causationId the id of the message that caused this one (equal to {@code messageId} for a first message)
   * @param headers user headers, in name order; an unmodifiable copy of what was given
   * @throws NullPointerException if any argument is null, or a header name or value is null
   * @throws IllegalArgumentException if a header name is blank or too long, a value is too long, or there are too many
   */
  public Metadata {
    Objects.requireNonNull(messageId, "messageId must not be null");
    Objects.requireNonNull(timestamp, "timestamp must not be null");
    Objects.requireNonNull(correlationId, "correlationId must not be null");
    Objects.requireNonNull(causationId, "causationId must not be null");
    headers = copyHeaders(headers);
  }

  /**
   * Returns metadata for a message that starts a new chain: a random id, the current time, and the message as its own
   * correlation and causation.
   *
   * @return fresh metadata without headers
   */
  public static Metadata create() {
    return create(Clock.systemUTC());
  }

  /**
   * Returns metadata for a message that starts a new chain, stamped with the given clock's time.
   *
   * @param clock the clock to read the timestamp from
   * @return fresh metadata without headers
   */
  public static Metadata create(Clock clock) {
    UUID id = Ids.newId();
    return new Metadata(id, clock.instant(), id, id, Map.of());
  }

  /**
   * Returns metadata for a message caused by the message that carries {@code cause}: a new id and the current time,
   * the cause's correlation id, the cause's id as causation id, and the cause's headers.
   *
   * @param cause the metadata of the message that caused the new one
   * @return metadata for the new message
   */
  public static Metadata causedBy(Metadata cause) {
    return causedBy(cause, Clock.systemUTC());
  }

  /**
   * Like {@link #causedBy(Metadata)}, stamped with the given clock's time.
   *
   * @param cause the metadata of the message that caused the new one
   * @param clock the clock to read the timestamp from
   * @return metadata for the new message
   */
  public static Metadata causedBy(Metadata cause, Clock clock) {
    Objects.requireNonNull(cause, "cause must not be null");
    return new Metadata(Ids.newId(), clock.instant(), cause.correlationId, cause.messageId, cause.headers);
  }

  /**
   * Returns metadata for a message caused by the message that carries {@code cause}, like {@link #causedBy(Metadata)},
   * but with a message id derived from the cause's id and {@code step} instead of a new one: sending the message again
   * for the same cause (a process manager that handles an event again after a crash) gives it the same id, so the
   * events it leads to get the same ids and the event store recognises the repeat.
   *
   * @param cause the metadata of the message that caused the new one
   * @param step what distinguishes this message among those the cause leads to, for example {@code "reserve sku-1"}
   * @return metadata for the new message
   */
  public static Metadata causedBy(Metadata cause, String step) {
    Objects.requireNonNull(cause, "cause must not be null");
    Objects.requireNonNull(step, "step must not be null");
    return new Metadata(Ids.derived(cause.messageId, step), Clock.systemUTC().instant(), cause.correlationId,
        cause.messageId, cause.headers);
  }

  /**
   * Returns a copy with one header added or replaced.
   *
   * @param name the header name
   * @param value the header value
   * @return the new metadata
   */
  public Metadata withHeader(String name, String value) {
    Map<String, String> copy = new TreeMap<>(headers);
    copy.put(name, value);
    return new Metadata(messageId, timestamp, correlationId, causationId, copy);
  }

  /**
   * Returns the value of a header, if present.
   *
   * @param name the header name
   * @return the value, or empty when this message has no such header
   */
  public Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name));
  }

  private static Map<String, String> copyHeaders(Map<String, String> headers) {
    Objects.requireNonNull(headers, "headers must not be null");
    if (headers.isEmpty()) {
      return Map.of();
    }
    if (headers.size() > MAX_HEADERS) {
      throw new IllegalArgumentException(
          "headers must hold at most " + MAX_HEADERS + " entries, but held " + headers.size());
    }
    TreeMap<String, String> copy = new TreeMap<>();
    for (Map.Entry<String, String> header : headers.entrySet()) {
      String name = header.getKey();
      String value = header.getValue();
      Objects.requireNonNull(name, "header name must not be null");
      if (name.isBlank()) {
        throw new IllegalArgumentException("header name must not be blank, but was '" + name + "'");
      }
      if (name.length() > MAX_HEADER_NAME_LENGTH) {
        throw new IllegalArgumentException("header name must be at most " + MAX_HEADER_NAME_LENGTH
            + " characters, but was " + name.length() + " characters: '" + name.substring(0, 32) + "...'");
      }
      Objects.requireNonNull(value, () -> "value of header '" + name + "' must not be null");
      if (value.length() > MAX_HEADER_VALUE_LENGTH) {
        throw new IllegalArgumentException("value of header '" + name + "' must be at most "
            + MAX_HEADER_VALUE_LENGTH + " characters, but was " + value.length() + " characters");
      }
      int inName = Text.unpairedSurrogateAt(name);
      int inValue = Text.unpairedSurrogateAt(value);
      if (inName >= 0 || inValue >= 0) {
        throw new IllegalArgumentException("header '" + Text.printable(name) + "' must not hold an unpaired surrogate"
            + " (half of a UTF-16 character, which databases store as '?'), but its " + (inName >= 0
            ? "name has one at index " + inName : "value has one at index " + inValue + ": '" + Text.printable(value)
            + "'"));
      }
      copy.put(name, value);
    }
    return Collections.unmodifiableMap(copy);
  }
}
