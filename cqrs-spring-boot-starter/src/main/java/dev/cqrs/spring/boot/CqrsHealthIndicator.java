package dev.cqrs.spring.boot;

import dev.cqrs.core.Lag;
import dev.cqrs.core.ProcessorStatus;
import dev.cqrs.core.TrackingProcessor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of the processors: {@code DOWN} when any is {@link ProcessorStatus#FAILED}, {@code DEGRADED} when one that
 * runs is more than {@code cqrs.health.lag-threshold} events behind, {@code UP} otherwise; the details list each
 * processor's status, checkpoint and lag. {@code DEGRADED} is a status of its own: add it to {@code
 * management.endpoint.health.status.order} (for example {@code down, out-of-service, degraded, up, unknown}) and map
 * it to an HTTP status if load balancers should see it. Thread-safe.
 */
public final class CqrsHealthIndicator extends AbstractHealthIndicator {

  /** The status of an application whose processors lag. */
  public static final Status DEGRADED = new Status("DEGRADED", "a processor is behind its lag threshold");

  private final CqrsProcessors processors;
  private final long lagThreshold;

  CqrsHealthIndicator(CqrsProcessors processors, long lagThreshold) {
    super("cqrs processors health check failed");
    this.processors = processors;
    this.lagThreshold = lagThreshold;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    Status status = Status.UP;
    for (TrackingProcessor processor : processors.all()) {
      ProcessorStatus state = processor.status();
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("status", state);
      details.put("checkpoint", processor.checkpoint().toString());
      if (state == ProcessorStatus.FAILED) {
        status = Status.DOWN;
        processor.failure().ifPresent(failure -> details.put("failure", String.valueOf(failure.getMessage())));
      } else {
        Lag lag = processor.lag();
        details.put("lagEvents", lag.events());
        details.put("lagSeconds", lag.behind().toMillis() / 1000.0);
        if (state == ProcessorStatus.RUNNING && lag.events() > lagThreshold && status == Status.UP) {
          status = DEGRADED;
        }
      }
      builder.withDetail(processor.name(), details);
    }
    builder.status(status);
  }
}
