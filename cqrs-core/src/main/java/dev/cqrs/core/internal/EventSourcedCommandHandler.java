package dev.cqrs.core.internal;

import dev.cqrs.core.AppendResult;
import dev.cqrs.core.Command;
import dev.cqrs.core.CommandContext;
import dev.cqrs.core.CommandHandler;
import dev.cqrs.core.CommandRejectedException;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.Decider;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.Snapshot;
import dev.cqrs.core.SnapshotPolicy;
import dev.cqrs.core.SnapshotStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load, fold, decide, append with the loaded version; retry on conflict. Thread-safe when the decider is.
 *
 * @param <C> the command type
 * @param <S> the state type
 * @param <E> the event type
 */
public final class EventSourcedCommandHandler<C extends Command, S, E extends Event> implements CommandHandler<C> {

  private static final Logger LOG = LoggerFactory.getLogger(EventSourcedCommandHandler.class);

  private final Decider<C, S, E> decider;
  private final boolean decideChangesState;
  private final Function<? super C, String> streamIds;
  private final ConflictRetry retry;
  private final SnapshotStore snapshots;
  private final Class<S> stateType;
  private final int stateRevision;
  private final SnapshotPolicy snapshotPolicy;
  private final Consumer<ConcurrencyConflictException> onConflict;

  /**
   * Creates the handler; called by {@code EventSourcedHandler.Builder}.
   *
   * @param decider the write model
   * @param decideChangesState whether {@code decide} applies its events to the (mutable) state itself, as aggregates
   *     do, so that the state after a command is the loaded state object
   * @param streamIds gives a command's stream
   * @param retry how long and how often to decide again after a conflict
   * @param snapshots the snapshot store, or null
   * @param stateType the state's class, or null without snapshots
   * @param stateRevision the state's revision
   * @param snapshotPolicy when to snapshot, or null
   * @param onConflict told of each conflict that is retried
   */
  public EventSourcedCommandHandler(Decider<C, S, E> decider, boolean decideChangesState,
                                    Function<? super C, String> streamIds, ConflictRetry retry,
                                    SnapshotStore snapshots, Class<S> stateType, int stateRevision,
                                    SnapshotPolicy snapshotPolicy,
                                    Consumer<ConcurrencyConflictException> onConflict) {
    this.decider = decider;
    this.decideChangesState = decideChangesState;
    this.streamIds = streamIds;
    this.retry = retry;
    this.snapshots = snapshots;
    this.stateType = stateType;
    this.stateRevision = stateRevision;
    this.snapshotPolicy = snapshotPolicy;
    this.onConflict = onConflict;
  }

  @Override
  public void handle(C command, CommandContext context) {
    String streamId = streamIds.apply(command);
    if (streamId == null) {
      throw new NullPointerException("stream id function returned null for command " + command);
    }
    EventStore store = context.eventStore();
    if (snapshots != null) {
      // events before the snapshot are not read below, so look the repeat up by its event id
      Optional<AppendResult> earlier = context.earlierAppend(streamId);
      if (earlier.isPresent()) {
        context.include(earlier.get());
        return;
      }
    }
    long started = System.nanoTime();
    for (int attempt = 0; ; attempt++) {
      Loaded<S> loaded = load(store, streamId, context.metadata().messageId());
      if (!loaded.causedByThisCommand().isEmpty()) {
        // this command message was handled before (a resend after a failure whose outcome was unknown)
        context.include(new AppendResult(streamId, loaded.causedByThisCommand(), true));
        return;
      }
      if (decider.isTerminal(loaded.state())) {
        throw new CommandRejectedException("stream '" + streamId + "' is closed: its state " + loaded.state()
            + " is terminal, so " + command.getClass().getSimpleName() + " is not accepted");
      }
      List<? extends E> events = decider.decide(command, loaded.state());
      if (events == null || events.isEmpty()) {
        return;
      }
      try {
        AppendResult result = context.append(streamId, ExpectedVersion.exactly(loaded.version()), events);
        maybeSnapshot(streamId, loaded, events, result.lastVersion());
        return;
      } catch (ConcurrencyConflictException conflict) {
        if (!retry.pauseBeforeRetry(attempt + 1, started)) {
          throw conflict;
        }
        LOG.debug("conflict on stream '{}' (attempt {}, {}), deciding again on fresh state", streamId, attempt + 1,
            retry);
        onConflict.accept(conflict);
      }
    }
  }

  /**
   * Loads a stream's state: from the snapshot when one of the right revision exists, then the events after it.
   *
   * @param store the event store
   * @param streamId the stream
   * @return the state and the version it includes
   */
  public Loaded<S> load(EventStore store, String streamId) {
    return load(store, streamId, null);
  }

  @SuppressWarnings("unchecked")
  private Loaded<S> load(EventStore store, String streamId, UUID command) {
    S state = null;
    long version = 0;
    if (snapshots != null) {
      Optional<Snapshot<S>> snapshot = snapshots.load(streamId, stateType);
      if (snapshot.isPresent() && snapshot.get().stateRevision() == stateRevision) {
        state = snapshot.get().state();
        version = snapshot.get().version();
      }
    }
    if (state == null) {
      state = decider.initialState();
    }
    List<RecordedEvent> caused = List.of();
    for (RecordedEvent event : store.readStream(streamId, version + 1)) {
      state = decider.evolve(state, (E) event.payload());
      version = event.version();
      if (event.metadata().causationId().equals(command)) {
        if (caused.isEmpty()) {
          caused = new ArrayList<>(2);
        }
        caused.add(event);
      }
    }
    return new Loaded<>(state, version, caused);
  }

  private void maybeSnapshot(String streamId, Loaded<S> loaded, List<? extends E> events, long newVersion) {
    if (snapshots == null || !snapshotPolicy.shouldSnapshot(loaded.version(), newVersion)) {
      return;
    }
    try {
      S state = loaded.state();
      if (!decideChangesState) {
        for (E event : events) {
          state = decider.evolve(state, event);
        }
      }
      snapshots.save(new Snapshot<>(streamId, newVersion, stateRevision, state));
    } catch (RuntimeException e) {
      // A snapshot only saves loading time; the events are stored, so the command succeeded.
      LOG.warn("could not save the snapshot of stream '{}' at version {}", streamId, newVersion, e);
    }
  }

  /**
   * A folded state and the stream version it includes.
   *
   * @param state the state
   * @param version the version
   * @param causedByThisCommand the loaded events that the command being handled caused already, if any
   * @param <S> the state type
   */
  public record Loaded<S>(S state, long version, List<RecordedEvent> causedByThisCommand) {
  }
}
