package dev.cqrs.core;

import dev.cqrs.core.internal.SimpleCommandBus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Dispatches each command to the one handler registered for its class.
 *
 * <pre>{@code
 * CommandBus commands = CommandBus.builder().eventStore(store).build();
 * commands.register(PlaceOrder.class, (command, context) -> context.append(
 *     "order-" + command.orderId(), ExpectedVersion.noStream(), List.of(new OrderPlaced(command.orderId()))));
 * CommandResult result = commands.send(new PlaceOrder("42"));
 * }</pre>
 *
 * <p>Sending a command with no handler raises {@link NoHandlerException}; registering a second handler for a class
 * raises {@link DuplicateHandlerException}. Exceptions from handlers reach the sender unchanged ({@link #send}) or as
 * the future's cause ({@link #sendAsync}). A command goes to the handler of its class or, when that has none, of its
 * most specific registered supertype (a sealed interface of commands), found once per class; two equally specific
 * matches are an error that names both.
 *
 * <p>Implementations are thread-safe: commands may be sent and handlers registered from any thread.
 */
public interface CommandBus extends AutoCloseable {

  /**
   * Stops the executor the bus made for asynchronous sends, if it made one, letting queued work finish; later
   * asynchronous sends complete exceptionally. Synchronous sends, which run on the caller's thread, keep working. An
   * executor given to the builder is not touched.
   */
  @Override
  void close();

  /**
   * Registers the handler for a command class, and for its subclasses that have no handler of a more specific type.
   *
   * @param commandType the command's class
   * @param handler its handler
   * @param <C> the command type
   * @return this bus, for chaining
   * @throws DuplicateHandlerException if the class has a handler already
   */
  <C extends Command> CommandBus register(Class<C> commandType, CommandHandler<? super C> handler);

  /**
   * Sends a command that starts a new chain, and waits for it to be handled on this thread.
   *
   * @param command the command
   * @return what the handler stored
   * @throws NoHandlerException if no handler is registered for the command's class
   * @throws NullPointerException if the command is null
   */
  CommandResult send(Command command);

  /**
   * Sends a command with the given metadata, for example {@link Metadata#causedBy(Metadata)} of an event that a
   * process manager reacts to, and waits for it to be handled on this thread.
   *
   * @param command the command
   * @param metadata its metadata
   * @return what the handler stored
   * @throws NoHandlerException if no handler is registered for the command's class
   */
  CommandResult send(Command command, Metadata metadata);

  /**
   * Sends a command that starts a new chain, to be handled on the bus's executor. Dispatch interceptors run on this
   * thread first. Every failure, including a missing handler, completes the future exceptionally with the original
   * exception as its cause.
   *
   * @param command the command
   * @return a future of what the handler stored
   * @throws NullPointerException if the command is null
   */
  CompletableFuture<CommandResult> sendAsync(Command command);

  /**
   * Like {@link #sendAsync(Command)}, with the given metadata.
   *
   * @param command the command
   * @param metadata its metadata
   * @return a future of what the handler stored
   */
  CompletableFuture<CommandResult> sendAsync(Command command, Metadata metadata);

  /**
   * Starts configuring a command bus.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Configures a {@link CommandBus}; each setting is checked when it is made. Not thread-safe; the bus it builds is.
   */
  final class Builder {

    private EventStore eventStore;
    private Executor executor;
    private Clock clock = Clock.systemUTC();
    private final List<DispatchInterceptor<Command>> dispatchInterceptors = new ArrayList<>();
    private final List<HandlerInterceptor<Command, CommandResult>> handlerInterceptors = new ArrayList<>();

    private Builder() {
    }

    /**
     * Sets the store that {@link CommandContext#append} writes to. Without it, handlers can still run but cannot
     * append through their context.
     *
     * @param eventStore the event store
     * @return this builder
     */
    public Builder eventStore(EventStore eventStore) {
      this.eventStore = Objects.requireNonNull(eventStore, "eventStore must not be null");
      return this;
    }

    /**
     * Sets the executor that {@link CommandBus#sendAsync} hands commands to; by default the bus makes a pool of daemon
     * threads of its own on first use (sized for handlers that block on a database), which {@link #close()} stops. An
     * executor given here is the caller's to shut down.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor must not be null");
      return this;
    }

    /**
     * Sets the clock that timestamps new metadata; the default is the system clock in UTC.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /**
     * Adds a dispatch interceptor; they run in the order added.
     *
     * @param interceptor the interceptor
     * @return this builder
     */
    public Builder dispatchInterceptor(DispatchInterceptor<Command> interceptor) {
      dispatchInterceptors.add(Objects.requireNonNull(interceptor, "interceptor must not be null"));
      return this;
    }

    /**
     * Adds a handler interceptor; the first added is the outermost.
     *
     * @param interceptor the interceptor
     * @return this builder
     */
    public Builder handlerInterceptor(HandlerInterceptor<Command, CommandResult> interceptor) {
      handlerInterceptors.add(Objects.requireNonNull(interceptor, "interceptor must not be null"));
      return this;
    }

    /**
     * Builds the bus.
     *
     * @return a new, thread-safe command bus without handlers
     */
    public CommandBus build() {
      return new SimpleCommandBus(eventStore, executor, clock, dispatchInterceptors, handlerInterceptors);
    }
  }
}
