package dev.cqrs.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Position;
import dev.cqrs.core.Projection;
import dev.cqrs.core.Query;
import dev.cqrs.core.QueryHandler;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.core.serialization.EventCodec;
import dev.cqrs.core.serialization.UpcasterChain;
import dev.cqrs.inmemory.InMemoryCheckpointStore;
import dev.cqrs.jackson.JacksonSerializer;
import dev.cqrs.jdbc.JdbcConfig;
import dev.cqrs.jdbc.JdbcEventStore;
import dev.cqrs.jdbc.JdbcSchema;
import dev.cqrs.test.postgres.PostgresExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.h2.jdbcx.JdbcDataSource;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cache on H2 and on PostgreSQL, with the writes coming from another instance (another store on the same
 * database): a client that passes the position of its write gets an answer that includes it, every time, also with
 * four writer threads and two reader threads at once, and cached answers are still served for keys nobody wrote.
 */
class QueryCacheOnDatabasesTest {

  @RegisterExtension
  static final PostgresExtension POSTGRES = PostgresExtension.create();

  static Stream<Supplier<JdbcConfig>> databases() {
    return Stream.of(() -> {
      JdbcDataSource h2 = new JdbcDataSource();
      h2.setURL("jdbc:h2:mem:cache-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
      return JdbcConfig.builder(h2).build();
    }, () -> JdbcConfig.builder(POSTGRES.dataSource()).build());
  }

  public record Counted(String key) implements Event {}

  record Count(String key, Optional<Position> after) implements Query<Integer> {}

  @ParameterizedTest
  @MethodSource("databases")
  void writes_through_another_instance_invalidate_the_answers_they_change(Supplier<JdbcConfig> database) {
    JdbcConfig config = database.get();
    JdbcSchema.migrate(config);
    EventCodec codec = EventCodec.of(EventTypes.builder().register(Counted.class, "Counted", 1).build(),
        JacksonSerializer.create(), UpcasterChain.empty());
    Map<String, Integer> counts = new ConcurrentHashMap<>();
    try (JdbcEventStore writer = JdbcEventStore.create(config, codec);
         JdbcEventStore reader = JdbcEventStore.create(config, codec)) {
      TrackingProcessor readModel = TrackingProcessor.builder("counts", reader, Projection.builder()
              .on(Counted.class, counted -> counts.merge(counted.key(), 1, Integer::sum)).build(),
          InMemoryCheckpointStore.create()).pollInterval(Duration.ofMillis(10)).build();
      readModel.start();
      QueryCache cache = QueryCache.builder(reader).build();
      try {
        QueryHandler<Count, Integer> cached = cache.cached(CachedQuery.of(Count.class,
                (Count query) -> counts.getOrDefault(query.key(), 0), readModel)
            .key(Count::key).invalidatedBy(Counted.class, Counted::key).after(Count::after).answerKey(Count::key));
        Position other = writer.append("counter-other", ExpectedVersion.any(), new Counted("other")).lastPosition();
        assertThat(cached.handle(new Count("other", Optional.of(other)))).isEqualTo(1);
        for (int i = 1; i <= 50; i++) {
          Position written = writer.append("counter-a", ExpectedVersion.any(), new Counted("a")).lastPosition();
          assertThat(cached.handle(new Count("a", Optional.of(written)))).as("write %d", i).isEqualTo(i);
          assertThat(cached.handle(new Count("a", Optional.empty()))).isEqualTo(i);
          assertThat(cached.handle(new Count("other", Optional.of(written)))).isEqualTo(1);
        }
        QueryCache.Stats stats = cache.stats().get(Count.class);
        assertThat(stats.hits()).as("'other' and the repeated asks were served from the cache").isGreaterThan(50);
      } finally {
        cache.close();
        readModel.stop();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void under_concurrent_writers_on_another_instance_no_answer_misses_a_write_the_caller_asked_for(
      Supplier<JdbcConfig> database) throws Exception {
    JdbcConfig config = database.get();
    JdbcSchema.migrate(config);
    EventCodec codec = EventCodec.of(EventTypes.builder().register(Counted.class, "Counted", 1).build(),
        JacksonSerializer.create(), UpcasterChain.empty());
    Map<String, Integer> counts = new ConcurrentHashMap<>();
    String run = UUID.randomUUID().toString().substring(0, 8);
    try (JdbcEventStore writerStore = JdbcEventStore.create(config, codec);
         JdbcEventStore reader = JdbcEventStore.create(config, codec)) {
      Position start = reader.head();
      InMemoryCheckpointStore checkpoints = InMemoryCheckpointStore.create();
      checkpoints.save("concurrent-counts", start);
      TrackingProcessor readModel = TrackingProcessor.builder("concurrent-counts", reader, Projection.builder()
              .on(Counted.class, counted -> counts.merge(counted.key(), 1, Integer::sum)).build(),
          checkpoints).pollInterval(Duration.ofMillis(10)).build();
      readModel.start();
      QueryCache cache = QueryCache.builder(reader).build();
      try {
        QueryHandler<Count, Integer> cached = cache.cached(CachedQuery.of(Count.class,
                (Count query) -> counts.getOrDefault(query.key(), 0), readModel)
            .key(Count::key).invalidatedBy(Counted.class, Counted::key).after(Count::after).answerKey(Count::key));
        int writers = 4;
        int keysPerWriter = 3;
        int writesPerWriter = 150;
        AtomicBoolean done = new AtomicBoolean();
        List<String> failures = new CopyOnWriteArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          int writer = w;
          threads.add(new Thread(() -> {
            int[] mine = new int[keysPerWriter];
            try {
              go.await();
              for (int i = 0; i < writesPerWriter; i++) {
                int k = i % keysPerWriter;
                String key = run + "-" + writer + "-" + k;
                Position written = writerStore.append("counter-" + key, ExpectedVersion.any(), new Counted(key))
                    .lastPosition();
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
              cached.handle(new Count(run + "-" + (i % writers) + "-" + (i % keysPerWriter), Optional.empty()));
              i++;
            }
          }));
        }
        threads.forEach(Thread::start);
        go.countDown();
        for (int t = 0; t < writers; t++) {
          threads.get(t).join();
        }
        done.set(true);
        for (Thread thread : threads) {
          thread.join();
        }
        assertThat(failures).isEmpty();
        assertThat(reader.countAfter(start)).isEqualTo((long) writers * writesPerWriter);
        for (int w = 0; w < writers; w++) {
          for (int k = 0; k < keysPerWriter; k++) {
            String key = run + "-" + w + "-" + k;
            assertThat(cached.handle(new Count(key, Optional.empty()))).as("final answer for %s", key)
                .isEqualTo(writesPerWriter / keysPerWriter);
          }
        }
        QueryCache.Stats stats = cache.stats().get(Count.class);
        assertThat(stats.hits()).as("the readers were served from the cache").isPositive();
      } finally {
        cache.close();
        readModel.stop();
      }
    }
  }
}
