package dev.cqrs.jackson;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cqrs.core.EventType;
import dev.cqrs.core.serialization.SerializedEvent;
import dev.cqrs.core.serialization.Upcaster;
import java.io.IOException;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Upcasters that edit the JSON object of an old revision:
 *
 * <pre>{@code
 * Upcaster renameClient = JsonUpcaster.of("OrderPlaced", 1, json -> {
 *   json.set("customer", json.remove("client"));
 *   return json;
 * });
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class JsonUpcaster {

  /** Keeps numbers exact: an upcaster must not turn 12.50 into 12.5 or lose digits of large values. */
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
      .build();

  private JsonUpcaster() {
  }

  /**
   * Returns an upcaster from {@code fromRevision} to the next revision that edits the event's JSON object.
   *
   * @param typeName the stored type name
   * @param fromRevision the source revision
   * @param change edits the object (it may change it in place) and returns the object of the next revision
   * @return the upcaster
   */
  public static Upcaster of(String typeName, int fromRevision, UnaryOperator<ObjectNode> change) {
    Objects.requireNonNull(change, "change must not be null");
    EventType next = EventType.of(typeName, fromRevision + 1);
    return Upcaster.of(typeName, fromRevision, old -> {
      JsonNode tree;
      try {
        tree = MAPPER.readTree(old.data());
      } catch (IOException e) {
        throw new IllegalArgumentException("stored " + old.type() + " is not JSON: " + e.getMessage(), e);
      }
      if (!(tree instanceof ObjectNode object)) {
        throw new IllegalArgumentException("stored " + old.type() + " is not a JSON object but " + tree.getNodeType());
      }
      ObjectNode changed = Objects.requireNonNull(change.apply(object), "upcaster change returned null");
      try {
        return new SerializedEvent(next, MAPPER.writeValueAsBytes(changed));
      } catch (IOException e) {
        throw new IllegalStateException("cannot write upcast " + next + ": " + e.getMessage(), e);
      }
    });
  }
}
