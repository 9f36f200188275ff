package dev.cqrs.core;

import java.util.List;

/**
 * What a {@link CommandHandler} gets besides its command: the command's metadata, and appends whose events carry the
 * command's correlation id and have the command as their cause.
 *
 * <p>Each {@link #append} is atomic on its own; a handler that appends to two streams makes two separate appends.
 *
 * <p>A context belongs to one handling of one command and is not thread-safe; do not keep it after the handler returns.
 */
public interface CommandContext {

  /**
   * Returns the metadata of the command being handled.
   *
   * @return the command's metadata
   */
  Metadata metadata();

  /**
   * Returns the bus's event store, for handlers that read streams before they decide.
   *
   * @return the event store
   * @throws IllegalStateException if the bus was built without an event store
   */
  EventStore eventStore();

  /**
   * Wraps an event caused by this command: a new event id, the command's correlation id, the command's id as causation
   * id, and the command's headers.
   *
   * @param event the event
   * @return the event ready to append
   */
  NewEvent newEvent(Event event);

  /**
   * Appends events caused by this command to the bus's event store (see {@link #newEvent(Event)}), and records the
   * result in the {@link CommandResult} that the sender receives.
   *
   * @param streamId the stream
   * @param expectedVersion what the stream's version must be
   * @param events the events, at least one
   * @return what was stored
   * @throws IllegalStateException if the bus was built without an event store
   * @see EventStore#append(String, ExpectedVersion, List)
   */
  AppendResult append(String streamId, ExpectedVersion expectedVersion, List<? extends Event> events);

  /**
   * Adds an append made on behalf of this command outside this context (by a {@link StateStoredRepository}, for
   * example) to the {@link CommandResult} that the sender receives.
   *
   * @param append what was stored
   */
  void include(AppendResult append);
}
