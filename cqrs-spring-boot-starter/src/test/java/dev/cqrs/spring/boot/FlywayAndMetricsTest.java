package dev.cqrs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.CommandBus;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.QueryBus;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.jdbc.JdbcSchema;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Flyway applies the library's migration files, with a history of their own next to the application's; Micrometer
 * gets the library's meters.
 */
class FlywayAndMetricsTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
          DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
          FlywayAutoConfiguration.class, CqrsAutoConfiguration.class))
      .withUserConfiguration(StarterTest.Orders.class)
      .withPropertyValues("spring.datasource.url=jdbc:h2:mem:flyway-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
          "spring.flyway.locations=classpath:db/test-app");

  @Test
  void flyway_runs_the_librarys_migrations_with_a_history_of_their_own_next_to_the_applications() {
    runner.run(context -> {
      assertThat(context).hasNotFailed();
      JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
      assertThat(jdbc.queryForList("SELECT \"script\" FROM \"flyway_schema_history\" WHERE \"success\""
          + " AND \"type\" = 'SQL'",
          String.class)).as("the application's own history: its V1").containsExactly("V1__app.sql");
      assertThat(jdbc.queryForList("SELECT \"script\" FROM \"cqrs_flyway_history\" WHERE \"success\""
          + " AND \"type\" = 'SQL'", String.class)).as("the library's history: its V1, which would collide with the"
          + " application's V1 in one history, and its V2").containsExactly("V1__cqrs.sql", "V2__tags.sql");
      assertThat(JdbcSchema.installedVersion(context.getBean(CqrsStorage.class).jdbc().orElseThrow()))
          .hasValue(JdbcSchema.VERSION);
      context.getBean(CommandBus.class).send(new StarterTest.PlaceOrder("f1"));
      assertThat(context.getBean(EventStore.class).readStream("order-f1")).hasSize(1);
    });
  }

  /** Micrometer, as Boot's actuator would provide it. */
  @Configuration(proxyBeanMethods = false)
  static class Micrometer {
    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }

    @Bean
    ObservationRegistry observationRegistry(MeterRegistry meters) {
      ObservationRegistry registry = ObservationRegistry.create();
      registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
      return registry;
    }
  }

  @Test
  void with_micrometer_the_buses_store_and_processors_are_measured() {
    runner.withUserConfiguration(Micrometer.class).run(context -> {
      assertThat(context).hasNotFailed();
      context.getBean(CommandBus.class).send(new StarterTest.PlaceOrder("m1"));
      context.getBean(QueryBus.class).ask(new StarterTest.CountOrders());
      TrackingProcessor views = context.getBean(CqrsProcessors.class).get("order-views").orElseThrow();
      views.awaitProcessed(context.getBean(EventStore.class).head(), Duration.ofSeconds(20));
      MeterRegistry meters = context.getBean(MeterRegistry.class);
      assertThat(meters.get("cqrs.command").tags("type", "PlaceOrder", "outcome", "success").timer().count())
          .isEqualTo(1);
      assertThat(meters.get("cqrs.query").tags("type", "CountOrders").timer().count()).isEqualTo(1);
      assertThat(meters.get("cqrs.append.events").counter().count()).isEqualTo(1);
      assertThat(meters.get("cqrs.event").tags("processor", "order-views").timer().count()).isEqualTo(1);
      assertThat(meters.get("cqrs.processor.events").tags("processor", "order-views").counter().count())
          .isEqualTo(1);
      assertThat(meters.get("cqrs.processor.status").tags("processor", "order-views", "status", "running")
          .gauge().value()).isEqualTo(1);
    });
  }
}
