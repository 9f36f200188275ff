package dev.cqrs.core;

import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * The state a decision needs, built from the events that match a query instead of from one stream: an initial state
 * and an evolve function over the matching events. Models compose with {@link #and}, so that one command can be
 * checked against several rules at once (a course's seats and a student's course limit), and the append that follows
 * is conditional on the combined query ({@link QueryDecidingHandler}).
 *
 * <pre>{@code
 * DecisionModel<Integer> seatsTaken = DecisionModel.of(
 *     EventQuery.of(EventQuery.Item.types(StudentSubscribed.class).withTags("course:" + course)),
 *     0, (taken, event) -> taken + 1);
 * }</pre>
 *
 * <p>Immutable; thread-safe when its evolve function is.
 *
 * @param query the events the state is built from
 * @param initialState the state before any matching event
 * @param evolve the state after one more matching event
 * @param <S> the state type
 */
public record DecisionModel<S>(EventQuery query, S initialState, BiFunction<S, RecordedEvent, S> evolve) {

  /**
   * Validates the parts.
   *
   * @param query the events the state is built from
   * @param initialState the state before any matching event
   * @param evolve the state after one more matching event
   * @throws NullPointerException if a part is null
   */
  public DecisionModel {
    Objects.requireNonNull(query, "query must not be null");
    Objects.requireNonNull(initialState, "initialState must not be null");
    Objects.requireNonNull(evolve, "evolve must not be null");
  }

  /**
   * Returns a model.
   *
   * @param query the events the state is built from
   * @param initialState the state before any matching event
   * @param evolve the state after one more matching event
   * @param <S> the state type
   * @return the model
   */
  public static <S> DecisionModel<S> of(EventQuery query, S initialState, BiFunction<S, RecordedEvent, S> evolve) {
    return new DecisionModel<>(query, initialState, evolve);
  }

  /**
   * Folds events into the state, skipping those that do not match this model's query.
   *
   * @param events events in global order
   * @return the state after them
   */
  public S fold(List<RecordedEvent> events) {
    Objects.requireNonNull(events, "events must not be null");
    S state = initialState;
    for (RecordedEvent event : events) {
      if (query.matches(event)) {
        state = Objects.requireNonNull(evolve.apply(state, event), "evolve returned null");
      }
    }
    return state;
  }

  /**
   * Combines this model with another: the query is the union of both, the state the pair of both states, and each
   * state evolves only with the events of its own query.
   *
   * @param other the other model
   * @param <T> the other state type
   * @return the combined model
   */
  public <T> DecisionModel<Both<S, T>> and(DecisionModel<T> other) {
    Objects.requireNonNull(other, "other must not be null");
    DecisionModel<S> self = this;
    return new DecisionModel<>(query.or(other.query()), new Both<>(initialState, other.initialState()),
        (both, event) -> new Both<>(
            self.query().matches(event) ? self.evolve().apply(both.first(), event) : both.first(),
            other.query().matches(event) ? other.evolve().apply(both.second(), event) : both.second()));
  }

  /**
   * The states of two combined models.
   *
   * @param first this model's state
   * @param second the other model's state
   * @param <A> the first state type
   * @param <B> the second state type
   */
  public record Both<A, B>(A first, B second) {
  }
}
