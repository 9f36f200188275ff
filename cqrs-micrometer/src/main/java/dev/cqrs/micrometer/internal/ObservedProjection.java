package dev.cqrs.micrometer.internal;

import dev.cqrs.core.Event;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;

/**
 * A projection whose applied events are observed, each as a receiver of the trace context in the event's headers.
 * Thread-safe as far as the wrapped projection is.
 */
@SuppressWarnings("try") // the scope is opened for what the projection calls, not read in the body
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
    if (direct != null) {
      applyTimed(event);
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
    try (Observation.Scope scope = observation.openScope()) {
      projection.apply(event);
      observation.lowCardinalityKeyValue("outcome", "success");
    } catch (RuntimeException | Error e) {
      observation.lowCardinalityKeyValue("outcome", "error").error(e);
      throw e;
    } finally {
      observation.stop();
    }
  }

  private void applyTimed(RecordedEvent event) {
    long start = System.nanoTime();
    String outcome = "error";
    Throwable error = null;
    try {
      projection.apply(event);
      outcome = "success";
    } catch (RuntimeException | Error e) {
      error = e;
      throw e;
    } finally {
      direct.record("cqrs.event", "processor", processor, event.type().name(), outcome, error,
          System.nanoTime() - start);
    }
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
