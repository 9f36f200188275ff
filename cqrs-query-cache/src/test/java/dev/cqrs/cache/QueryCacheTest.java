package dev.cqrs.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Position;
import dev.cqrs.core.ProcessorNotReadyException;
import dev.cqrs.core.Projection;
import dev.cqrs.core.Query;
import dev.cqrs.core.QueryHandler;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.inmemory.InMemoryCheckpointStore;
import dev.cqrs.inmemory.InMemoryEventStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Cached answers: hits, invalidation by key, read-your-writes, and no stale answer under concurrent writers. */
class QueryCacheTest {

  record Counted(String key) implements Event {}
  record Renamed(String key) implements Event {}
  record Count(String key, Optional<Position> after) implements Query<Integer> {}

  private final InMemoryEventStore store = InMemoryEventStore.create(EventTypes.builder()
      .register(Counted.class, "Counted", 1).register(Renamed.class, "Renamed", 1).build());
  private final Map<String, Integer> counts = new ConcurrentHashMap<>();
  private final AtomicInteger handled = new AtomicInteger();
  private final TrackingProcessor readModel = TrackingProcessor.builder("counts", store, Projection.builder()
      .on(Counted.class, counted -> counts.merge(counted.key(), 1, Integer::sum)).build(),
      InMemoryCheckpointStore.create()).pollInterval(Duration.ofMillis(5)).build();
  private final QueryCache cache = QueryCache.builder(store).build();
  private final QueryHandler<Count, Integer> count = query -> {
    handled.incrementAndGet();
    return counts.getOrDefault(query.key(), 0);
  };

  QueryCacheTest() {
    readModel.start();
  }

  @AfterEach
  void stop() {
    cache.close();
    readModel.stop();
  }

  private QueryHandler<Count, Integer> cached() {
    return cache.cached(CachedQuery.of(Count.class, count, readModel).key(Count::key)
        .invalidatedBy(Counted.class, Counted::key).after(Count::after).answerKey(Count::key));
  }

  private Position add(String key) {
    return store.append("counter-" + key, ExpectedVersion.any(), new Counted(key)).lastPosition();
  }

  @Test
  void answers_are_served_from_the_cache_until_an_event_for_their_key_arrives() {
    QueryHandler<Count, Integer> cached = cached();
    Position one = add("1");
    add("2");
    assertThat(cached.handle(new Count("1", Optional.of(one)))).isEqualTo(1);
    Position twoAfter = add("2");
    assertThat(cached.handle(new Count("2", Optional.of(twoAfter)))).isEqualTo(2);
    int computed = handled.get();
    assertThat(cached.handle(new Count("1", Optional.of(twoAfter)))).as("key 1 did not change").isEqualTo(1);
    assertThat(cached.handle(new Count("2", Optional.empty()))).isEqualTo(2);
    assertThat(handled.get()).as("both answered from the cache").isEqualTo(computed);

    Position again = add("1");
    assertThat(cached.handle(new Count("1", Optional.of(again)))).as("key 1 changed").isEqualTo(2);
    assertThat(handled.get()).isEqualTo(computed + 1);
    assertThat(cache.stats().get(Count.class).hits()).isEqualTo(2);
  }

  @Test
  void an_event_type_without_a_key_invalidates_every_answer_of_the_type() {
    QueryHandler<Count, Integer> cached = cache.cached(CachedQuery.of(Count.class, count, readModel)
        .key(Count::key).invalidatedBy(Counted.class, Counted::key).invalidatedBy(Renamed.class).after(Count::after).answerKey(Count::key));
    Position first = add("1");
    assertThat(cached.handle(new Count("1", Optional.of(first)))).isEqualTo(1);
    int computed = handled.get();
    Position renamed = store.append("names", ExpectedVersion.any(), new Renamed("x")).lastPosition();
    assertThat(cached.handle(new Count("1", Optional.of(renamed)))).isEqualTo(1);
    assertThat(handled.get()).as("computed again after the keyless event").isEqualTo(computed + 1);
  }

  @Test
  void a_position_the_store_does_not_reach_ends_in_not_ready_and_a_definition_without_events_is_refused() {
    QueryCache quick = QueryCache.builder(store).awaitTimeout(Duration.ofMillis(100)).build();
    try {
      QueryHandler<Count, Integer> cached = quick.cached(CachedQuery.of(Count.class, count, readModel)
          .key(Count::key).invalidatedBy(Counted.class, Counted::key).after(Count::after));
      assertThatThrownBy(() -> cached.handle(new Count("1", Optional.of(Position.of(0, 1_000_000)))))
          .isInstanceOf(ProcessorNotReadyException.class);
      assertThatThrownBy(() -> quick.cached(CachedQuery.of(Count.class, count, readModel)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names no event that invalidates it");
    } finally {
      quick.close();
    }
  }

  @Test
  void under_concurrent_writers_and_readers_no_answer_misses_a_write_the_caller_asked_for() throws Exception {
    QueryHandler<Count, Integer> cached = cached();
    int writers = 4;
    int keysPerWriter = 5;
    int writesPerWriter = 500;
    AtomicBoolean done = new AtomicBoolean();
    List<String> failures = new CopyOnWriteArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      threads.add(new Thread(() -> {
        int[] mine = new int[keysPerWriter];
        try {
          start.await();
          for (int i = 0; i < writesPerWriter; i++) {
            int k = i % keysPerWriter;
            String key = writer + "-" + k;
            Position written = add(key);
            mine[k]++;
            int answer = cached.handle(new Count(key, Optional.of(written)));
            if (answer != mine[k]) {
              failures.add(key + ": wrote " + mine[k] + " up to " + written + " but the answer was " + answer);
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
          failures.add(e.toString());
        }
      }));
    }
    for (int r = 0; r < 2; r++) {
      threads.add(new Thread(() -> { // readers without a position keep filling the cache with what is there
        int i = 0;
        while (!done.get()) {
          cached.handle(new Count((i % writers) + "-" + (i % keysPerWriter), Optional.empty()));
          i++;
        }
      }));
    }
    threads.forEach(Thread::start);
    start.countDown();
    for (int t = 0; t < writers; t++) {
      threads.get(t).join();
    }
    done.set(true);
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(failures).isEmpty();
    assertThat(store.countAfter(Position.START)).isEqualTo((long) writers * writesPerWriter);
    QueryCache.Stats stats = cache.stats().get(Count.class);
    assertThat(stats.hits()).as("the readers were served from the cache").isPositive();
    assertThat(stats.hits() + stats.misses()).isGreaterThan((long) writers * writesPerWriter);
  }
}
