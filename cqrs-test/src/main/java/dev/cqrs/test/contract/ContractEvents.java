package dev.cqrs.test.contract;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;

/**
 * The events the contract suites append, and their registry. Immutable and thread-safe.
 */
public final class ContractEvents {

  /** The registry of every contract event: {@code Happened@1}, {@code Noted@3}. */
  public static final EventTypes TYPES = EventTypes.builder()
      .register(Happened.class, "Happened", 1)
      .register(Noted.class, "Noted", 3)
      .build();

  /** The registry without {@code Noted}, for reading events of a type the reader does not know. */
  public static final EventTypes WITHOUT_NOTED = EventTypes.builder()
      .register(Happened.class, "Happened", 1)
      .build();

  private ContractEvents() {
  }

  /**
   * Something numbered happened in a stream.
   *
   * @param source who appended it (a thread or a test step)
   * @param number its number for that source
   */
  public record Happened(String source, long number) implements Event {
  }

  /**
   * A note, registered under a name that differs from its class name and at revision 3.
   *
   * @param text the note
   */
  public record Noted(String text) implements Event {
  }

  /**
   * An event class that is never registered.
   *
   * @param text anything
   */
  public record Unregistered(String text) implements Event {
  }
}
