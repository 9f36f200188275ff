package dev.cqrs.spring.boot.internal;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandResult;
import dev.cqrs.core.EventStore;
import dev.cqrs.core.HandlerInterceptor;
import dev.cqrs.core.ProcessorListener;
import dev.cqrs.core.Projection;
import dev.cqrs.core.Query;
import dev.cqrs.core.TrackingProcessor;
import java.util.Optional;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.util.ClassUtils;

/**
 * The starter's view of {@code cqrs-micrometer}: the instrumentation when Micrometer, {@code cqrs-micrometer} and a
 * {@code MeterRegistry} bean are present, nothing otherwise, without loading Micrometer's classes when they are
 * missing. Thread-safe.
 */
public interface Observability {

  /** No instrumentation. */
  Observability NONE = new Observability() {
  };

  /**
   * Finds the instrumentation for a context.
   *
   * @param beans the context's beans
   * @return the instrumentation, or {@link #NONE}
   */
  static Observability from(ListableBeanFactory beans) {
    ClassLoader loader = Observability.class.getClassLoader();
    if (!ClassUtils.isPresent("dev.cqrs.micrometer.CqrsObservability", loader)
        || !ClassUtils.isPresent("io.micrometer.core.instrument.MeterRegistry", loader)) {
      return NONE;
    }
    return MicrometerObservability.from(beans);
  }

  /**
   * Returns the store with observed appends.
   *
   * @param store the store
   * @return the store to give the command bus
   */
  default EventStore appends(EventStore store) {
    return store;
  }

  /**
   * Returns the command interceptor.
   *
   * @return the interceptor, if instrumented
   */
  default Optional<HandlerInterceptor<Command, CommandResult>> commands() {
    return Optional.empty();
  }

  /**
   * Returns the query interceptor.
   *
   * @return the interceptor, if instrumented
   */
  default Optional<HandlerInterceptor<Query<?>, Object>> queries() {
    return Optional.empty();
  }

  /**
   * Returns the projection with observed events.
   *
   * @param processor the processor's name
   * @param projection the projection
   * @return the projection to run
   */
  default Projection events(String processor, Projection projection) {
    return projection;
  }

  /**
   * Returns the processor listener.
   *
   * @return the listener, if instrumented
   */
  default Optional<ProcessorListener> listener() {
    return Optional.empty();
  }

  /**
   * Registers a processor's gauges.
   *
   * @param processor the processor
   */
  default void bind(TrackingProcessor processor) {
  }
}
