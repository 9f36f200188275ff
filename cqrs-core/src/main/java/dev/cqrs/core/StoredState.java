package dev.cqrs.core;

import java.util.Objects;

/**
 * The saved state of one entity of a state-stored write model, with the version that guards concurrent saves.
 *
 * <p>Immutable, and thread-safe when the state is.
 *
 * @param id the entity's id, which is also the stream its events go to
 * @param version how many times it was saved, 1 or more
 * @param state the state
 * @param <S> the state type
 */
public record StoredState<S>(String id, long version, S state) {

  /**
   * Validates the parts.
   *
   * @param id the entity's id
   * @param version how many times it was saved, 1 or more
   * @param state the state
   * @throws NullPointerException if the id or the state is null
   * @throws IllegalArgumentException if the version is below 1
   */
  public StoredState {
    Objects.requireNonNull(id, "id must not be null");
    Objects.requireNonNull(state, "state must not be null");
    if (version < 1) {
      throw new IllegalArgumentException("version of '" + id + "' must be 1 or more, but was " + version);
    }
  }
}
