package dev.cqrs.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.CqrsException;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Position;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.jdbc.internal.SchemaMigrations;
import dev.cqrs.test.contract.ContractEvents;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The library's own schema is versioned: the shipped V1 file is applied by {@link JdbcSchema#migrate} or by Flyway, a
 * later file upgrades a schema holding events without losing any, and a store refuses a schema older or newer than it
 * supports, saying what to run. Each test works in a schema of its own, on H2 and on PostgreSQL.
 */
class SchemaVersionTest {

  /** The shipped files plus a test-only V3, as the next release would ship them. */
  private static final SchemaMigrations NEXT = new SchemaMigrations(List.of("cqrs-migrations/%s/V1__cqrs.sql",
      "cqrs-migrations/%s/V2__tags.sql", "test-migrations/%s/V3__type_index.sql"));

  static Stream<String> databases() {
    return Stream.of("h2", "postgresql");
  }

  /** Returns a configuration for a schema nobody has used, which does not exist yet. */
  private static JdbcConfig freshSchema(String database) {
    String schema = "v" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    DataSource dataSource;
    if (database.equals("h2")) {
      JdbcDataSource h2 = new JdbcDataSource();
      h2.setURL("jdbc:h2:mem:" + schema + ";DB_CLOSE_DELAY=-1");
      dataSource = h2;
      schema = schema.toUpperCase(java.util.Locale.ROOT);
    } else {
      dataSource = TestDatabases.postgresDataSource();
    }
    return JdbcConfig.builder(dataSource).schema(schema).build();
  }

  private static JdbcEventStore store(JdbcConfig config) {
    return JdbcEventStore.builder(config, TestDatabases.codec(ContractEvents.TYPES)).build();
  }

  private static List<RecordedEvent> appendSome(JdbcEventStore store, int streams) {
    List<RecordedEvent> written = new ArrayList<>();
    for (int s = 0; s < streams; s++) {
      for (int n = 1; n <= 3; n++) {
        written.addAll(store.append("stream-" + s, ExpectedVersion.exactly(2L * (n - 1)),
            new ContractEvents.Happened("s" + s, n), new ContractEvents.Noted("note \u00e9 " + n)).events());
      }
    }
    return written;
  }

  private static boolean tableExists(JdbcConfig config, String table) throws Exception {
    try (Connection connection = config.dataSource().getConnection();
         Statement statement = connection.createStatement()) {
      statement.executeQuery("SELECT 1 FROM " + config.table(table)).close();
      return true;
    } catch (java.sql.SQLException e) {
      return false;
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void a_store_refuses_a_missing_schema_saying_what_to_run_and_migrate_creates_it_once(String database)
      throws Exception {
    JdbcConfig config = freshSchema(database);
    assertThat(JdbcSchema.installedVersion(config)).isEmpty();
    assertThatThrownBy(() -> store(config)).isInstanceOf(CqrsException.class)
        .hasMessageContaining("no cqrs schema in " + config.schema())
        .hasMessageContaining("JdbcSchema.migrate(config)")
        .hasMessageContaining("classpath:cqrs-migrations/" + database);
    assertThat(tableExists(config, "events")).as("the refusal created nothing").isFalse();

    assertThat(JdbcSchema.migrate(config)).as("version before").isZero();
    assertThat(JdbcSchema.installedVersion(config)).hasValue(JdbcSchema.VERSION);
    assertThat(JdbcSchema.migrate(config)).as("a second run finds it current").isEqualTo(JdbcSchema.VERSION);
    try (JdbcEventStore store = store(config)) {
      assertThat(appendSome(store, 2)).hasSize(12);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void instances_migrating_at_the_same_time_create_the_schema_once(String database) throws Exception {
    JdbcConfig config = freshSchema(database);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> runs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        runs.add(pool.submit((Callable<Integer>) () -> JdbcSchema.migrate(config)));
      }
      List<Integer> before = new ArrayList<>();
      for (Future<Integer> run : runs) {
        before.add(run.get());
      }
      assertThat(before).as("exactly one run found no schema").containsOnlyOnce(0)
          .filteredOn(v -> v != 0).containsOnly(JdbcSchema.VERSION);
    } finally {
      pool.shutdownNow();
    }
    assertThat(JdbcSchema.installedVersion(config)).hasValue(JdbcSchema.VERSION);
    try (Connection connection = config.dataSource().getConnection();
         Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + config.table("schema_version"))) {
      rows.next();
      assertThat(rows.getInt(1)).as("one version row").isEqualTo(1);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void a_later_migration_upgrades_a_current_schema_holding_events_and_everything_reads_back(String database)
      throws Exception {
    JdbcConfig config = freshSchema(database);
    JdbcSchema.migrate(config);
    List<RecordedEvent> written;
    Position head;
    try (JdbcEventStore current = store(config)) {
      written = appendSome(current, 5);
      head = current.head();
    }
    JdbcCheckpointStore.create(config).save("report", written.get(9).position());

    assertThatThrownBy(() -> JdbcEventStore.builder(config, TestDatabases.codec(ContractEvents.TYPES))
        .schemaMigrations(NEXT).build())
        .as("a release that needs V3 refuses the V2 schema").isInstanceOf(CqrsException.class)
        .hasMessageContaining("at version 2, but this release needs version 3")
        .hasMessageContaining("run JdbcSchema.migrate(config), which applies V3");

    assertThat(NEXT.migrate(config)).as("version before").isEqualTo(2);
    assertThat(JdbcSchema.installedVersion(config)).hasValue(3);

    assertThatThrownBy(() -> store(config)).as("this release refuses the newer schema")
        .isInstanceOf(CqrsException.class)
        .hasMessageContaining("at version 3, newer than this release supports (2)");
    assertThatThrownBy(() -> JdbcSchema.migrate(config)).as("and never migrates it backwards")
        .isInstanceOf(CqrsException.class).hasMessageContaining("nothing was changed");
    assertThat(JdbcSchema.installedVersion(config)).hasValue(3);

    try (JdbcEventStore v2 = JdbcEventStore.builder(config, TestDatabases.codec(ContractEvents.TYPES))
        .schemaMigrations(NEXT).build()) {
      assertThat(v2.readAll(Position.START, 1000)).as("every event, in order, unchanged")
          .usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(written);
      assertThat(v2.head()).isEqualTo(head);
      assertThat(v2.readStream("stream-3")).hasSize(6).extracting(RecordedEvent::version)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
      assertThat(JdbcCheckpointStore.create(config).load("report")).hasValue(written.get(9).position());
      List<RecordedEvent> more = v2.append("stream-3", ExpectedVersion.exactly(6),
          new ContractEvents.Happened("s3", 4)).events();
      assertThat(more.get(0).version()).isEqualTo(7);
      assertThat(more.get(0).position().isAfter(head)).isTrue();
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void flyway_applies_the_same_files_and_the_store_accepts_the_result(String database) throws Exception {
    JdbcConfig config = freshSchema(database);
    Map<String, String> placeholders = Map.of("schema", config.schema(), "prefix", config.tablePrefix());
    Flyway.configure().dataSource(config.dataSource()).schemas(config.schema())
        .locations("classpath:" + JdbcSchema.migrationFolder(config)).placeholders(placeholders).load().migrate();
    assertThat(JdbcSchema.installedVersion(config)).hasValue(2);
    assertThat(JdbcSchema.migrate(config)).as("JdbcSchema finds it current").isEqualTo(2);
    List<RecordedEvent> written;
    try (JdbcEventStore store = store(config)) {
      written = appendSome(store, 3);
    }

    // The next release's file, through Flyway, upgrades what Flyway built.
    Flyway.configure().dataSource(config.dataSource()).schemas(config.schema())
        .locations("classpath:" + JdbcSchema.migrationFolder(config), "classpath:test-migrations/" + database)
        .placeholders(placeholders).load().migrate();
    assertThat(JdbcSchema.installedVersion(config)).hasValue(3);
    try (JdbcEventStore v2 = JdbcEventStore.builder(config, TestDatabases.codec(ContractEvents.TYPES))
        .schemaMigrations(NEXT).build()) {
      assertThat(v2.readAll(Position.START, 1000)).usingRecursiveFieldByFieldElementComparator()
          .containsExactlyElementsOf(written);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void the_shipped_v1_file_is_frozen(String database) throws Exception {
    // A released migration file never changes, or schemas migrated by it would differ from new ones: a change is a
    // new file. These digests are V1 as released in 0.1.0.
    String resource = "cqrs-migrations/" + database + "/V1__cqrs.sql";
    try (java.io.InputStream in = JdbcSchema.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      assertThat(sha256(in.readAllBytes())).as(resource + " changed; add a V2 file instead")
          .isEqualTo(FROZEN_V1.get(database));
    }
  }

  private static final Map<String, String> FROZEN_V1 = Map.of(
      "h2", "78da6b34cee8d4b49fed114e28a28aa98874f08e81195d8d98ba1789bb1edf5c",
      "postgresql", "3bf32dc0c30394fe687563da5bc1ede6a8b93d6d5b0e856f6323a456d811a005");

  private static String sha256(byte[] bytes) {
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
      return java.util.HexFormat.of().formatHex(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
