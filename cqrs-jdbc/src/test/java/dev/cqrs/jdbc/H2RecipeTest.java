package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cqrs.core.CqrsException;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Position;
import dev.cqrs.test.contract.ContractEvents;
import java.nio.file.Path;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's H2 recipe: an in-memory database for tests needs {@code DB_CLOSE_DELAY=-1} (refused without it, with
 * the fix in the message, instead of a missing table later); a file database needs {@code WRITE_DELAY=0} and works
 * pooled.
 */
class H2RecipeTest {

  private static JdbcDataSource h2(String url) {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL(url);
    return dataSource;
  }

  @Test
  void an_in_memory_database_for_tests_works_when_it_outlives_its_connections() {
    JdbcConfig config = JdbcConfig.builder(h2("jdbc:h2:mem:recipe;DB_CLOSE_DELAY=-1")).build();
    JdbcSchema.migrate(config);
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(ContractEvents.TYPES))) {
      store.append("s", ExpectedVersion.noStream(), new ContractEvents.Happened("a", 1));
      assertThat(store.readAll(Position.START, 10)).hasSize(1);
    }
  }

  @Test
  void an_in_memory_database_that_would_vanish_between_connections_is_refused_saying_what_to_add() {
    assertThatThrownBy(() -> JdbcConfig.builder(h2("jdbc:h2:mem:vanishing")).build())
        .isInstanceOf(CqrsException.class)
        .hasMessageContaining("dropped when its last connection closes")
        .hasMessageContaining("jdbc:h2:mem:vanishing;DB_CLOSE_DELAY=-1");
    assertThatThrownBy(() -> JdbcConfig.builder(h2("jdbc:h2:mem:")).build())
        .isInstanceOf(CqrsException.class).hasMessageContaining("has no name");
  }

  @Test
  void a_file_database_runs_pooled_with_durable_commits(@TempDir Path dir) {
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl("jdbc:h2:file:" + dir.resolve("app") + ";WRITE_DELAY=0");
    pool.setMaximumPoolSize(4);
    try (HikariDataSource dataSource = new HikariDataSource(pool)) {
      JdbcConfig config = JdbcConfig.builder(dataSource).build();
      JdbcSchema.migrate(config);
      try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(ContractEvents.TYPES))) {
        store.append("s", ExpectedVersion.noStream(), new ContractEvents.Happened("a", 1));
        assertThat(store.readStream("s")).hasSize(1);
      }
    }
    assertThatThrownBy(() -> JdbcConfig.builder(h2("jdbc:h2:file:" + dir.resolve("lazy"))).build())
        .isInstanceOf(CqrsException.class).hasMessageContaining("WRITE_DELAY=0");
  }
}
