package dev.cqrs.test.contract;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;

/**
 * The events the contract suites append, and their registry. Immutable and thread-safe.
 */
public final class ContractEvents {

  /** The registry of every contract event: {@code Happened@1}, {@code Noted@3}, and the events of the DCB scenarios. */
  public static final EventTypes TYPES = EventTypes.builder()
      .register(Happened.class, "Happened", 1)
      .register(Noted.class, "Noted", 3)
      .register(CourseDefined.class, "CourseDefined", 1)
      .register(StudentSubscribed.class, "StudentSubscribed", 1)
      .register(UsernameClaimed.class, "UsernameClaimed", 1)
      .register(InvoiceCreated.class, "InvoiceCreated", 1)
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
   * A course was defined with a number of seats; tagged {@code course:<id>}.
   *
   * @param course the course id
   * @param seats how many students it takes
   */
  public record CourseDefined(String course, int seats) implements Event {
  }

  /**
   * A student subscribed to a course; tagged {@code course:<id>} and {@code student:<id>}.
   *
   * @param course the course id
   * @param student the student id
   */
  public record StudentSubscribed(String course, String student) implements Event {
  }

  /**
   * A username was claimed; tagged {@code username:<name>}.
   *
   * @param username the name
   * @param user who claimed it
   */
  public record UsernameClaimed(String username, String user) implements Event {
  }

  /**
   * An invoice got its number; tagged {@code invoices}.
   *
   * @param number the number, from 1 without gaps
   * @param writer who created it
   */
  public record InvoiceCreated(long number, String writer) implements Event {
  }

  /**
   * An event class that is never registered.
   *
   * @param text anything
   */
  public record Unregistered(String text) implements Event {
  }
}
