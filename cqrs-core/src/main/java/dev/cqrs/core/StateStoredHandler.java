package dev.cqrs.core;

import dev.cqrs.core.internal.ConflictRetry;
import dev.cqrs.core.internal.StateStoredCommandHandler;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs a state-stored write model as a {@link CommandHandler}: load the entity, compute a {@link StateChange}, and save
 * the new state together with the raised events through a {@link StateStoredRepository}. On a
 * {@link ConcurrencyConflictException} it loads again and retries after a random pause, for up to
 * 10 seconds by default ({@code retryFor}, {@code maxRetries}). Raised events carry
 * the command's correlation id and appear in the {@link CommandResult}.
 *
 * <pre>{@code
 * CommandHandler<Restock> restock = StateStoredHandler.builder(stockRepository, Restock::productId,
 *     (Optional<Stock> stock, Restock command) -> {
 *       Stock next = stock.orElse(Stock.EMPTY).add(command.quantity());
 *       return StateChange.of(next, new Restocked(command.productId(), command.quantity()));
 *     }).build();
 * }</pre>
 *
 * <p>The handlers it builds are thread-safe when the change function is.
 */
public final class StateStoredHandler {

  private StateStoredHandler() {
  }

  /**
   * Starts configuring a handler.
   *
   * @param repository where the states live
   * @param id gives the entity a command is for
   * @param change computes the new state and events from the current state (empty for a new entity) and the command
   * @param <C> the command type
   * @param <S> the state type
   * @return a new builder
   */
  public static <C extends Command, S> Builder<C, S> builder(
      StateStoredRepository<S> repository, Function<? super C, String> id,
      BiFunction<Optional<S>, ? super C, StateChange<S>> change) {
    return new Builder<>(repository, id, change);
  }

  /**
   * Configures a state-stored handler. Not thread-safe.
   *
   * @param <C> the command type
   * @param <S> the state type
   */
  public static final class Builder<C extends Command, S> {

    private final StateStoredRepository<S> repository;
    private final Function<? super C, String> id;
    private final BiFunction<Optional<S>, ? super C, StateChange<S>> change;
    private int maxRetries = ConflictRetry.DEFAULT_MAX_RETRIES;
    private Duration retryFor = ConflictRetry.DEFAULT_RETRY_FOR;

    private Builder(StateStoredRepository<S> repository, Function<? super C, String> id,
                    BiFunction<Optional<S>, ? super C, StateChange<S>> change) {
      this.repository = Objects.requireNonNull(repository, "repository must not be null");
      this.id = Objects.requireNonNull(id, "id must not be null");
      this.change = Objects.requireNonNull(change, "change must not be null");
    }

    /**
     * Sets the most times a command is tried again after a conflict; the default is 1,000. Retries also stop once
     * {@link #retryFor} has passed, whichever comes first.
     *
     * @param maxRetries 0 to 100000
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder<C, S> maxRetries(int maxRetries) {
      this.maxRetries = ConflictRetry.checkMaxRetries(maxRetries);
      return this;
    }

    /**
     * Sets how long after its first attempt a command may still be tried again after a conflict; the default is 10
     * seconds. Each retry waits a random pause of up to a bound that doubles per attempt (up to 20 ms), which spreads
     * the writers of a hot stream so that each wins in turn.
     *
     * @param retryFor 0 to 1 hour
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder<C, S> retryFor(Duration retryFor) {
      this.retryFor = ConflictRetry.checkRetryFor(retryFor);
      return this;
    }

    /**
     * Builds the handler.
     *
     * @return a thread-safe command handler
     */
    public CommandHandler<C> build() {
      return new StateStoredCommandHandler<>(repository, id, change, new ConflictRetry(maxRetries, retryFor));
    }
  }
}
