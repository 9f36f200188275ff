package dev.cqrs.core;

import java.util.List;
import java.util.Optional;

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
   * Wraps an event caused by this command: a new random event id, the command's correlation id, the command's id as
   * causation id, and the command's headers. Prefer {@link #newEvents}, whose ids make a resent command idempotent.
   *
   * @param event the event
   * @return the event ready to append
   */
  NewEvent newEvent(Event event);

  /**
   * Wraps the events this command appends to one stream, with event ids derived from the command's message id, the
   * stream, the event's index and how many appends to that stream this handling has {@linkplain #include included}
   * before. Sending the same command message again (after a timeout or a transient failure whose outcome was unknown)
   * therefore produces the same event ids, and the event store returns the earlier result instead of storing them
   * twice. Otherwise like {@link #newEvent}.
   *
   * @param streamId the stream the events are for
   * @param events the events
   * @return the events ready to append
   */
  List<NewEvent> newEvents(String streamId, List<? extends Event> events);

  /**
   * Finds the append that this command message made to a stream when it was handled before: the same message sent
   * again after a failure whose outcome was unknown, or by a process manager that handles its event again after a
   * crash. It looks up the first event id that {@link #newEvents} would give, in the bus's event store. The library's
   * handlers call it before they decide, so that a repeat returns the earlier result instead of deciding again on a
   * state that already includes it.
   *
   * @param streamId the stream
   * @return the earlier append, marked {@linkplain AppendResult#repeated() repeated}; empty when this message did not
   *     append to the stream before, or the bus has no event store
   */
  Optional<AppendResult> earlierAppend(String streamId);

  /**
   * Appends events caused by this command to the bus's event store (see {@link #newEvents}), and records the
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
