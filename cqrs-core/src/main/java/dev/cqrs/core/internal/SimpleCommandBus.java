package dev.cqrs.core.internal;

import dev.cqrs.core.AppendResult;
import dev.cqrs.core.Command;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.CommandContext;
import dev.cqrs.core.CommandHandler;
import dev.cqrs.core.CommandResult;
import dev.cqrs.core.DispatchInterceptor;
import dev.cqrs.core.DuplicateHandlerException;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.HandlerInterceptor;
import dev.cqrs.core.Message;
import dev.cqrs.core.Metadata;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.NoHandlerException;
import dev.cqrs.core.RecordedEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** The in-JVM command bus behind {@link CommandBus#builder()}. Thread-safe. */
public final class SimpleCommandBus implements CommandBus {

  private final HandlerTable<CommandHandler<Command>> handlers = new HandlerTable<>("command");
  private final EventStore eventStore;
  private final Executor executor;
  private final Clock clock;
  private final List<DispatchInterceptor<Command>> dispatchInterceptors;
  private final HandlerInterceptor.Chain<Command, CommandResult> handling;

  /**
   * Creates the bus; called by {@link CommandBus.Builder#build()}.
   *
   * @param eventStore the store for context appends, or null
   * @param executor the executor for asynchronous sends, or null for one of the bus's own
   * @param clock the clock for new metadata
   * @param dispatchInterceptors dispatch interceptors, in order
   * @param handlerInterceptors handler interceptors, outermost first
   */
  public SimpleCommandBus(EventStore eventStore, Executor executor, Clock clock,
                          List<DispatchInterceptor<Command>> dispatchInterceptors,
                          List<HandlerInterceptor<Command, CommandResult>> handlerInterceptors) {
    this.eventStore = eventStore;
    this.executor = executor != null ? executor : new OwnedExecutor("cqrs-command");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.dispatchInterceptors = List.copyOf(dispatchInterceptors);
    this.handling = Dispatch.compose(List.copyOf(handlerInterceptors), this::invokeHandler);
  }

  @Override
  public void close() {
    if (executor instanceof OwnedExecutor owned) {
      owned.close();
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public <C extends Command> CommandBus register(Class<C> commandType, CommandHandler<? super C> handler) {
    Objects.requireNonNull(commandType, "commandType must not be null");
    Objects.requireNonNull(handler, "handler must not be null");
    if (!handlers.register(commandType, (CommandHandler<Command>) handler)) {
      throw new DuplicateHandlerException("command", commandType);
    }
    return this;
  }

  @Override
  public CommandResult send(Command command) {
    Objects.requireNonNull(command, "command must not be null");
    return send(command, Metadata.create(clock));
  }

  @Override
  public CommandResult send(Command command, Metadata metadata) {
    Message<Command> message = new Message<>(
        Objects.requireNonNull(command, "command must not be null"), metadata);
    return handling.proceed(Dispatch.beforeDispatch(dispatchInterceptors, message));
  }

  @Override
  public CompletableFuture<CommandResult> sendAsync(Command command) {
    Objects.requireNonNull(command, "command must not be null");
    return sendAsync(command, Metadata.create(clock));
  }

  @Override
  public CompletableFuture<CommandResult> sendAsync(Command command, Metadata metadata) {
    Objects.requireNonNull(command, "command must not be null");
    Message<Command> dispatched;
    try {
      dispatched = Dispatch.beforeDispatch(dispatchInterceptors, new Message<>(command, metadata));
    } catch (RuntimeException rejected) {
      return CompletableFuture.failedFuture(rejected);
    }
    return Dispatch.runAsync(executor, () -> handling.proceed(dispatched));
  }

  private CommandResult invokeHandler(Message<Command> message) {
    Command command = message.payload();
    CommandHandler<Command> handler = handlers.find(command.getClass())
        .orElseThrow(() -> new NoHandlerException("command", command.getClass()));
    Context context = new Context(message.metadata());
    handler.handle(command, context);
    return new CommandResult(message.metadata(), context.appends == null ? List.of() : context.appends);
  }

  /** One handling's context; confined to the handling thread. */
  private final class Context implements CommandContext {

    private final Metadata metadata;
    private List<AppendResult> appends;
    /** How many appends to each stream were included so far; part of the derived event ids. */
    private Map<String, Integer> appendsPerStream;

    Context(Metadata metadata) {
      this.metadata = metadata;
    }

    @Override
    public Metadata metadata() {
      return metadata;
    }

    @Override
    public EventStore eventStore() {
      if (eventStore == null) {
        throw new IllegalStateException("this command bus has no event store; build it with"
            + " CommandBus.builder().eventStore(store)");
      }
      return eventStore;
    }

    @Override
    public NewEvent newEvent(Event event) {
      return NewEvent.of(event, Metadata.causedBy(metadata, clock));
    }

    private int ordinal(String streamId) {
      return appendsPerStream == null ? 0 : appendsPerStream.getOrDefault(streamId, 0);
    }

    private UUID eventId(String streamId, int ordinal, int index) {
      return Ids.derived(metadata.messageId(), streamId + '\n' + ordinal + '\n' + index);
    }

    @Override
    public Optional<AppendResult> earlierAppend(String streamId) {
      Objects.requireNonNull(streamId, "streamId must not be null");
      if (eventStore == null) {
        return Optional.empty();
      }
      int ordinal = ordinal(streamId);
      Optional<RecordedEvent> first = eventStore.readEvent(eventId(streamId, ordinal, 0));
      if (first.isEmpty() || !first.get().streamId().equals(streamId)) {
        return Optional.empty();
      }
      List<RecordedEvent> earlier = new ArrayList<>();
      for (RecordedEvent event : eventStore.readStream(streamId, first.get().version())) {
        if (!event.eventId().equals(eventId(streamId, ordinal, earlier.size()))) {
          break;
        }
        earlier.add(event);
      }
      return Optional.of(new AppendResult(streamId, earlier, true));
    }

    @Override
    public List<NewEvent> newEvents(String streamId, List<? extends Event> events) {
      Objects.requireNonNull(streamId, "streamId must not be null");
      Objects.requireNonNull(events, "events must not be null");
      int ordinal = ordinal(streamId);
      List<NewEvent> stamped = new ArrayList<>(events.size());
      for (int i = 0; i < events.size(); i++) {
        Event event = events.get(i);
        if (event == null) {
          throw new NullPointerException("event " + i + " of the append to stream '" + streamId + "' is null");
        }
        UUID id = eventId(streamId, ordinal, i);
        stamped.add(NewEvent.of(event, new Metadata(id, clock.instant(), metadata.correlationId(),
            metadata.messageId(), metadata.headers())));
      }
      return stamped;
    }

    @Override
    public AppendResult append(String streamId, ExpectedVersion expectedVersion, List<? extends Event> events) {
      EventStore store = eventStore();
      AppendResult result = store.append(streamId, expectedVersion, newEvents(streamId, events));
      include(result);
      return result;
    }

    @Override
    public void include(AppendResult append) {
      Objects.requireNonNull(append, "append must not be null");
      if (appends == null) {
        appends = new ArrayList<>(1);
        appendsPerStream = new HashMap<>(2);
      }
      appends.add(append);
      appendsPerStream.merge(append.streamId(), 1, Integer::sum);
    }
  }
}
