package dev.cqrs.core;

/**
 * A handle on something registered, such as a wake-up listener; closing it removes the registration. Closing twice
 * does nothing.
 *
 * <p>Implementations are thread-safe.
 */
@FunctionalInterface
public interface Registration extends AutoCloseable {

  /** Removes the registration. */
  @Override
  void close();
}
