package dev.cqrs.core.serialization;

/**
 * Turns snapshot states into bytes and back, for snapshot stores that persist them. Implementations must be
 * thread-safe and must only create instances of the class they are asked for.
 */
public interface StateSerializer {

  /**
   * Serializes a state.
   *
   * @param state the state
   * @return its bytes
   */
  byte[] serializeState(Object state);

  /**
   * Deserializes a state.
   *
   * @param data the bytes
   * @param type the state's class
   * @param <S> the state type
   * @return the state
   */
  <S> S deserializeState(byte[] data, Class<S> type);
}
