package dev.cqrs.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What handling a command stored: the command's metadata and the appends its handler made through its
 * {@link CommandContext}. A reader that wants to see its own writes waits for {@link #lastPosition()}.
 *
 * <p>Immutable, and thread-safe when the payloads are.
 *
 * @param metadata the metadata the command was handled with
 * @param appends the appends made while handling it, in order; empty when it appended nothing
 */
public record CommandResult(Metadata metadata, List<AppendResult> appends) {

  /**
   * Validates and copies.
   *
   * @param metadata the metadata the command was handled with
   * @param appends the appends made while handling it, in order; empty when it appended nothing
   * @throws NullPointerException if an argument is null
   */
  public CommandResult {
    Objects.requireNonNull(metadata, "metadata must not be null");
    appends = List.copyOf(appends);
  }

  /**
   * Returns every event appended while handling the command, in order.
   *
   * @return the recorded events
   */
  public List<RecordedEvent> events() {
    if (appends.size() == 1) {
      return appends.get(0).events();
    }
    List<RecordedEvent> all = new ArrayList<>();
    for (AppendResult append : appends) {
      all.addAll(append.events());
    }
    return List.copyOf(all);
  }

  /**
   * Returns the global position of the last event appended, if any.
   *
   * @return the position, or empty when nothing was appended
   */
  public Optional<Position> lastPosition() {
    return appends.isEmpty() ? Optional.empty() : Optional.of(appends.get(appends.size() - 1).lastPosition());
  }
}
