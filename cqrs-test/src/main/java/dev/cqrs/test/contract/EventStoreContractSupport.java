package dev.cqrs.test.contract;

import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.NewEvent;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.test.contract.ContractEvents.Happened;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every contract suite shares: a fresh store per test from {@link #newStore(EventTypes)}, unique stream ids, and
 * helpers. Each test method runs on its own instance, so instances need not be thread-safe.
 */
public abstract class EventStoreContractSupport {

  /** The store under test, new for each test. */
  protected EventStore store;

  /** The head position when the test started; the test's own events come after it. */
  protected Position startHead;

  /** Creates the suite. */
  protected EventStoreContractSupport() {
  }

  /**
   * Supplies the store under test. It may share data with earlier tests (a database), but must accept the given types.
   *
   * @param types the registry to create the store with
   * @return the store
   */
  protected abstract EventStore newStore(EventTypes types);

  /** Creates the store for one test. */
  @BeforeEach
  void createStore() {
    store = newStore(ContractEvents.TYPES);
    startHead = store.head();
  }

  /**
   * Closes the store after each test, releasing what it holds (a listening connection, for example).
   */
  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  /**
   * Returns a stream id no other test uses.
   *
   * @param prefix a readable prefix
   * @return a unique stream id
   */
  protected static String uniqueStream(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  /**
   * Returns {@code count} new events numbered from {@code firstNumber}.
   *
   * @param source the source to put in every event
   * @param firstNumber the number of the first event
   * @param count how many
   * @return the new events, each with a random id and fresh metadata
   */
  protected static List<NewEvent> happened(String source, long firstNumber, int count) {
    List<NewEvent> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      events.add(NewEvent.of(new Happened(source, firstNumber + i)));
    }
    return events;
  }

  /**
   * Reads every event after the test's start head, page by page.
   *
   * @return the events in global order
   */
  protected List<RecordedEvent> readAllSinceStart() {
    List<RecordedEvent> all = new ArrayList<>();
    Position after = startHead;
    while (true) {
      List<RecordedEvent> page = store.readAll(after, 1000);
      if (page.isEmpty()) {
        return all;
      }
      all.addAll(page);
      after = page.get(page.size() - 1).position();
    }
  }

  /**
   * Returns the event ids of recorded events, in order.
   *
   * @param events the events
   * @return their ids
   */
  protected static List<UUID> ids(List<RecordedEvent> events) {
    List<UUID> ids = new ArrayList<>(events.size());
    for (RecordedEvent event : events) {
      ids.add(event.eventId());
    }
    return ids;
  }

  /**
   * Returns the ids of new events, in order.
   *
   * @param events the events
   * @return their ids
   */
  protected static List<UUID> newIds(List<NewEvent> events) {
    List<UUID> ids = new ArrayList<>(events.size());
    for (NewEvent event : events) {
      ids.add(event.eventId());
    }
    return ids;
  }

  /**
   * Waits until a condition holds, polling, and fails when the deadline passes.
   *
   * @param what what is awaited, for the failure message
   * @param timeout the deadline
   * @param condition the condition
   */
  protected static void awaitCondition(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
