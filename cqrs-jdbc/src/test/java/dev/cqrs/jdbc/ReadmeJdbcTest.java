package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.serialization.EventCodec;
import dev.cqrs.core.serialization.Upcaster;
import dev.cqrs.core.serialization.UpcasterChain;
import dev.cqrs.jackson.JacksonSerializer;
import java.util.List;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** The README's JDBC set-up, kept compiling and passing here on H2. */
class ReadmeJdbcTest {

  record OrderPlaced(String orderId) implements Event {
  }

  @Test
  void readme_set_up_works() {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:readme-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    EventTypes types = EventTypes.builder().register(OrderPlaced.class, "OrderPlaced", 1).build();
    List<Upcaster> upcasters = List.of();

    JdbcConfig config = JdbcConfig.builder(dataSource)   // PostgreSQL 15+ or H2 2.x
        .schema("public").tablePrefix("cqrs_")           // checked as plain SQL identifiers, reserved words refused
        .build();
    JdbcSchema.migrate(config);                           // idempotent; or run the shipped migration file yourself

    EventCodec codec = EventCodec.of(types, JacksonSerializer.create(), UpcasterChain.of(upcasters));
    JdbcEventStore store = JdbcEventStore.create(config, codec);
    JdbcCheckpointStore checkpoints = JdbcCheckpointStore.create(config);
    JdbcSnapshotStore snapshots = JdbcSnapshotStore.create(config, JacksonSerializer.create());
    JdbcDeadLetterStore deadLetters = JdbcDeadLetterStore.create(config, codec);

    JdbcSchema.migrate(config);
    store.append("order-1", ExpectedVersion.noStream(), new OrderPlaced("1"));
    assertThat(store.readStream("order-1")).hasSize(1);
    assertThat(checkpoints.load("none")).isEmpty();
    assertThat(snapshots.load("order-1", String.class)).isEmpty();
    assertThat(deadLetters.list("none")).isEmpty();
    assertThat(config.schema()).isEqualTo("public");
  }
}
