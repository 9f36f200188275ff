package dev.cqrs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Position;
import dev.cqrs.test.postgres.PostgresExtension;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

/**
 * A command handler running under {@code @Transactional} appends in the same transaction as the application's own
 * writes: both roll back when the method throws, both commit when it returns; on H2 and on a real PostgreSQL.
 */
class TransactionalJoinTest {

  @RegisterExtension
  static final PostgresExtension POSTGRES = PostgresExtension.create();

  record PlaceOrder(String id) implements Command {}
  record OrderPlaced(String id) implements Event {}

  /** The application's service: an audit row of its own, and a command, in one transaction. */
  public static class OrderService {
    private final CommandBus commands;
    private final JdbcTemplate jdbc;

    public OrderService(CommandBus commands, JdbcTemplate jdbc) {
      this.commands = commands;
      this.jdbc = jdbc;
    }

    @Transactional
    public void place(String id, boolean failAfterwards) {
      jdbc.update("INSERT INTO order_audit (order_id) VALUES (?)", id);
      commands.send(new PlaceOrder(id));
      if (failAfterwards) {
        throw new IllegalStateException("the service fails after both writes");
      }
    }
  }

  /** The application. */
  @Configuration(proxyBeanMethods = false)
  static class App {
    @Bean
    EventTypesCustomizer events() {
      return types -> types.register(OrderPlaced.class, "OrderPlaced", 1);
    }

    @Bean
    CommandBusCustomizer commands() {
      return bus -> bus.register(PlaceOrder.class, (command, context) -> context.append("order-" + command.id(),
          ExpectedVersion.noStream(), List.of(new OrderPlaced(command.id()))));
    }

    @Bean
    JdbcTemplate jdbcTemplate(javax.sql.DataSource dataSource) {
      JdbcTemplate jdbc = new JdbcTemplate(dataSource);
      jdbc.execute("CREATE TABLE IF NOT EXISTS order_audit (order_id VARCHAR(64) PRIMARY KEY)");
      return jdbc;
    }

    @Bean
    OrderService orderService(CommandBus commands, JdbcTemplate jdbc) {
      return new OrderService(commands, jdbc);
    }
  }

  /** Where the application runs. */
  record Database(String url, String user, String password) {
  }

  static Stream<Database> databases() {
    return Stream.of(new Database("jdbc:h2:mem:join-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", ""),
        new Database(POSTGRES.jdbcUrl(), POSTGRES.user(), POSTGRES.password()));
  }

  @ParameterizedTest
  @MethodSource("databases")
  void appends_commit_and_roll_back_with_the_applications_transaction(Database database) {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
            DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
            CqrsAutoConfiguration.class))
        .withUserConfiguration(App.class)
        .withPropertyValues("spring.datasource.url=" + database.url(),
            "spring.datasource.username=" + database.user(), "spring.datasource.password=" + database.password())
        .run(context -> {
          assertThat(context).hasNotFailed();
          OrderService service = context.getBean(OrderService.class);
          JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
          EventStore store = context.getBean(EventStore.class);
          String failed = "f-" + UUID.randomUUID();
          assertThatThrownBy(() -> service.place(failed, true)).hasMessageContaining("fails after both writes");
          assertThat(store.readStream("order-" + failed)).as("the append rolled back").isEmpty();
          assertThat(jdbc.queryForObject("SELECT count(*) FROM order_audit WHERE order_id = ?", Integer.class, failed))
              .as("the application's row rolled back").isZero();

          String kept = "k-" + UUID.randomUUID();
          service.place(kept, false);
          assertThat(store.readStream("order-" + kept)).as("the append committed").hasSize(1);
          assertThat(jdbc.queryForObject("SELECT count(*) FROM order_audit WHERE order_id = ?", Integer.class, kept))
              .isEqualTo(1);
          assertThat(store.readAll(Position.START, 100)).extracting(e -> e.streamId())
              .doesNotContain("order-" + failed).contains("order-" + kept);
        });
  }
}
