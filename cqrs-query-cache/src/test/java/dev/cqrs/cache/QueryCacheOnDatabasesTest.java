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
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.h2.jdbcx.JdbcDataSource;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cache on H2 and on PostgreSQL, with the writes coming from another instance (another store on the same
 * database): a client that passes the position of its write gets an answer that includes it, every time, and cached
 * answers are still served for keys nobody wrote.
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
}
