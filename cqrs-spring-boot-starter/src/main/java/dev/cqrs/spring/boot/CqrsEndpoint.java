package dev.cqrs.spring.boot;

import dev.cqrs.core.DeadLetter;
import dev.cqrs.core.Lag;
import dev.cqrs.core.TrackingProcessor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code cqrs} actuator endpoint: lists the processors (status, checkpoint, lag) and their dead letters, and
 * retries or discards a dead letter or replays a processor from the first event. Read-only unless {@code
 * management.endpoint.cqrs.access=unrestricted}; expose it over HTTP with {@code
 * management.endpoints.web.exposure.include=cqrs}. Thread-safe.
 */
@Endpoint(id = "cqrs", defaultAccess = Access.READ_ONLY)
public final class CqrsEndpoint {

  private final CqrsProcessors processors;

  CqrsEndpoint(CqrsProcessors processors) {
    this.processors = processors;
  }

  /**
   * Lists every processor.
   *
   * @return per processor: status, checkpoint, lag and dead letters
   */
  @ReadOperation
  public Map<String, Object> processors() {
    Map<String, Object> all = new LinkedHashMap<>();
    for (TrackingProcessor processor : processors.all()) {
      all.put(processor.name(), describe(processor));
    }
    return Map.of("processors", all);
  }

  /**
   * Describes one processor.
   *
   * @param processor the processor's name
   * @return its status, checkpoint, lag and dead letters
   */
  @ReadOperation
  public Map<String, Object> processor(@Selector String processor) {
    return describe(find(processor));
  }

  /**
   * Acts on a processor: {@code retry} or {@code discard} a dead letter (with {@code deadLetter}, its id), or
   * {@code replay} the processor from the first event.
   *
   * @param processor the processor's name
   * @param action {@code retry}, {@code discard} or {@code replay}
   * @param deadLetter the dead letter's id, for retry and discard
   * @return what happened
   */
  @WriteOperation
  public Map<String, Object> act(@Selector String processor, String action,
                                 @org.jspecify.annotations.Nullable String deadLetter) {
    TrackingProcessor found = find(processor);
    switch (action) {
      case "retry" -> {
        return Map.of("retried", found.retryDeadLetter(deadLetterId(deadLetter)));
      }
      case "discard" -> {
        return Map.of("discarded", found.discardDeadLetter(deadLetterId(deadLetter)));
      }
      case "replay" -> {
        found.reset();
        return Map.of("replaying", found.name());
      }
      default -> throw new IllegalArgumentException("action must be retry, discard or replay, but was '" + action
          + "'");
    }
  }

  private TrackingProcessor find(String name) {
    return processors.get(name).orElseThrow(() -> new IllegalArgumentException("no processor '" + name
        + "'; there are " + processors.all().stream().map(TrackingProcessor::name).toList()));
  }

  private static UUID deadLetterId(String text) {
    if (text == null) {
      throw new IllegalArgumentException("retry and discard need deadLetter, the dead letter's id");
    }
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("deadLetter must be a dead letter's id (a UUID), but was '" + text + "'");
    }
  }

  private static Map<String, Object> describe(TrackingProcessor processor) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("status", processor.status().name());
    details.put("checkpoint", processor.checkpoint().toString());
    Lag lag = processor.lag();
    details.put("lagEvents", lag.events());
    details.put("lagSeconds", lag.behind().toMillis() / 1000.0);
    processor.failure().ifPresent(failure -> details.put("failure", String.valueOf(failure.getMessage())));
    List<Map<String, Object>> letters = processor.deadLetters().stream().map(CqrsEndpoint::describe).toList();
    details.put("deadLetters", letters);
    return details;
  }

  private static Map<String, Object> describe(DeadLetter letter) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("id", letter.id().toString());
    details.put("position", letter.event().position().toString());
    details.put("stream", letter.event().streamId());
    details.put("type", letter.event().type().name());
    details.put("error", letter.error());
    details.put("attempts", letter.attempts());
    return details;
  }
}
