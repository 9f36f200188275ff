package dev.cqrs.core;

import dev.cqrs.core.internal.ConflictRetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs a decision over a {@link DecisionModel} as a {@link CommandHandler}: read the events that match the model's
 * query, fold them, decide, and append the new events with an {@link AppendCondition} on what was read. When another
 * writer appended a matching event meanwhile ({@link AppendConditionFailedException}), it reads and decides again after
 * a random pause, for up to 10 seconds by default, then lets the last refusal reach the sender, as
 * {@link EventSourcedHandler} does with stream conflicts.
 *
 * <pre>{@code
 * CommandHandler<Subscribe> subscribe = QueryDecidingHandler.builder(
 *         (Subscribe c) -> seats(c.course()).and(coursesOf(c.student())),
 *         (Subscribe c, DecisionModel.Both<Integer, Integer> s) -> s.first() < 30 && s.second() < 5
 *             ? List.of(new StudentSubscribed(c.course(), c.student())) : List.of(),
 *         c -> "subscription-" + c.course() + "-" + c.student())
 *     .tags(event -> event instanceof StudentSubscribed s
 *         ? Set.of("course:" + s.course(), "student:" + s.student()) : Set.of())
 *     .build();
 * }</pre>
 *
 * <p>The handlers it builds are thread-safe when the functions given are.
 */
public final class QueryDecidingHandler {

  private QueryDecidingHandler() {
  }

  /**
   * Starts configuring a handler.
   *
   * @param model the decision model for a command
   * @param decide the events a command causes in a state; none to append nothing
   * @param streamId the stream the events go to
   * @param <C> the command type
   * @param <S> the state type
   * @return a new builder
   */
  public static <C extends Command, S> Builder<C, S> builder(Function<? super C, DecisionModel<S>> model,
      BiFunction<? super C, ? super S, List<? extends Event>> decide, Function<? super C, String> streamId) {
    return new Builder<>(model, decide, streamId);
  }

  /**
   * Configures a {@link QueryDecidingHandler}. Not thread-safe.
   *
   * @param <C> the command type
   * @param <S> the state type
   */
  public static final class Builder<C extends Command, S> {
    private final Function<? super C, DecisionModel<S>> model;
    private final BiFunction<? super C, ? super S, List<? extends Event>> decide;
    private final Function<? super C, String> streamId;
    private Function<? super Event, Set<String>> tags = event -> Set.of();
    private int maxRetries = ConflictRetry.DEFAULT_MAX_RETRIES;
    private Duration retryFor = ConflictRetry.DEFAULT_RETRY_FOR;

    private Builder(Function<? super C, DecisionModel<S>> model,
                    BiFunction<? super C, ? super S, List<? extends Event>> decide,
                    Function<? super C, String> streamId) {
      this.model = Objects.requireNonNull(model, "model must not be null");
      this.decide = Objects.requireNonNull(decide, "decide must not be null");
      this.streamId = Objects.requireNonNull(streamId, "streamId must not be null");
    }

    /**
     * Sets tags of each new event, so that later queries find it; none by default. The store adds the tags that the
     * event's registered type derives ({@link EventTypes.Builder#register(Class, String, int,
     * java.util.function.Function)}), which is usually the better place for them.
     *
     * @param tags the tags of an event
     * @return this builder
     */
    public Builder<C, S> tags(Function<? super Event, Set<String>> tags) {
      this.tags = Objects.requireNonNull(tags, "tags must not be null");
      return this;
    }

    /**
     * Sets how many times a refused append is decided again; 1,000 by default.
     *
     * @param maxRetries 0 to 100,000
     * @return this builder
     */
    public Builder<C, S> maxRetries(int maxRetries) {
      this.maxRetries = ConflictRetry.checkMaxRetries(maxRetries);
      return this;
    }

    /**
     * Sets how long after the first attempt a retry may still start; 10 seconds by default.
     *
     * @param retryFor 0 to 1 hour
     * @return this builder
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
      ConflictRetry retry = new ConflictRetry(maxRetries, retryFor);
      Function<? super C, DecisionModel<S>> models = model;
      BiFunction<? super C, ? super S, List<? extends Event>> decider = decide;
      Function<? super C, String> streams = streamId;
      Function<? super Event, Set<String>> tagsOf = tags;
      return (command, context) -> {
        String stream = Objects.requireNonNull(streams.apply(command), "streamId returned null");
        Optional<AppendResult> earlier = context.earlierAppend(stream);
        if (earlier.isPresent()) {
          context.include(earlier.get()); // this message was handled before: report what it appended then
          return;
        }
        DecisionModel<S> decision = Objects.requireNonNull(models.apply(command), "model returned null");
        long started = System.nanoTime();
        for (int failed = 0; ; ) {
          EventQueryResult read = context.eventStore().read(decision.query(), Position.START);
          List<? extends Event> events = decider.apply(command, decision.fold(read.events()));
          if (events == null || events.isEmpty()) {
            return;
          }
          List<NewEvent> tagged = new ArrayList<>(events.size());
          List<NewEvent> plain = context.newEvents(stream, events);
          for (int i = 0; i < plain.size(); i++) {
            tagged.add(plain.get(i).withTags(tagsOf.apply(events.get(i)).toArray(String[]::new)));
          }
          try {
            context.include(context.eventStore().append(stream, ExpectedVersion.any(), tagged,
                AppendCondition.unchangedSince(decision.query(), read)));
            return;
          } catch (AppendConditionFailedException refused) {
            failed++;
            if (!retry.pauseBeforeRetry(failed, started)) {
              throw refused;
            }
          }
        }
      };
    }
  }
}
