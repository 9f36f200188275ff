package dev.cqrs.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.ProcessorStatus;
import dev.cqrs.core.Projection;
import dev.cqrs.core.Query;
import dev.cqrs.core.QueryBus;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.inmemory.InMemoryEventStore;
import dev.cqrs.jdbc.JdbcEventStore;
import dev.cqrs.jdbc.JdbcSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** The starter in real application contexts: in memory, on H2, and the start-up failures that say what to add. */
class StarterTest {

  record PlaceOrder(String id) implements Command {}
  record OrderPlaced(String id) implements Event {}
  record CountOrders() implements Query<Integer> {}

  /** An application: its event types, a handler, a query and a processor. */
  @Configuration(proxyBeanMethods = false)
  static class Orders {
    final Map<String, Boolean> placed = new ConcurrentHashMap<>();

    @Bean
    EventTypesCustomizer orderEvents() {
      return types -> types.register(OrderPlaced.class, "OrderPlaced", 1);
    }

    @Bean
    CommandBusCustomizer orderCommands() {
      return bus -> bus.register(PlaceOrder.class, (command, context) -> context.append("order-" + command.id(),
          ExpectedVersion.noStream(), List.of(new OrderPlaced(command.id()))));
    }

    @Bean
    QueryBusCustomizer orderQueries() {
      return bus -> bus.register(CountOrders.class, query -> placed.size());
    }

    final Map<String, Boolean> mailed = new ConcurrentHashMap<>();

    @Bean
    ProcessorDefinition orderViews() {
      return ProcessorDefinition.inMemory("order-views", Projection.builder()
          .on(OrderPlaced.class, event -> placed.put(event.id(), true)).build());
    }

    @Bean
    ProcessorDefinition orderMailer() {
      return ProcessorDefinition.leased("order-mailer", Projection.builder()
          .on(OrderPlaced.class, event -> mailed.put(event.id(), true)).build());
    }
  }

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
          DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
          CqrsAutoConfiguration.class, CqrsActuatorAutoConfiguration.class))
      .withUserConfiguration(Orders.class);

  private static String h2Url() {
    return "spring.datasource.url=jdbc:h2:mem:starter-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
  }

  @Test
  void without_a_data_source_everything_runs_in_memory_and_the_processors_start_and_stop_with_the_context() {
    runner.withClassLoader(new org.springframework.boot.test.context.FilteredClassLoader(DataSource.class))
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(EventStore.class)).isInstanceOf(InMemoryEventStore.class);
          context.getBean(CommandBus.class).send(new PlaceOrder("1"));
          TrackingProcessor views = context.getBean(CqrsProcessors.class).get("order-views").orElseThrow();
          assertThat(views.status()).isIn(ProcessorStatus.RUNNING, ProcessorStatus.STANDBY);
          views.awaitProcessed(context.getBean(EventStore.class).head(), Duration.ofSeconds(10));
          assertThat(context.getBean(QueryBus.class).ask(new CountOrders())).isEqualTo(1);
          context.close();
          assertThat(views.status()).isEqualTo(ProcessorStatus.STOPPED);
        });
  }

  @Test
  void on_h2_the_store_is_jdbc_the_schema_is_migrated_and_processors_keep_checkpoints_where_their_models_live() {
    runner.withPropertyValues(h2Url()).run(context -> {
      assertThat(context).hasNotFailed();
      EventStore store = context.getBean(EventStore.class);
      assertThat(store).isInstanceOf(JdbcEventStore.class);
      assertThat(JdbcSchema.installedVersion(context.getBean(CqrsStorage.class).jdbc().orElseThrow()))
          .hasValue(JdbcSchema.VERSION);
      for (int i = 0; i < 50; i++) {
        context.getBean(CommandBus.class).send(new PlaceOrder("o" + i));
      }
      TrackingProcessor views = context.getBean(CqrsProcessors.class).get("order-views").orElseThrow();
      views.awaitProcessed(store.head(), Duration.ofSeconds(20));
      assertThat(context.getBean(QueryBus.class).ask(new CountOrders())).isEqualTo(50);
      JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
      TrackingProcessor mailer = context.getBean(CqrsProcessors.class).get("order-mailer").orElseThrow();
      mailer.awaitProcessed(store.head(), Duration.ofSeconds(20));
      assertThat(jdbc.queryForObject("SELECT count(*) FROM cqrs_leases WHERE processor = 'order-mailer'",
          Integer.class)).as("the leased processor holds a lease").isEqualTo(1);
      assertThat(jdbc.queryForObject("SELECT count(*) FROM cqrs_checkpoints WHERE processor = 'order-mailer'",
          Integer.class)).as("and a stored checkpoint").isEqualTo(1);
      assertThat(jdbc.queryForObject("SELECT count(*) FROM cqrs_checkpoints WHERE processor = 'order-views'",
          Integer.class)).as("an in-memory read model's checkpoint is in memory: rebuilt at every start").isZero();
    });
  }

  @Test
  void without_event_types_start_up_fails_saying_what_to_declare() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(CqrsAutoConfiguration.class))
        .withClassLoader(new org.springframework.boot.test.context.FilteredClassLoader(DataSource.class))
        .run(context -> assertThat(context).hasFailed().getFailure()
            .rootCause().hasMessageContaining("cqrs has no event types")
            .hasMessageContaining("EventTypesCustomizer"));
  }

  /** Two data sources, neither primary. */
  @Configuration(proxyBeanMethods = false)
  static class TwoDataSources {
    @Bean
    DataSource ordersDb() {
      JdbcDataSource h2 = new JdbcDataSource();
      h2.setURL("jdbc:h2:mem:a-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
      return h2;
    }

    @Bean
    DataSource reportsDb() {
      JdbcDataSource h2 = new JdbcDataSource();
      h2.setURL("jdbc:h2:mem:b-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
      return h2;
    }
  }

  @Test
  void two_data_sources_without_a_primary_fail_at_start_up_naming_both() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(CqrsAutoConfiguration.class))
        .withUserConfiguration(Orders.class, TwoDataSources.class)
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("several DataSource beans (ordersDb, reportsDb)")
            .hasMessageContaining("@Primary"));
  }

  /** A processor whose projection always fails, so that it parks its event. */
  @Configuration(proxyBeanMethods = false)
  static class Poisoned {
    @Bean
    ProcessorDefinition poisoned() {
      return ProcessorDefinition.leased("poisoned", Projection.builder().on(OrderPlaced.class, event -> {
        throw new IllegalStateException("cannot handle " + event.id());
      }).build());
    }
  }

  @Test
  void health_and_the_endpoint_show_processors_and_dead_letters_and_a_dead_letter_can_be_discarded() {
    runner.withPropertyValues(h2Url()).withUserConfiguration(Poisoned.class).run(context -> {
      context.getBean(CommandBus.class).send(new PlaceOrder("bad"));
      EventStore store = context.getBean(EventStore.class);
      TrackingProcessor poisoned = context.getBean(CqrsProcessors.class).get("poisoned").orElseThrow();
      poisoned.awaitProcessed(store.head(), Duration.ofSeconds(60)); // parked after the retries, then moved past
      CqrsEndpoint endpoint = context.getBean(CqrsEndpoint.class);
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> letters = (List<Map<String, Object>>) endpoint.processor("poisoned")
          .get("deadLetters");
      assertThat(letters).singleElement().satisfies(letter -> {
        assertThat(letter.get("error").toString()).contains("cannot handle bad");
        assertThat(letter.get("position")).isEqualTo(store.head().toString());
      });
      Health health = context.getBean(CqrsHealthIndicator.class).health(true);
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsKeys("order-views", "poisoned");
      assertThat(endpoint.act("poisoned", "discard", letters.get(0).get("id").toString()))
          .containsEntry("discarded", true);
      assertThat(poisoned.deadLetters()).isEmpty();
      assertThatThrownBy(() -> endpoint.act("poisoned", "explode", null))
          .hasMessageContaining("retry, discard or replay");
      assertThatThrownBy(() -> endpoint.processor("nope")).hasMessageContaining("no processor 'nope'");
    });
  }

  @Test
  void a_failed_processor_makes_health_down() {
    runner.withPropertyValues(h2Url()).withUserConfiguration(Poisoned.class).run(context -> {
      TrackingProcessor poisoned = context.getBean(CqrsProcessors.class).get("poisoned").orElseThrow();
      poisoned.stop();
      // a processor without dead letters stops FAILED; the starter gives them dead letters, so fail one by hand
      TrackingProcessor failing = TrackingProcessor.builder("failing", context.getBean(EventStore.class),
          Projection.builder().on(OrderPlaced.class, event -> {
            throw new IllegalStateException("broken");
          }).build(), dev.cqrs.inmemory.InMemoryCheckpointStore.create())
          .retryPolicy(dev.cqrs.core.RetryPolicy.exponential(1, Duration.ofMillis(1), Duration.ofMillis(1)))
          .build();
      CqrsProcessors processors = new CqrsProcessors(List.of(failing), false, Duration.ofSeconds(5));
      context.getBean(CommandBus.class).send(new PlaceOrder("x"));
      failing.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (failing.status() != ProcessorStatus.FAILED && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      Health health = new CqrsHealthIndicator(processors, 10_000).health(true);
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.getDetails().get("failing").toString()).contains("broken");
      processors.stop();
    });
  }

  @Test
  void a_running_processor_behind_the_lag_threshold_makes_health_degraded() throws Exception {
    runner.withPropertyValues(h2Url()).run(context -> {
      EventStore store = context.getBean(EventStore.class);
      for (int i = 0; i < 20; i++) {
        context.getBean(CommandBus.class).send(new PlaceOrder("lag-" + i));
      }
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.CountDownLatch blocked = new java.util.concurrent.CountDownLatch(1);
      TrackingProcessor slow = TrackingProcessor.builder("slow", store, Projection.builder()
          .on(OrderPlaced.class, event -> {
            blocked.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }).build(), dev.cqrs.inmemory.InMemoryCheckpointStore.create()).batchSize(1).build();
      CqrsProcessors processors = new CqrsProcessors(List.of(slow), false, Duration.ofSeconds(5));
      slow.start();
      assertThat(blocked.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      Health behind = new CqrsHealthIndicator(processors, 5).health(true);
      assertThat(behind.getStatus()).isEqualTo(CqrsHealthIndicator.DEGRADED);
      assertThat(new CqrsHealthIndicator(processors, 100).health(true).getStatus()).isEqualTo(Status.UP);
      release.countDown();
      slow.awaitProcessed(store.head(), Duration.ofSeconds(20));
      assertThat(new CqrsHealthIndicator(processors, 5).health(true).getStatus()).isEqualTo(Status.UP);
      processors.stop();
    });
  }
}
