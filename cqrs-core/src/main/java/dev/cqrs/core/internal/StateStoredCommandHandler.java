package dev.cqrs.core.internal;

import dev.cqrs.core.AppendResult;
import dev.cqrs.core.Command;
import dev.cqrs.core.CommandContext;
import dev.cqrs.core.CommandHandler;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.StateChange;
import dev.cqrs.core.StateStoredRepository;
import dev.cqrs.core.StoredState;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Load, change, save with events; retry on conflict. Thread-safe when the change function is.
 *
 * @param <C> the command type
 * @param <S> the state type
 */
public final class StateStoredCommandHandler<C extends Command, S> implements CommandHandler<C> {

  private final StateStoredRepository<S> repository;
  private final Function<? super C, String> ids;
  private final BiFunction<Optional<S>, ? super C, StateChange<S>> change;
  private final ConflictRetry retry;

  /**
   * Creates the handler; called by {@code StateStoredHandler.Builder}.
   *
   * @param repository where the states live
   * @param ids gives a command's entity id
   * @param change computes the change
   * @param retry how long and how often to try again after a conflict
   */
  public StateStoredCommandHandler(StateStoredRepository<S> repository, Function<? super C, String> ids,
                                   BiFunction<Optional<S>, ? super C, StateChange<S>> change, ConflictRetry retry) {
    this.repository = repository;
    this.ids = ids;
    this.change = change;
    this.retry = retry;
  }

  @Override
  public void handle(C command, CommandContext context) {
    String id = Objects.requireNonNull(ids.apply(command), () -> "id function returned null for command " + command);
    Optional<AppendResult> earlier = context.earlierAppend(id);
    if (earlier.isPresent()) {
      context.include(earlier.get()); // this command message was handled before: nothing to decide again
      return;
    }
    long started = System.nanoTime();
    for (int attempt = 0; ; attempt++) {
      Optional<StoredState<S>> stored = repository.load(id);
      StateChange<S> result = Objects.requireNonNull(change.apply(stored.map(StoredState::state), command),
          () -> "state change function returned null for command " + command);
      List<NewEvent> events = context.newEvents(id, result.events());
      try {
        repository.save(id, stored.map(StoredState::version).orElse(0L), result.state(), events)
            .ifPresent(context::include);
        return;
      } catch (ConcurrencyConflictException conflict) {
        if (!retry.pauseBeforeRetry(attempt + 1, started)) {
          throw conflict;
        }
      }
    }
  }
}
