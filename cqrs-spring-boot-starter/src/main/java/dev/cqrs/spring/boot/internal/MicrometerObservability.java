package dev.cqrs.spring.boot.internal;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandResult;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.HandlerInterceptor;
import dev.cqrs.core.ProcessorListener;
import dev.cqrs.core.Projection;
import dev.cqrs.core.Query;
import dev.cqrs.core.TrackingProcessor;
import dev.cqrs.micrometer.CqrsObservability;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.util.Optional;
import org.springframework.beans.factory.ListableBeanFactory;

/** {@link Observability} through {@code cqrs-micrometer}; loaded only when Micrometer is present. Thread-safe. */
final class MicrometerObservability implements Observability {

  private final CqrsObservability observability;

  private MicrometerObservability(CqrsObservability observability) {
    this.observability = observability;
  }

  static Observability from(ListableBeanFactory beans) {
    MeterRegistry meters = beans.getBeanProvider(MeterRegistry.class).getIfUnique();
    if (meters == null) {
      return NONE;
    }
    // micrometer-core brings micrometer-observation, so the type is always there when Micrometer is
    ObservationRegistry observations = beans.getBeanProvider(ObservationRegistry.class).getIfUnique();
    return new MicrometerObservability(observations == null ? CqrsObservability.metricsOnly(meters)
        : CqrsObservability.create(observations, meters));
  }

  @Override
  public EventStore appends(EventStore store) {
    return observability.appends(store);
  }

  @Override
  public Optional<HandlerInterceptor<Command, CommandResult>> commands() {
    return Optional.of(observability.commands());
  }

  @Override
  public Optional<HandlerInterceptor<Query<?>, Object>> queries() {
    return Optional.of(observability.queries());
  }

  @Override
  public Projection events(String processor, Projection projection) {
    return observability.events(processor, projection);
  }

  @Override
  public Optional<ProcessorListener> listener() {
    return Optional.of(observability.processors());
  }

  @Override
  public void bind(TrackingProcessor processor) {
    observability.bind(processor);
  }
}
