package dev.cqrs.micrometer.internal;

import dev.cqrs.core.Event;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import java.util.function.Supplier;

/**
 * A projection whose applied events are observed, each as a receiver of the trace context in the event's headers.
 * Thread-safe as far as the wrapped projection is.
 */
public final class ObservedProjection implements Projection {

  private final String processor;
  private final Projection projection;
  private final ObservationRegistry registry;
  private final DirectTimers direct;

  /**
   * Wraps a projection.
   *
   * @param processor the processor's name
   * @param projection the projection
   * @param registry where observations go, or null to record timers directly
   * @param direct the timers to record directly, or null to observe
   */
  public ObservedProjection(String processor, Projection projection, ObservationRegistry registry,
                            DirectTimers direct) {
    this.processor = processor;
    this.projection = projection;
    this.registry = registry;
    this.direct = direct;
  }

  @Override
  public boolean handles(Class<? extends Event> eventType) {
    return projection.handles(eventType);
  }

  @Override
  public void apply(RecordedEvent event) {
    Supplier<Void> work = () -> {
      projection.apply(event);
      return null;
    };
    if (direct != null) {
      Measured.timed(direct, "cqrs.event", "processor", processor, event.type().name(), work, Measured::success,
          Measured::error);
      return;
    }
    ReceiverContext<RecordedEvent> context =
        new ReceiverContext<>((carrier, key) -> carrier.metadata().header(key).orElse(null));
    context.setCarrier(event);
    Observation observation = Observation.createNotStarted("cqrs.event", () -> context, registry)
        .contextualName(processor + " " + event.type().name())
        .lowCardinalityKeyValue("processor", processor)
        .lowCardinalityKeyValue("type", event.type().name())
        .start();
    Measured.observed(observation, work, Measured::success, Measured::error);
  }

  @Override
  public void reset() {
    projection.reset();
  }

  @Override
  public String toString() {
    return "observed " + projection;
  }
}
