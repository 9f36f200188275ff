package dev.cqrs.core.serialization;

import dev.cqrs.core.EventType;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Converts a stored event of one type from one revision to the next ({@code n} to {@code n + 1}). An
 * {@link UpcasterChain} applies upcasters one after another until the event has the registered revision.
 *
 * <pre>{@code
 * Upcaster renameCustomer = Upcaster.of("OrderPlaced", 1,
 *     old -> SerializedEvent.ofText(EventType.of("OrderPlaced", 2), old.text().replace("\"client\"", "\"customer\"")));
 * }</pre>
 *
 * <p>Implementations must be thread-safe and free of side effects.
 */
public interface Upcaster {

  /**
   * Returns the type name this upcaster converts.
   *
   * @return the stored type name
   */
  String typeName();

  /**
   * Returns the revision this upcaster converts from; its output has revision {@code fromRevision() + 1}.
   *
   * @return the source revision, 1 or more
   */
  int fromRevision();

  /**
   * Converts one stored event.
   *
   * @param event an event of {@link #typeName()} at {@link #fromRevision()}
   * @return the same event at revision {@code fromRevision() + 1}
   */
  SerializedEvent upcast(SerializedEvent event);

  /**
   * Returns an upcaster from a function.
   *
   * @param typeName the stored type name
   * @param fromRevision the source revision
   * @param conversion the conversion to revision {@code fromRevision + 1}
   * @return the upcaster
   */
  static Upcaster of(String typeName, int fromRevision, UnaryOperator<SerializedEvent> conversion) {
    Objects.requireNonNull(conversion, "conversion must not be null");
    EventType.of(typeName, fromRevision); // validates both
    return new Upcaster() {
      @Override
      public String typeName() {
        return typeName;
      }

      @Override
      public int fromRevision() {
        return fromRevision;
      }

      @Override
      public SerializedEvent upcast(SerializedEvent event) {
        return conversion.apply(event);
      }

      @Override
      public String toString() {
        return "Upcaster[" + typeName + "@" + fromRevision + " -> " + (fromRevision + 1) + "]";
      }
    };
  }
}
