package dev.cqrs.core;

import java.util.Objects;

/**
 * A process manager: reacts to events by sending commands, run by a {@link TrackingProcessor} like any projection.
 * Delivery to it is at least once (a crash between a command it sent and the processor's checkpoint delivers the
 * event again), so every command it sends gets a message id derived from the event and the command's place among
 * those the event led to. Sent again for the same event, the command gets the same id; its handler recognises the
 * repeat ({@link CommandContext#earlierAppend}) and returns the earlier result, so the effect is exactly once.
 *
 * <pre>{@code
 * Projection fulfillment = ProcessManager.builder(commands)
 *     .on(OrderConfirmed.class, (confirmed, send) -> {
 *       for (Line line : confirmed.lines()) {
 *         send.command(new ReserveStock(line.sku(), line.quantity(), confirmed.orderId()));
 *       }
 *       send.command(new MarkReadyToShip(confirmed.orderId()));
 *     })
 *     .build();
 * TrackingProcessor.builder("fulfillment", store, fulfillment, checkpoints).build().start();
 * }</pre>
 *
 * <p>A reaction must send the same commands in the same order when it handles the same event again, given the same
 * answers from the handlers: it decides from the event and the results of its commands, not from the clock or from
 * state that changes between deliveries. Stateless; the projections it builds are thread-safe when the reactions are.
 */
public final class ProcessManager {

  private ProcessManager() {
  }

  /**
   * Starts a process manager that sends its commands through a bus.
   *
   * @param commands the command bus
   * @return a new builder
   */
  public static Builder builder(CommandBus commands) {
    return new Builder(commands);
  }

  /**
   * What a process manager does for one event.
   *
   * @param <E> the event type
   */
  @FunctionalInterface
  public interface Reaction<E extends Event> {
    /**
     * Reacts to an event.
     *
     * @param event the event
     * @param send sends the commands caused by this event
     */
    void react(E event, Sender send);
  }

  /** Sends the commands caused by one event, each with a message id derived from the event. Not thread-safe. */
  public interface Sender {
    /**
     * Sends a command caused by the event, synchronously; its handler's exceptions pass through unchanged.
     *
     * @param command the command
     * @return what the command stored, or the earlier result when it was sent for this event before
     */
    CommandResult command(Command command);

    /**
     * Returns the event being reacted to, as stored.
     *
     * @return the event
     */
    RecordedEvent cause();
  }

  /** Collects one reaction per event class. Not thread-safe. */
  public static final class Builder {
    private final CommandBus commands;
    private final Projection.Builder projection = Projection.builder();

    private Builder(CommandBus commands) {
      this.commands = Objects.requireNonNull(commands, "commands must not be null");
    }

    /**
     * Reacts to the events of a class (and of its subclasses, as {@link Projection.Builder#on} does).
     *
     * @param eventType the event class
     * @param reaction what to do
     * @param <E> the event type
     * @return this builder
     * @throws IllegalArgumentException if the class has a reaction already
     */
    public <E extends Event> Builder on(Class<E> eventType, Reaction<? super E> reaction) {
      Objects.requireNonNull(reaction, "reaction must not be null");
      projection.on(eventType, (E event, RecordedEvent recorded) -> reaction.react(event, new EventSender(recorded)));
      return this;
    }

    /**
     * Builds the projection that a tracking processor runs.
     *
     * @return the projection
     */
    public Projection build() {
      return projection.build();
    }

    /** Numbers the commands one delivery of an event sends; the number and class make each one's message id. */
    private final class EventSender implements Sender {
      private final RecordedEvent cause;
      private int sent;

      EventSender(RecordedEvent cause) {
        this.cause = cause;
      }

      @Override
      public CommandResult command(Command command) {
        Objects.requireNonNull(command, "command must not be null");
        String step = "process-manager-command " + sent++ + " " + command.getClass().getName();
        return commands.send(command, Metadata.causedBy(cause.metadata(), step));
      }

      @Override
      public RecordedEvent cause() {
        return cause;
      }
    }
  }
}
