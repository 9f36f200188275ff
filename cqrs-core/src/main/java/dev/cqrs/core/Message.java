package dev.cqrs.core;

import java.util.Objects;

/**
 * A payload (a command, a query or an event) together with its {@link Metadata}, as interceptors see it.
 *
 * <p>Immutable, and thread-safe when the payload is.
 *
 * @param payload the command, query or event
 * @param metadata the metadata that travels with it
 * @param <P> the type of the payload
 */
public record Message<P>(P payload, Metadata metadata) {

  /**
   * Validates that both parts are present.
   *
   * @param payload the command, query or event
   * @param metadata the metadata that travels with it
   * @throws NullPointerException if the payload or the metadata is null
   */
  public Message {
    Objects.requireNonNull(payload, "payload must not be null");
    Objects.requireNonNull(metadata, "metadata must not be null");
  }

  /**
   * Returns the same payload with other metadata, for interceptors that add headers.
   *
   * @param newMetadata the metadata to carry instead
   * @return the new message
   */
  public Message<P> withMetadata(Metadata newMetadata) {
    return new Message<>(payload, newMetadata);
  }
}
