package dev.cqrs.micrometer.internal;

import dev.cqrs.core.Command;
import dev.cqrs.core.CommandRejectedException;
import dev.cqrs.core.CommandResult;
import dev.cqrs.core.ConcurrencyConflictException;
import dev.cqrs.core.HandlerInterceptor;
import dev.cqrs.core.Message;
import dev.cqrs.core.Metadata;
import dev.cqrs.core.Query;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.SenderContext;
import java.util.LinkedHashMap;
import java.util.Map;

/** The bus interceptors: one observation per command or query. Stateless and thread-safe. */
public final class MessageObservations {

  private MessageObservations() {
  }

  /**
   * Returns the command interceptor.
   *
   * @param registry where observations go
   * @return the interceptor
   */
  public static HandlerInterceptor<Command, CommandResult> commands(ObservationRegistry registry) {
    return (message, chain) -> {
      String type = message.payload().getClass().getSimpleName();
      SenderContext<Map<String, String>> context = new SenderContext<>(Map::put);
      context.setCarrier(new LinkedHashMap<>());
      Observation observation = Observation.createNotStarted("cqrs.command", () -> context, registry)
          .contextualName("command " + type)
          .lowCardinalityKeyValue("type", type)
          .start();
      return Measured.observed(observation, () -> chain.proceed(traced(message, context.getCarrier())),
          Measured::success, MessageObservations::outcome);
    };
  }

  /** The message with the trace context a tracing handler put into the carrier; the events inherit its headers. */
  private static Message<Command> traced(Message<Command> message, Map<String, String> carrier) {
    if (carrier == null || carrier.isEmpty()) {
      return message;
    }
    Metadata metadata = message.metadata();
    for (Map.Entry<String, String> header : carrier.entrySet()) {
      metadata = metadata.withHeader(header.getKey(), header.getValue());
    }
    return message.withMetadata(metadata);
  }

  /** The outcome of a failed command. */
  private static String outcome(Throwable failure) {
    if (failure instanceof CommandRejectedException) {
      return "rejected";
    }
    return failure instanceof ConcurrencyConflictException ? "conflict" : "error";
  }

  /**
   * Returns the command interceptor that records timers directly, without observations or trace context.
   *
   * @param timers the timers
   * @return the interceptor
   */
  public static HandlerInterceptor<Command, CommandResult> commands(DirectTimers timers) {
    return (message, chain) -> Measured.timed(timers, "cqrs.command", null, null,
        message.payload().getClass().getSimpleName(), () -> chain.proceed(message), Measured::success,
        MessageObservations::outcome);
  }

  /**
   * Returns the query interceptor that records timers directly.
   *
   * @param timers the timers
   * @return the interceptor
   */
  public static HandlerInterceptor<Query<?>, Object> queries(DirectTimers timers) {
    return (message, chain) -> Measured.timed(timers, "cqrs.query", null, null,
        message.payload().getClass().getSimpleName(), () -> chain.proceed(message), Measured::success,
        Measured::error);
  }

  /**
   * Returns the query interceptor.
   *
   * @param registry where observations go
   * @return the interceptor
   */
  public static HandlerInterceptor<Query<?>, Object> queries(ObservationRegistry registry) {
    return (message, chain) -> {
      String type = message.payload().getClass().getSimpleName();
      Observation observation = Observation.createNotStarted("cqrs.query", registry)
          .contextualName("query " + type)
          .lowCardinalityKeyValue("type", type)
          .start();
      return Measured.observed(observation, () -> chain.proceed(message), Measured::success, Measured::error);
    };
  }
}
