package dev.cqrs.jackson;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.cqrs.core.Event;
import dev.cqrs.core.serialization.EventSerializer;
import dev.cqrs.core.serialization.StateSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serializes events and snapshot states as JSON with Jackson. Records, {@code java.time} and {@code Optional} work out
 * of the box. Payloads become instances of the registered class they are read as, never of a class named in the data:
 * default typing is off, and a type hint (a property named {@code "@class"}, {@code "@type"} or any {@code "@..."})
 * fails the read. Other properties the class does not have are skipped by default, so that instances still running
 * the previous version read events with newly added fields during a rolling deployment; {@link #strict()} fails on
 * them instead, so that a changed shape is caught and handled by an upcaster.
 *
 * <pre>{@code
 * EventCodec codec = EventCodec.of(types, JacksonSerializer.create(), UpcasterChain.of(upcasters));
 * }</pre>
 *
 * <p>Thread-safe: the mapper is configured once and only used afterwards.
 */
public final class JacksonSerializer implements EventSerializer, StateSerializer {

  private final ObjectMapper mapper;
  /** Readers resolve a class's deserializer once; {@code mapper.readValue(bytes, type)} would do it per call. */
  private final Map<Class<?>, ObjectReader> readers = new ConcurrentHashMap<>();

  private JacksonSerializer(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Returns a serializer with the default mapper: {@code java.time} as ISO-8601 text, {@code Optional} support, strict
   * about nulls for primitives, no default typing, and tolerant of properties the class does not have (so that an
   * older instance reads events that a newer one wrote with an added field, as in a rolling deployment), except type
   * hints (a property whose name starts with {@code @}, such as {@code "@class"}), which fail the read.
   *
   * @return the serializer
   */
  public static JacksonSerializer create() {
    return new JacksonSerializer(defaultMapper());
  }

  /**
   * Returns a serializer like {@link #create()} that also fails on every property the class does not have, so that a
   * payload of a changed shape is caught by a failing read rather than read without the new property.
   *
   * @return the serializer
   */
  public static JacksonSerializer strict() {
    return new JacksonSerializer(builder().build().deactivateDefaultTyping());
  }

  /**
   * Returns a serializer with a mapper of your own. Do not enable default typing on it.
   *
   * @param mapper the configured mapper; it must not be reconfigured afterwards
   * @return the serializer
   */
  public static JacksonSerializer create(ObjectMapper mapper) {
    return new JacksonSerializer(Objects.requireNonNull(mapper, "mapper must not be null"));
  }

  /**
   * Returns a new mapper configured as {@link #create()} uses it, for customizing.
   *
   * @return a new mapper
   */
  public static ObjectMapper defaultMapper() {
    return builder().addHandler(new SkipUnknownButTypeHints()).build().deactivateDefaultTyping();
  }

  private static JsonMapper.Builder builder() {
    return JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .addModule(new Jdk8Module())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
  }

  /** Skips the value of a property the class does not have, unless its name marks a type hint ({@code @...}). */
  private static final class SkipUnknownButTypeHints extends DeserializationProblemHandler {
    @Override
    public boolean handleUnknownProperty(DeserializationContext context, JsonParser parser,
                                         JsonDeserializer<?> deserializer, Object beanOrClass, String propertyName)
        throws IOException {
      if (propertyName.startsWith("@")) {
        return false; // fails the read: type hints are never followed nor silently dropped
      }
      parser.skipChildren();
      return true;
    }
  }

  @Override
  public byte[] serialize(Event event) {
    return write(event);
  }

  @Override
  public <E extends Event> E deserialize(byte[] data, Class<E> type) {
    return read(data, type);
  }

  @Override
  public byte[] serializeState(Object state) {
    return write(state);
  }

  @Override
  public <S> S deserializeState(byte[] data, Class<S> type) {
    return read(data, type);
  }

  private byte[] write(Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON: "
          + e.getOriginalMessage(), e);
    }
  }

  private static String where(JsonProcessingException e) {
    if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
      return " (at " + mapping.getPathReference() + ")";
    }
    return "";
  }

  private <T> T read(byte[] data, Class<T> type) {
    try {
      T value = readers.computeIfAbsent(type, mapper::readerFor).readValue(data);
      if (value == null) {
        throw new IllegalArgumentException("JSON null is not a " + type.getName());
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot read " + type.getName() + " from JSON: " + e.getOriginalMessage()
          + where(e), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
