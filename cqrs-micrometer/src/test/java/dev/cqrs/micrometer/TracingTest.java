package dev.cqrs.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandBus;
import dev.cqrs.core.Event;
import dev.cqrs.core.EventTypes;
import dev.cqrs.core.ExpectedVersion;
import dev.cqrs.core.Position;
import dev.cqrs.core.ProcessManager;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.core.serialization.EventCodec;
import dev.cqrs.core.serialization.UpcasterChain;
import dev.cqrs.inmemory.InMemoryCheckpointStore;
import dev.cqrs.jackson.JacksonSerializer;
import dev.cqrs.jdbc.JdbcConfig;
import dev.cqrs.jdbc.JdbcEventStore;
import dev.cqrs.jdbc.JdbcSchema;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One trace from a command through its stored events into the projections and the process manager that follow, also
 * when the events are read by another store instance (as another JVM would), with OpenTelemetry's W3C propagation and
 * an in-memory span exporter.
 */
class TracingTest {

  record Order(String id) implements Command {}
  record Ship(String id) implements Command {}
  record Ordered(String id) implements Event {}
  record Shipped(String id) implements Event {}

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final SdkTracerProvider provider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();

  private ObservationRegistry tracingRegistry() {
    io.opentelemetry.api.trace.Tracer otel = provider.get("cqrs-test");
    OtelCurrentTraceContext current = new OtelCurrentTraceContext();
    OtelTracer tracer = new OtelTracer(otel, current, event -> { },
        new OtelBaggageManager(current, List.of(), List.of()));
    OtelPropagator propagator =
        new OtelPropagator(ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel);
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
        new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
        new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
        new DefaultTracingObservationHandler(tracer)));
    return registry;
  }

  @AfterEach
  void close() {
    provider.close();
  }

  private static JdbcConfig h2() {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:tracing-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    JdbcConfig config = JdbcConfig.builder(h2).build();
    JdbcSchema.migrate(config);
    return config;
  }

  @Test
  void a_command_its_events_and_every_projection_and_process_manager_step_share_one_trace() throws Exception {
    CqrsObservability observability = CqrsObservability.create(tracingRegistry(), new SimpleMeterRegistry());
    EventTypes types = EventTypes.builder().register(Ordered.class, "Ordered", 1)
        .register(Shipped.class, "Shipped", 1).build();
    EventCodec codec = EventCodec.of(types, JacksonSerializer.create(), UpcasterChain.empty());
    JdbcConfig config = h2();
    // The writer and the reader are separate store instances on one database, as two JVMs would be.
    try (JdbcEventStore writer = JdbcEventStore.create(config, codec);
         JdbcEventStore reader = JdbcEventStore.create(config, codec)) {
      CommandBus commands = CommandBus.builder().eventStore(observability.appends(writer))
          .handlerInterceptor(observability.commands()).build()
          .register(Order.class, (command, context) -> context.append("order-" + command.id(),
              ExpectedVersion.noStream(), List.of(new Ordered(command.id()))))
          .register(Ship.class, (command, context) -> context.append("order-" + command.id(),
              ExpectedVersion.exactly(1), List.of(new Shipped(command.id()))));
      List<RecordedEvent> seen = new CopyOnWriteArrayList<>();
      Projection view = Projection.builder().on(Ordered.class, (Ordered e, RecordedEvent r) -> seen.add(r))
          .on(Shipped.class, (Shipped e, RecordedEvent r) -> seen.add(r)).build();
      TrackingProcessor views = TrackingProcessor.builder("views", reader, observability.events("views", view),
          InMemoryCheckpointStore.create()).build();
      Projection shipping = ProcessManager.builder(commands)
          .on(Ordered.class, (ordered, send) -> send.command(new Ship(ordered.id()))).build();
      TrackingProcessor shipper = TrackingProcessor.builder("shipping", reader,
          observability.events("shipping", shipping), InMemoryCheckpointStore.create()).build();
      views.start();
      shipper.start();

      commands.send(new Order("42"));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (seen.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      views.stop();
      shipper.stop();
      commands.close();

      List<RecordedEvent> stored = writer.readAll(Position.START, 10);
      assertThat(stored).hasSize(2);
      List<SpanData> finished = spans.getFinishedSpanItems();
      SpanData order = finished.stream().filter(s -> s.getName().equals("command Order")).findFirst().orElseThrow();
      String traceId = order.getTraceId();
      String traceparent = stored.get(0).metadata().header("traceparent").orElseThrow();
      assertThat(traceparent).as("the stored event carries the command's span")
          .startsWith("00-" + traceId + "-" + order.getSpanId() + "-");
      assertThat(finished).as("command, append, the view and the process manager, then the next command")
          .extracting(SpanData::getName)
          .contains("command Order", "append", "views Ordered", "shipping Ordered", "command Ship", "views Shipped");
      assertThat(finished).allSatisfy(span -> assertThat(span.getTraceId()).as(span.getName()).isEqualTo(traceId));
      SpanData viewSpan = finished.stream().filter(s -> s.getName().equals("views Ordered")).findFirst().orElseThrow();
      assertThat(viewSpan.getParentSpanId()).as("the view continues the command's span").isEqualTo(order.getSpanId());
      SpanData ship = finished.stream().filter(s -> s.getName().equals("command Ship")).findFirst().orElseThrow();
      SpanData manager = finished.stream().filter(s -> s.getName().equals("shipping Ordered")).findFirst()
          .orElseThrow();
      assertThat(ship.getParentSpanId()).as("the process manager's command is a child of its step")
          .isEqualTo(manager.getSpanId());
      assertThat(stored.get(1).metadata().header("traceparent").orElseThrow())
          .startsWith("00-" + traceId + "-" + ship.getSpanId() + "-");
    }
  }
}
