package dev.cqrs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CommandBusTest {

  record Ping(String text) implements Command {
  }

  record Pong(String text) implements Command {
  }

  private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "bus-executor"));

  @AfterEach
  void stopExecutor() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void dispatches_each_command_to_the_handler_of_its_class() {
    List<String> handled = new ArrayList<>();
    CommandBus bus = CommandBus.builder().build()
        .register(Ping.class, (command, context) -> handled.add("ping " + command.text()))
        .register(Pong.class, (command, context) -> handled.add("pong " + command.text()));

    CommandResult result = bus.send(new Ping("a"));
    bus.send(new Pong("b"));

    assertThat(handled).containsExactly("ping a", "pong b");
    assertThat(result.appends()).isEmpty();
    assertThat(result.lastPosition()).isEmpty();
  }

  sealed interface Shape extends Command permits Square, Circle, Dot {
  }

  record Square(int side) implements Shape {
  }

  record Circle(int radius) implements Shape {
  }

  record Dot() implements Shape {
  }

  interface Audited extends Command {
  }

  interface Urgent extends Command {
  }

  record Both(String name) implements Audited, Urgent {
  }

  @Test
  void a_handler_registered_for_a_sealed_interface_handles_its_commands_unless_a_more_specific_one_exists() {
    List<String> handled = new ArrayList<>();
    CommandBus bus = CommandBus.builder().build()
        .register(Shape.class, (command, context) -> handled.add("shape " + command))
        .register(Dot.class, (command, context) -> handled.add("dot"));

    bus.send(new Square(2));
    bus.send(new Circle(3));
    bus.send(new Dot());

    assertThat(handled).containsExactly("shape Square[side=2]", "shape Circle[radius=3]", "dot");
  }

  @Test
  void two_equally_specific_supertype_handlers_are_an_error_naming_both() {
    List<String> handled = new ArrayList<>();
    CommandBus bus = CommandBus.builder().build()
        .register(Audited.class, (command, context) -> handled.add("audited"))
        .register(Urgent.class, (command, context) -> handled.add("urgent"));

    assertThatThrownBy(() -> bus.send(new Both("x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(Audited.class.getName()).hasMessageContaining(Urgent.class.getName())
        .hasMessageContaining("register a handler for " + Both.class.getName());
    bus.register(Both.class, (command, context) -> handled.add("both"));
    bus.send(new Both("x"));
    assertThat(handled).containsExactly("both");
  }

  @Test
  void async_sends_run_on_threads_the_bus_owns_until_it_is_closed() throws Exception {
    AtomicReference<String> thread = new AtomicReference<>();
    CommandBus bus = CommandBus.builder().build()
        .register(Ping.class, (command, context) -> thread.set(Thread.currentThread().getName()));

    bus.sendAsync(new Ping("a")).get(10, TimeUnit.SECONDS);
    assertThat(thread.get()).startsWith("cqrs-command-").doesNotContain("ForkJoinPool");

    bus.close();
    CompletableFuture<CommandResult> refused = bus.sendAsync(new Ping("b"));
    assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(RejectedExecutionException.class).hasMessageContaining("closed");
    bus.send(new Ping("c")); // synchronous sends run on the caller's thread
    assertThat(thread.get()).isEqualTo(Thread.currentThread().getName());
  }

  @Test
  void gives_the_handler_the_metadata_it_was_sent_with() {
    AtomicReference<Metadata> seen = new AtomicReference<>();
    CommandBus bus = CommandBus.builder().build().register(Ping.class, (c, context) -> seen.set(context.metadata()));
    Metadata metadata = Metadata.create().withHeader("user", "alice");

    CommandResult result = bus.send(new Ping("a"), metadata);

    assertThat(seen.get()).isEqualTo(metadata);
    assertThat(result.metadata()).isEqualTo(metadata);
  }

  @Test
  void starts_a_new_chain_for_a_command_sent_without_metadata() {
    AtomicReference<Metadata> seen = new AtomicReference<>();
    CommandBus bus = CommandBus.builder().build().register(Ping.class, (c, context) -> seen.set(context.metadata()));

    bus.send(new Ping("a"));

    assertThat(seen.get().correlationId()).isEqualTo(seen.get().messageId());
    assertThat(seen.get().causationId()).isEqualTo(seen.get().messageId());
  }

  @Test
  void rejects_a_command_without_handler_naming_its_type() {
    CommandBus bus = CommandBus.builder().build();
    assertThatThrownBy(() -> bus.send(new Ping("a")))
        .isInstanceOf(NoHandlerException.class)
        .hasMessageContaining("command type " + Ping.class.getName())
        .satisfies(e -> assertThat(((NoHandlerException) e).messageType()).isEqualTo(Ping.class.getName()));
  }

  @Test
  void rejects_a_second_handler_for_a_type_and_keeps_the_first() {
    List<String> handled = new ArrayList<>();
    CommandBus bus = CommandBus.builder().build().register(Ping.class, (c, context) -> handled.add("first"));

    assertThatThrownBy(() -> bus.register(Ping.class, (c, context) -> handled.add("second")))
        .isInstanceOf(DuplicateHandlerException.class)
        .hasMessageContaining(Ping.class.getName());
    bus.send(new Ping("a"));
    assertThat(handled).containsExactly("first");
  }

  @Test
  void registering_from_many_threads_at_once_lets_exactly_one_handler_win() throws Exception {
    CommandBus bus = CommandBus.builder().build();
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger winners = new AtomicInteger();
    AtomicInteger duplicates = new AtomicInteger();
    List<Thread> started = new ArrayList<>();
    List<Integer> handledBy = Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread thread = new Thread(() -> {
        try {
          start.await();
          bus.register(Ping.class, (c, context) -> handledBy.add(id));
          winners.incrementAndGet();
        } catch (DuplicateHandlerException e) {
          duplicates.incrementAndGet();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      thread.start();
      started.add(thread);
    }
    start.countDown();
    for (Thread thread : started) {
      thread.join();
    }

    assertThat(winners.get()).isEqualTo(1);
    assertThat(duplicates.get()).isEqualTo(threads - 1);
    bus.send(new Ping("a"));
    assertThat(handledBy).hasSize(1);
  }

  @Test
  void rejects_a_null_command_at_once() {
    CommandBus bus = CommandBus.builder().build();
    assertThatThrownBy(() -> bus.send(null)).isInstanceOf(NullPointerException.class).hasMessage(
        "command must not be null");
    assertThatThrownBy(() -> bus.sendAsync(null)).isInstanceOf(NullPointerException.class).hasMessage(
        "command must not be null");
    assertThatThrownBy(() -> bus.send(new Ping("a"), null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("metadata");
  }

  @Test
  void passes_a_handler_exception_to_the_sender_unwrapped() {
    IllegalStateException failure = new IllegalStateException("order is shipped");
    CommandBus bus = CommandBus.builder().build().register(Ping.class, (c, context) -> {
      throw failure;
    });
    assertThatThrownBy(() -> bus.send(new Ping("a"))).isSameAs(failure);
  }

  @Test
  void handles_async_commands_on_the_configured_executor() throws Exception {
    AtomicReference<String> thread = new AtomicReference<>();
    CommandBus bus = CommandBus.builder().executor(executor).build()
        .register(Ping.class, (c, context) -> thread.set(Thread.currentThread().getName()));

    CommandResult result = bus.sendAsync(new Ping("a")).get(10, TimeUnit.SECONDS);

    assertThat(thread.get()).isEqualTo("bus-executor");
    assertThat(result.appends()).isEmpty();
  }

  @Test
  void completes_the_future_with_the_handler_exception_as_its_cause() {
    IllegalStateException failure = new IllegalStateException("boom");
    CommandBus bus = CommandBus.builder().executor(executor).build().register(Ping.class, (c, context) -> {
      throw failure;
    });

    CompletableFuture<CommandResult> future = bus.sendAsync(new Ping("a"));

    assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isSameAs(failure);
    AtomicReference<Throwable> seen = new AtomicReference<>();
    future.whenComplete((r, e) -> seen.set(e)).exceptionally(e -> null).join();
    assertThat(seen.get()).isSameAs(failure);
  }

  @Test
  void fails_the_future_when_no_handler_is_registered() {
    CompletableFuture<CommandResult> future = CommandBus.builder().executor(executor).build().sendAsync(new Ping("a"));
    assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(NoHandlerException.class);
  }

  @Test
  void fails_the_future_when_the_executor_rejects_the_command() {
    CommandBus bus = CommandBus.builder().executor(command -> {
      throw new RejectedExecutionException("queue full");
    }).build().register(Ping.class, (c, context) -> { });

    assertThatThrownBy(() -> bus.sendAsync(new Ping("a")).join())
        .cause().isInstanceOf(RejectedExecutionException.class).hasMessage("queue full");
  }

  @Test
  void runs_dispatch_interceptors_in_order_before_handling() {
    AtomicReference<Metadata> seen = new AtomicReference<>();
    CommandBus bus = CommandBus.builder()
        .dispatchInterceptor(m -> m.withMetadata(m.metadata().withHeader("trail", "a")))
        .dispatchInterceptor(m -> m.withMetadata(
            m.metadata().withHeader("trail", m.metadata().header("trail").orElseThrow() + "b")))
        .build()
        .register(Ping.class, (c, context) -> seen.set(context.metadata()));

    bus.send(new Ping("a"));

    assertThat(seen.get().header("trail")).contains("ab");
  }

  @Test
  void a_validating_dispatch_interceptor_rejects_before_the_handler_runs() {
    AtomicInteger handled = new AtomicInteger();
    DispatchInterceptor<Command> validation = message -> {
      if (message.payload() instanceof Ping ping && ping.text().isBlank()) {
        throw new IllegalArgumentException("Ping.text must not be blank");
      }
      return message;
    };
    CommandBus bus = CommandBus.builder().dispatchInterceptor(validation).executor(executor).build()
        .register(Ping.class, (c, context) -> handled.incrementAndGet());

    assertThatThrownBy(() -> bus.send(new Ping(" "))).hasMessage("Ping.text must not be blank");
    assertThatThrownBy(() -> bus.sendAsync(new Ping(" ")).join()).cause().hasMessage("Ping.text must not be blank");
    bus.send(new Ping("ok"));
    assertThat(handled.get()).isEqualTo(1);
  }

  @Test
  void wraps_handling_in_handler_interceptors_outermost_first() {
    List<String> trace = new ArrayList<>();
    CommandBus bus = CommandBus.builder()
        .handlerInterceptor((m, chain) -> {
          trace.add("outer before");
          CommandResult result = chain.proceed(m);
          trace.add("outer after");
          return result;
        })
        .handlerInterceptor((m, chain) -> {
          trace.add("inner before");
          CommandResult result = chain.proceed(m);
          trace.add("inner after");
          return result;
        })
        .build()
        .register(Ping.class, (c, context) -> trace.add("handler"));

    bus.send(new Ping("a"));

    assertThat(trace).containsExactly("outer before", "inner before", "handler", "inner after", "outer after");
  }

  @Test
  void a_handler_interceptor_may_answer_without_calling_the_handler() {
    AtomicInteger handled = new AtomicInteger();
    CommandBus bus = CommandBus.builder()
        .handlerInterceptor((m, chain) -> new CommandResult(m.metadata(), List.of()))
        .build()
        .register(Ping.class, (c, context) -> handled.incrementAndGet());

    assertThat(bus.send(new Ping("a")).appends()).isEmpty();
    assertThat(handled.get()).isZero();
  }

  @Test
  void a_handler_interceptor_sees_the_handler_exception() {
    AtomicReference<Throwable> seen = new AtomicReference<>();
    IllegalStateException failure = new IllegalStateException("boom");
    CommandBus bus = CommandBus.builder()
        .handlerInterceptor((m, chain) -> {
          try {
            return chain.proceed(m);
          } catch (RuntimeException e) {
            seen.set(e);
            throw e;
          }
        })
        .build()
        .register(Ping.class, (c, context) -> {
          throw failure;
        });

    assertThatThrownBy(() -> bus.send(new Ping("a"))).isSameAs(failure);
    assertThat(seen.get()).isSameAs(failure);
  }

  @Test
  void a_dispatch_interceptor_that_returns_null_is_named() {
    DispatchInterceptor<Command> broken = m -> null;
    CommandBus bus = CommandBus.builder().dispatchInterceptor(broken).build()
        .register(Ping.class, (c, context) -> { });
    assertThatThrownBy(() -> bus.send(new Ping("a")))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("dispatch interceptor")
        .hasMessageContaining("returned null");
  }

  @Test
  void appending_through_the_context_without_an_event_store_says_how_to_configure_one() {
    CommandBus bus = CommandBus.builder().build().register(Ping.class,
        (c, context) -> context.append("s-1", ExpectedVersion.any(), List.of()));
    assertThatThrownBy(() -> bus.send(new Ping("a")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no event store")
        .hasMessageContaining("CommandBus.builder().eventStore(store)");
  }

  @Test
  void builder_rejects_null_settings_naming_them() {
    assertThatThrownBy(() -> CommandBus.builder().executor(null)).hasMessageContaining("executor");
    assertThatThrownBy(() -> CommandBus.builder().eventStore(null)).hasMessageContaining("eventStore");
    assertThatThrownBy(() -> CommandBus.builder().clock(null)).hasMessageContaining("clock");
    assertThatThrownBy(() -> CommandBus.builder().dispatchInterceptor(null)).hasMessageContaining("interceptor");
    assertThatThrownBy(() -> CommandBus.builder().handlerInterceptor(null)).hasMessageContaining("interceptor");
    assertThatThrownBy(() -> CommandBus.builder().build().register(null, (c, context) -> { }))
        .hasMessageContaining("commandType");
    assertThatThrownBy(() -> CommandBus.builder().build().register(Ping.class, null))
        .hasMessageContaining("handler");
  }
}
