package dev.cqrs.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.AggregateRoot;
import dev.cqrs.core.Command;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.CommandHandler;
import dev.cqrs.core.CommandRejectedException;
import dev.cqrs.core.CommandResult;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventSourcedHandler;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.Metadata;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.StateChange;
import dev.cqrs.core.StateStoredHandler;
import dev.cqrs.core.StoredState;
import dev.cqrs.core.UnknownEventTypeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The aggregate style and the state-stored write model, each on the real in-memory store. */
class AggregateAndStateStoredTest {

  interface AccountCommand extends Command {
    String account();
  }

  record Deposit(String account, long amount) implements AccountCommand {
  }

  record Withdraw(String account, long amount) implements AccountCommand {
  }

  interface AccountEvent extends Event {
  }

  record Deposited(String account, long amount) implements AccountEvent {
  }

  record Withdrawn(String account, long amount) implements AccountEvent {
  }

  record Unregistered(String x) implements AccountEvent {
  }

  /** The aggregate style: command methods record, apply changes state. */
  static final class Account extends AggregateRoot<AccountEvent> {
    private long balance;
    private final List<String> replayed = new ArrayList<>();

    void deposit(Deposit command) {
      record(new Deposited(command.account(), command.amount()));
    }

    void withdraw(Withdraw command) {
      if (command.amount() > balance) {
        throw new CommandRejectedException("balance " + balance + " of " + command.account() + " is below "
            + command.amount());
      }
      record(new Withdrawn(command.account(), command.amount()));
    }

    @Override
    protected void apply(AccountEvent event) {
      replayed.add(event.getClass().getSimpleName());
      if (event instanceof Deposited deposited) {
        balance += deposited.amount();
      } else if (event instanceof Withdrawn withdrawn) {
        balance -= withdrawn.amount();
      }
    }
  }

  private final EventTypes types = EventTypes.builder()
      .register(Deposited.class, "Deposited", 1)
      .register(Withdrawn.class, "Withdrawn", 1)
      .build();
  private final InMemoryEventStore store = InMemoryEventStore.create(types);

  @Test
  void an_aggregate_replays_its_stream_and_records_new_events() {
    CommandHandler<AccountCommand> handler = EventSourcedHandler.<AccountCommand, Account, AccountEvent>forAggregate(
        Account::new, command -> "account-" + command.account(), (account, command) -> {
          if (command instanceof Deposit deposit) {
            account.deposit(deposit);
          } else {
            account.withdraw((Withdraw) command);
          }
        }).build();
    CommandBus bus = CommandBus.builder().eventStore(store).build()
        .register(Deposit.class, handler).register(Withdraw.class, handler);

    bus.send(new Deposit("a", 100));
    bus.send(new Withdraw("a", 30));
    assertThatThrownBy(() -> bus.send(new Withdraw("a", 71)))
        .isInstanceOf(CommandRejectedException.class)
        .hasMessage("balance 70 of a is below 71");
    bus.send(new Withdraw("a", 70));

    assertThat(store.readStream("account-a")).extracting(RecordedEvent::payload)
        .containsExactly(new Deposited("a", 100), new Withdrawn("a", 30), new Withdrawn("a", 70));
  }

  /** Serializes the Account aggregate as its balance, so that a snapshot is a copy, as a database would keep it. */
  static final class AccountSerializer implements dev.cqrs.core.serialization.StateSerializer {
    @Override
    public byte[] serializeState(Object state) {
      return Long.toString(((Account) state).balance).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public <S> S deserializeState(byte[] data, Class<S> type) {
      Account account = new Account();
      account.balance = Long.parseLong(new String(data, java.nio.charset.StandardCharsets.UTF_8));
      return type.cast(account);
    }
  }

  private CommandBus accountBus(dev.cqrs.core.SnapshotStore snapshots) {
    CommandHandler<AccountCommand> handler = EventSourcedHandler.<AccountCommand, Account, AccountEvent>forAggregate(
        Account::new, command -> "account-" + command.account(), (account, command) -> {
          if (command instanceof Deposit deposit) {
            account.deposit(deposit);
          } else {
            account.withdraw((Withdraw) command);
          }
        }).snapshots(snapshots, Account.class, 1, dev.cqrs.core.SnapshotPolicy.everyNEvents(1)).build();
    return CommandBus.builder().eventStore(store).build().register(Deposit.class, handler)
        .register(Withdraw.class, handler);
  }

  @Test
  void an_aggregate_with_snapshots_stores_the_state_after_its_events_once() {
    InMemorySnapshotStore snapshots = InMemorySnapshotStore.serializing(new AccountSerializer());
    CommandBus bus = accountBus(snapshots);

    bus.send(new Deposit("snap", 100));
    assertThat(snapshots.load("account-snap", Account.class)).hasValueSatisfying(snapshot -> {
      assertThat(snapshot.version()).isEqualTo(1);
      assertThat(snapshot.state().balance).as("one deposit of 100").isEqualTo(100);
    });
    bus.send(new Withdraw("snap", 30));
    assertThatThrownBy(() -> bus.send(new Withdraw("snap", 71))).isInstanceOf(CommandRejectedException.class)
        .hasMessage("balance 70 of snap is below 71");
    bus.send(new Deposit("snap", 5));
    assertThat(snapshots.load("account-snap", Account.class)).hasValueSatisfying(snapshot -> {
      assertThat(snapshot.version()).isEqualTo(3);
      assertThat(snapshot.state().balance).isEqualTo(75);
    });
  }

  @Test
  void an_aggregate_refuses_a_snapshot_store_that_keeps_the_state_objects() {
    assertThatThrownBy(() -> accountBus(InMemorySnapshotStore.create()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mutable").hasMessageContaining("InMemorySnapshotStore.serializing");
  }

  /** A state-stored stock level: no event sourcing, but events still reach the store with the state. */
  record Stock(long onHand) {
  }

  private CommandHandler<AccountCommand> stockHandler(InMemoryStateStoredRepository<Stock> repository) {
    return StateStoredHandler.<AccountCommand, Stock>builder(repository, AccountCommand::account,
        (Optional<Stock> stock, AccountCommand command) -> {
          long onHand = stock.map(Stock::onHand).orElse(0L);
          if (command instanceof Deposit deposit) {
            return StateChange.of(new Stock(onHand + deposit.amount()), new Deposited(command.account(),
                deposit.amount()));
          }
          Withdraw withdraw = (Withdraw) command;
          if (withdraw.amount() > onHand) {
            throw new CommandRejectedException("only " + onHand + " on hand");
          }
          return StateChange.of(new Stock(onHand - withdraw.amount()), new Withdrawn(command.account(),
              withdraw.amount()));
        }).build();
  }

  @Test
  void a_state_stored_change_saves_the_state_and_appends_its_events_together() {
    InMemoryStateStoredRepository<Stock> repository = InMemoryStateStoredRepository.create(store);
    CommandHandler<AccountCommand> handler = stockHandler(repository);
    CommandBus bus = CommandBus.builder().eventStore(store).build()
        .register(Deposit.class, handler).register(Withdraw.class, handler);
    Metadata command = Metadata.create();

    bus.send(new Deposit("sku-1", 10));
    CommandResult result = bus.send(new Withdraw("sku-1", 4), command);

    assertThat(repository.load("sku-1")).contains(new StoredState<>("sku-1", 2, new Stock(6)));
    assertThat(store.readStream("sku-1")).extracting(RecordedEvent::payload)
        .containsExactly(new Deposited("sku-1", 10), new Withdrawn("sku-1", 4));
    assertThat(result.events()).hasSize(1);
    assertThat(result.events().get(0).metadata().causationId()).isEqualTo(command.messageId());
    assertThat(result.lastPosition()).contains(store.head());
  }

  @Test
  void a_failed_append_leaves_the_state_unchanged() {
    InMemoryStateStoredRepository<Stock> repository = InMemoryStateStoredRepository.create(store);
    repository.save("sku-2", 0, new Stock(5), List.of());
    CommandBus bus = CommandBus.builder().eventStore(store).build().register(Deposit.class,
        StateStoredHandler.<Deposit, Stock>builder(repository, Deposit::account,
            (stock, command) -> StateChange.of(new Stock(99), new Unregistered("x"))).build());

    assertThatThrownBy(() -> bus.send(new Deposit("sku-2", 1))).isInstanceOf(UnknownEventTypeException.class);

    assertThat(repository.load("sku-2")).contains(new StoredState<>("sku-2", 1, new Stock(5)));
    assertThat(store.readStream("sku-2")).isEmpty();
  }

  @Test
  void concurrent_state_stored_commands_are_serialized_by_version_and_retries() throws Exception {
    InMemoryStateStoredRepository<Stock> repository = InMemoryStateStoredRepository.create(store);
    CommandHandler<AccountCommand> handler = stockHandler(repository);
    CommandBus bus = CommandBus.builder().eventStore(store).build()
        .register(Deposit.class, StateStoredHandler.<Deposit, Stock>builder(repository, Deposit::account,
            (stock, command) -> StateChange.of(new Stock(stock.map(Stock::onHand).orElse(0L) + command.amount()),
                new Deposited(command.account(), command.amount()))).maxRetries(100).build())
        .register(Withdraw.class, handler);
    int threads = 8;
    int perThread = 250;
    CountDownLatch start = new CountDownLatch(1);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
          for (int i = 0; i < perThread; i++) {
            bus.send(new Deposit("sku-3", 1));
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      thread.start();
      started.add(thread);
    }
    start.countDown();
    for (Thread thread : started) {
      thread.join();
    }

    assertThat(failures).isEmpty();
    StoredState<Stock> stored = repository.load("sku-3").orElseThrow();
    assertThat(stored.state().onHand()).isEqualTo(threads * perThread);
    assertThat(stored.version()).isEqualTo(threads * perThread);
    List<RecordedEvent> events = store.readStream("sku-3");
    assertThat(events).hasSize(threads * perThread);
    assertThat(events).allSatisfy(e -> assertThat(e.payload()).isEqualTo(new Deposited("sku-3", 1)));
  }

  @Test
  void a_state_stored_rule_rejects_and_stores_nothing() {
    InMemoryStateStoredRepository<Stock> repository = InMemoryStateStoredRepository.create(store);
    CommandBus bus = CommandBus.builder().eventStore(store).build().register(Withdraw.class, stockHandler(repository));

    assertThatThrownBy(() -> bus.send(new Withdraw("sku-4", 1))).isInstanceOf(CommandRejectedException.class)
        .hasMessage("only 0 on hand");
    assertThat(repository.load("sku-4")).isEmpty();
    assertThat(store.readStream("sku-4")).isEmpty();
  }
}
