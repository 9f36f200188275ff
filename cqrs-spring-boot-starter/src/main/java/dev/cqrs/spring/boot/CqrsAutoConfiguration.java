package dev.cqrs.spring.boot;

import dev.cqrs.core.CommandBus;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.QueryBus;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.core.serialization.EventCodec;
import dev.cqrs.core.serialization.EventSerializer;
import dev.cqrs.core.serialization.Upcaster;
import dev.cqrs.core.serialization.UpcasterChain;
import dev.cqrs.inmemory.InMemoryCheckpointStore;
import dev.cqrs.inmemory.InMemoryDeadLetterStore;
import dev.cqrs.inmemory.InMemoryEventStore;
import dev.cqrs.jackson.JacksonSerializer;
import dev.cqrs.jdbc.JdbcConfig;
import dev.cqrs.jdbc.JdbcDeadLetterStore;
import dev.cqrs.jdbc.JdbcEventStore;
import dev.cqrs.jdbc.JdbcProcessors;
import dev.cqrs.jdbc.JdbcSchema;
import dev.cqrs.spring.boot.internal.FlywayMigrations;
import dev.cqrs.spring.boot.internal.Observability;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * The starter's auto-configuration: event types, codec, event store (JDBC on the application's one {@code DataSource},
 * joining Spring-managed transactions; in memory without one), the buses and the processors. Every bean backs off
 * when the application declares its own. Thread-safe once the context is refreshed.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
    "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
    "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@EnableConfigurationProperties(CqrsProperties.class)
public class CqrsAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public CqrsAutoConfiguration() {
  }

  /**
   * The application's event types, from its {@link EventTypesCustomizer} beans.
   *
   * @param customizers the customizers
   * @return the types
   * @throws IllegalStateException if the application declares none
   */
  @Bean
  @ConditionalOnMissingBean
  public EventTypes cqrsEventTypes(ObjectProvider<EventTypesCustomizer> customizers) {
    List<EventTypesCustomizer> all = customizers.orderedStream().toList();
    if (all.isEmpty()) {
      throw new IllegalStateException("cqrs has no event types: declare a bean of type EventTypesCustomizer, for"
          + " example @Bean EventTypesCustomizer events() { return types -> types.register(OrderPlaced.class,"
          + " \"OrderPlaced\", 1); }");
    }
    EventTypes.Builder builder = EventTypes.builder();
    all.forEach(customizer -> customizer.customize(builder));
    return builder.build();
  }

  /**
   * The codec: Jackson (or the application's {@link EventSerializer} bean) with its {@link Upcaster} beans.
   *
   * @param types the event types
   * @param serializer the application's serializer, if any
   * @param upcasters the application's upcasters
   * @return the codec
   */
  @Bean
  @ConditionalOnMissingBean
  public EventCodec cqrsEventCodec(EventTypes types, ObjectProvider<EventSerializer> serializer,
                                   ObjectProvider<Upcaster> upcasters) {
    List<Upcaster> chain = upcasters.orderedStream().toList();
    return EventCodec.of(types, serializer.getIfAvailable(JacksonSerializer::create),
        chain.isEmpty() ? UpcasterChain.empty() : UpcasterChain.of(chain));
  }

  /**
   * The JDBC configuration on the application's data source, joining its Spring-managed transactions; absent when
   * the application has no data source.
   *
   * @param dataSources the data sources
   * @param properties the settings
   * @param beans the bean factory, to name the data sources in an error
   * @return the configuration, or null without a data source
   */
  @Bean
  @ConditionalOnMissingBean
  @DependsOnDatabaseInitialization
  public CqrsStorage cqrsStorage(ObjectProvider<DataSource> dataSources, CqrsProperties properties,
                                 ConfigurableListableBeanFactory beans) {
    if (dataSources.stream().findAny().isEmpty()) {
      return CqrsStorage.inMemory();
    }
    DataSource dataSource = dataSources.getIfUnique();
    if (dataSource == null) {
      String names = String.join(", ", beans.getBeanNamesForType(DataSource.class));
      throw new IllegalStateException("cqrs found several DataSource beans (" + names + ") and none is @Primary:"
          + " mark the one that holds the events @Primary, or declare a CqrsStorage bean with"
          + " CqrsStorage.jdbc(JdbcConfig.builder(dataSource).transactions(SpringTransactions.of(dataSource))"
          + ".build())");
    }
    JdbcConfig.Builder config = JdbcConfig.builder(dataSource).transactions(SpringTransactions.of(dataSource))
        .tablePrefix(properties.getJdbc().getTablePrefix());
    if (properties.getJdbc().getSchema() != null) {
      config.schema(properties.getJdbc().getSchema());
    }
    JdbcConfig jdbc = config.build();
    if (properties.getJdbc().getInitializeSchema() == CqrsProperties.InitializeSchema.ALWAYS) {
      if (ClassUtils.isPresent("org.flywaydb.core.Flyway", CqrsAutoConfiguration.class.getClassLoader())) {
        FlywayMigrations.migrate(jdbc); // Flyway, with a history table of the library's own
      } else {
        JdbcSchema.migrate(jdbc);
      }
    }
    return CqrsStorage.jdbc(jdbc);
  }

  /**
   * The event store: JDBC when there is a data source, in memory otherwise. Closed with the context.
   *
   * @param storage where events are kept
   * @param codec the codec
   * @param types the event types
   * @return the store
   */
  @Bean
  @ConditionalOnMissingBean
  public EventStore cqrsEventStore(CqrsStorage storage, EventCodec codec, EventTypes types) {
    return storage.jdbc().<EventStore>map(config -> JdbcEventStore.create(config, codec))
        .orElseGet(() -> InMemoryEventStore.create(types));
  }

  /**
   * The instrumentation the buses, the store and the processors share: Micrometer's when {@code cqrs-micrometer} and
   * a {@code MeterRegistry} are present, none otherwise. One instance, so that its meters are registered once.
   *
   * @param beans the bean factory, for the optional Micrometer beans
   * @return the instrumentation
   */
  @Bean
  @ConditionalOnMissingBean
  Observability cqrsObservability(ConfigurableListableBeanFactory beans) {
    return Observability.from(beans);
  }

  /**
   * The command bus, with the application's {@link CommandBusCustomizer} beans' handlers, and metrics and tracing
   * when Micrometer is present.
   *
   * @param store the event store
   * @param customizers the customizers
   * @param observability the instrumentation
   * @return the bus
   */
  @Bean
  @ConditionalOnMissingBean
  public CommandBus cqrsCommandBus(EventStore store, ObjectProvider<CommandBusCustomizer> customizers,
                                   Observability observability) {
    CommandBus.Builder builder = CommandBus.builder();
    builder.eventStore(observability.appends(store));
    observability.commands().ifPresent(builder::handlerInterceptor);
    CommandBus bus = builder.build();
    customizers.orderedStream().forEach(customizer -> customizer.customize(bus));
    return bus;
  }

  /**
   * The query bus, with the application's {@link QueryBusCustomizer} beans' handlers.
   *
   * @param customizers the customizers
   * @param observability the instrumentation
   * @return the bus
   */
  @Bean
  @ConditionalOnMissingBean
  public QueryBus cqrsQueryBus(ObjectProvider<QueryBusCustomizer> customizers, Observability observability) {
    QueryBus.Builder builder = QueryBus.builder();
    observability.queries().ifPresent(builder::handlerInterceptor);
    QueryBus bus = builder.build();
    customizers.orderedStream().forEach(customizer -> customizer.customize(bus));
    return bus;
  }

  /**
   * The processors of the application's {@link ProcessorDefinition} beans, each as its kind says: in memory (every
   * instance, from the first event at every start), leased or transactional (one instance at a time, stored
   * checkpoint), with dead letters.
   *
   * @param definitions the definitions
   * @param store the event store
   * @param storage where events are kept
   * @param codec the codec, for dead letters
   * @param properties the settings
   * @param observability the instrumentation
   * @return the processors
   */
  @Bean
  @ConditionalOnMissingBean
  public CqrsProcessors cqrsProcessors(ObjectProvider<ProcessorDefinition> definitions, EventStore store,
                                       CqrsStorage storage, EventCodec codec, CqrsProperties properties,
                                       Observability observability) {
    String instance = "spring-" + UUID.randomUUID();
    List<TrackingProcessor> processors = new ArrayList<>();
    for (ProcessorDefinition definition : definitions.orderedStream().collect(Collectors.toList())) {
      TrackingProcessor.Builder builder;
      if (definition.kind() == ProcessorDefinition.Kind.TRANSACTIONAL) {
        JdbcConfig config = storage.jdbc().orElseThrow(() -> new IllegalStateException("processor '"
            + definition.name() + "' is transactional, which needs the JDBC store, but the application has no"
            + " DataSource: add one (and a JDBC driver), or define it with ProcessorDefinition.inMemory or leased"));
        builder = JdbcProcessors.transactional(config, definition.name(), store, definition.jdbcProjection().get(),
            instance, properties.getProcessors().getLeaseDuration())
            .deadLetters(JdbcDeadLetterStore.create(config, codec));
      } else if (definition.kind() == ProcessorDefinition.Kind.LEASED && storage.jdbc().isPresent()) {
        JdbcConfig config = storage.jdbc().get();
        builder = JdbcProcessors.leased(config, definition.name(), store,
            observability.events(definition.name(), definition.projection().orElseThrow()), instance,
            properties.getProcessors().getLeaseDuration())
            .deadLetters(JdbcDeadLetterStore.create(config, codec));
      } else {
        // in each instance's memory: every instance processes everything, from the first event at every start
        builder = TrackingProcessor.builder(definition.name(), store,
            observability.events(definition.name(), definition.projection().orElseThrow()),
            InMemoryCheckpointStore.create()).deadLetters(InMemoryDeadLetterStore.create());
      }
      builder.batchSize(definition.batchSize());
      observability.listener().ifPresent(builder::listener);
      TrackingProcessor processor = builder.build();
      observability.bind(processor);
      processors.add(processor);
    }
    return new CqrsProcessors(processors, properties.getProcessors().isAutoStartup(),
        properties.getProcessors().getStopTimeout());
  }
}
