package dev.cqrs.spring.boot;

import dev.cqrs.core.TrackingProcessor;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The processors the starter built from the application's {@link ProcessorDefinition} beans, with Spring's
 * lifecycle: they start once the context is refreshed (unless {@code cqrs.processors.auto-startup=false}) and stop
 * on shutdown, each finishing its batch within {@code cqrs.processors.stop-timeout}. Thread-safe.
 */
public final class CqrsProcessors implements SmartLifecycle {

  private static final Logger LOG = LoggerFactory.getLogger(CqrsProcessors.class);

  private final Map<String, TrackingProcessor> processors = new LinkedHashMap<>();
  private final boolean autoStartup;
  private final Duration stopTimeout;
  private volatile boolean running;

  CqrsProcessors(List<TrackingProcessor> processors, boolean autoStartup, Duration stopTimeout) {
    for (TrackingProcessor processor : processors) {
      if (this.processors.putIfAbsent(processor.name(), processor) != null) {
        throw new IllegalStateException("two ProcessorDefinition beans name the processor '" + processor.name()
            + "'; each processor needs a name of its own (it keys the checkpoint and the lease)");
      }
    }
    this.autoStartup = autoStartup;
    this.stopTimeout = stopTimeout;
  }

  /**
   * Returns a processor by name.
   *
   * @param name the name
   * @return the processor, empty when there is none of that name
   */
  public Optional<TrackingProcessor> get(String name) {
    return Optional.ofNullable(processors.get(name));
  }

  /**
   * Returns every processor, in the order of their definitions.
   *
   * @return the processors
   */
  public Collection<TrackingProcessor> all() {
    return List.copyOf(processors.values());
  }

  @Override
  public void start() {
    processors.values().forEach(TrackingProcessor::start);
    running = true;
  }

  @Override
  public void stop() {
    for (TrackingProcessor processor : processors.values()) {
      if (!processor.stop(stopTimeout)) {
        LOG.warn("processor '{}' did not finish its batch within {}; its batch will be applied again", processor
            .name(), stopTimeout);
      }
    }
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public boolean isAutoStartup() {
    return autoStartup;
  }

  /**
   * Starts late and stops early: after everything the handlers use, before the store and the data source close.
   *
   * @return the phase
   */
  @Override
  public int getPhase() {
    return Integer.MAX_VALUE - 1000;
  }
}
