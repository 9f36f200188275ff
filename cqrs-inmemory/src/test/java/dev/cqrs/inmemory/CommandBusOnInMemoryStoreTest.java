package dev.cqrs.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.CommandResult;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Metadata;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The command bus and a real store together: metadata propagation, results, and concurrent senders. */
class CommandBusOnInMemoryStoreTest {

  record Deposit(String account, long amount) implements Command {
  }

  record Transfer(String from, String to, long amount) implements Command {
  }

  record Deposited(String account, long amount) implements Event {
  }

  record Withdrawn(String account, long amount) implements Event {
  }

  private final EventTypes types = EventTypes.builder()
      .register(Deposited.class, "Deposited", 1)
      .register(Withdrawn.class, "Withdrawn", 1)
      .build();
  private final InMemoryEventStore store = InMemoryEventStore.create(types);
  private final CommandBus bus = CommandBus.builder().eventStore(store).build()
      .register(Deposit.class, (command, context) -> context.append(command.account(), ExpectedVersion.any(),
          List.of(new Deposited(command.account(), command.amount()))))
      .register(Transfer.class, (command, context) -> {
        context.append(command.from(), ExpectedVersion.streamExists(),
            List.of(new Withdrawn(command.from(), command.amount())));
        context.append(command.to(), ExpectedVersion.any(), List.of(new Deposited(command.to(), command.amount())));
      });

  @Test
  void events_carry_the_command_as_cause_and_its_correlation() {
    Metadata command = Metadata.create().withHeader("user", "alice");

    CommandResult result = bus.send(new Deposit("acc-1", 10), command);

    RecordedEvent event = store.readStream("acc-1").get(0);
    assertThat(event.metadata().causationId()).isEqualTo(command.messageId());
    assertThat(event.metadata().correlationId()).isEqualTo(command.correlationId());
    assertThat(event.metadata().messageId()).isNotEqualTo(command.messageId());
    assertThat(event.metadata().header("user")).contains("alice");
    assertThat(result.events()).containsExactly(event);
  }

  @Test
  void a_command_caused_by_an_event_continues_the_chain() {
    CommandResult first = bus.send(new Deposit("acc-2", 5));
    RecordedEvent deposited = first.events().get(0);

    // a process manager reacting to the event sends the next command as caused by it
    bus.send(new Transfer("acc-2", "acc-3", 5), Metadata.causedBy(deposited.metadata()));

    RecordedEvent received = store.readStream("acc-3").get(0);
    assertThat(received.metadata().correlationId()).isEqualTo(first.metadata().messageId());
    RecordedEvent withdrawn = store.readStream("acc-2").get(1);
    assertThat(withdrawn.metadata().correlationId()).isEqualTo(first.metadata().messageId());
  }

  @Test
  void the_result_holds_every_append_in_order_and_the_last_position() {
    bus.send(new Deposit("acc-4", 20));
    CommandResult result = bus.send(new Transfer("acc-4", "acc-5", 7));

    assertThat(result.appends()).hasSize(2);
    assertThat(result.events()).extracting(RecordedEvent::streamId).containsExactly("acc-4", "acc-5");
    assertThat(result.lastPosition()).contains(store.head());
  }

  @Test
  void a_conflict_inside_a_handler_reaches_the_sender_unchanged_and_stores_nothing() {
    assertThatThrownBy(() -> bus.send(new Transfer("nobody", "acc-6", 1)))
        .isInstanceOf(ConcurrencyConflictException.class)
        .hasMessageContaining("'nobody'");
    assertThat(store.readStream("acc-6")).isEmpty();
    assertThat(store.head()).isEqualTo(Position.START);
  }

  @Test
  void many_threads_sending_commands_at_once_each_get_their_own_result() throws Exception {
    int threads = 8;
    int perThread = 500;
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    CommandBus asyncBus = CommandBus.builder().eventStore(store).executor(executor).build()
        .register(Deposit.class, (command, context) -> context.append(command.account(), ExpectedVersion.any(),
            List.of(new Deposited(command.account(), command.amount()))));
    try {
      List<CompletableFuture<CommandResult>> futures = new ArrayList<>();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      for (int t = 0; t < threads; t++) {
        for (int i = 0; i < perThread; i++) {
          futures.add(asyncBus.sendAsync(new Deposit("shared-" + (i % 4), t * 10_000L + i)));
        }
      }
      Map<Long, RecordedEvent> byAmount = new ConcurrentHashMap<>();
      for (CompletableFuture<CommandResult> future : futures) {
        CommandResult result = future.get(30, TimeUnit.SECONDS);
        RecordedEvent event = result.events().get(0);
        assertThat(event.metadata().causationId()).isEqualTo(result.metadata().messageId());
        if (byAmount.put(((Deposited) event.payload()).amount(), event) != null) {
          failures.add(new AssertionError("two results for one amount"));
        }
      }
      assertThat(failures).isEmpty();
      assertThat(byAmount).hasSize(threads * perThread);
      List<RecordedEvent> all = store.readAll(Position.START, 100_000);
      assertThat(all).hasSize(threads * perThread);
      for (RecordedEvent event : all) {
        assertThat(byAmount.get(((Deposited) event.payload()).amount())).isEqualTo(event);
      }
      for (int s = 0; s < 4; s++) {
        List<RecordedEvent> stream = store.readStream("shared-" + s);
        for (int v = 0; v < stream.size(); v++) {
          assertThat(stream.get(v).version()).isEqualTo(v + 1L);
        }
      }
    } finally {
      executor.shutdownNow();
    }
  }
}
