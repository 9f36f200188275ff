package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Position;
import dev.cqrs.test.contract.ContractEvents;
import dev.cqrs.test.postgres.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The test kit's PostgreSQL extension, used as an application's tests would: a fresh database per extension, on the
 * embedded server (no {@code CQRS_TEST_POSTGRES_URL} here) or on a server named by URL.
 */
class PostgresExtensionTest {

  @RegisterExtension
  static final PostgresExtension POSTGRES = PostgresExtension.create();

  /** A second one on a named server (the build's own test server), used through dataSource() without registering. */
  static final PostgresExtension NAMED = PostgresExtension.fromUrl(TestDatabases.postgresConnection()[0],
      TestDatabases.postgresConnection()[1], TestDatabases.postgresConnection()[2]);

  @Test
  void a_test_gets_a_fresh_database_that_holds_a_working_store(DataSource dataSource) throws Exception {
    assertThat(dataSource).isSameAs(POSTGRES.dataSource());
    assertThat(POSTGRES.jdbcUrl()).matches("jdbc:postgresql://[^/]+/cqrs_test_[0-9a-f]{12}.*");
    assertThat(databaseName(dataSource)).startsWith("cqrs_test_");
    assertThat(tables(dataSource)).as("nothing in it yet").isZero();

    JdbcConfig config = JdbcConfig.builder(dataSource).build();
    JdbcSchema.migrate(config);
    try (JdbcEventStore store = JdbcEventStore.create(config, TestDatabases.codec(ContractEvents.TYPES))) {
      store.append("s-1", ExpectedVersion.noStream(), new ContractEvents.Happened("a", 1));
      assertThat(store.readAll(Position.START, 10)).hasSize(1);
    }
    assertThat(tables(NAMED.dataSource())).as("the other extension's database is separate").isZero();
  }

  @Test
  void a_named_server_gets_its_own_database_too() throws Exception {
    assertThat(databaseName(NAMED.dataSource())).startsWith("cqrs_test_")
        .isNotEqualTo(databaseName(POSTGRES.dataSource()));
    assertThat(NAMED.user()).isEqualTo(TestDatabases.postgresConnection()[1]);
  }

  @Test
  void a_url_that_is_not_postgresql_is_refused_saying_what_is_expected() {
    assertThatThrownBy(() -> PostgresExtension.fromUrl("jdbc:h2:mem:x", "sa", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbc:postgresql://host:port/database").hasMessageContaining("jdbc:h2:mem:x");
  }

  private static String databaseName(DataSource dataSource) throws Exception {
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
         ResultSet row = statement.executeQuery("SELECT current_database()")) {
      row.next();
      return row.getString(1);
    }
  }

  private static int tables(DataSource dataSource) throws Exception {
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
         ResultSet row = statement.executeQuery("SELECT count(*) FROM information_schema.tables"
             + " WHERE table_schema = 'public'")) {
      row.next();
      return row.getInt(1);
    }
  }
}
