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
@SuppressWarnings("try") // the scopes are opened for what the handlers call, not read in the body
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
      try (Observation.Scope scope = observation.openScope()) {
        // A tracing handler has put the trace context into the carrier; the events inherit the command's headers.
        Message<Command> traced = message;
        Map<String, String> carrier = context.getCarrier();
        if (carrier != null && !carrier.isEmpty()) {
          Metadata metadata = message.metadata();
          for (Map.Entry<String, String> header : carrier.entrySet()) {
            metadata = metadata.withHeader(header.getKey(), header.getValue());
          }
          traced = message.withMetadata(metadata);
        }
        CommandResult result = chain.proceed(traced);
        observation.lowCardinalityKeyValue("outcome", "success");
        return result;
      } catch (CommandRejectedException e) {
        observation.lowCardinalityKeyValue("outcome", "rejected").error(e);
        throw e;
      } catch (ConcurrencyConflictException e) {
        observation.lowCardinalityKeyValue("outcome", "conflict").error(e);
        throw e;
      } catch (RuntimeException | Error e) {
        observation.lowCardinalityKeyValue("outcome", "error").error(e);
        throw e;
      } finally {
        observation.stop();
      }
    };
  }

  /**
   * Returns the command interceptor that records timers directly, without observations or trace context.
   *
   * @param timers the timers
   * @return the interceptor
   */
  public static HandlerInterceptor<Command, CommandResult> commands(DirectTimers timers) {
    return (message, chain) -> {
      long start = System.nanoTime();
      String outcome = "error";
      Throwable error = null;
      try {
        CommandResult result = chain.proceed(message);
        outcome = "success";
        return result;
      } catch (CommandRejectedException e) {
        outcome = "rejected";
        error = e;
        throw e;
      } catch (ConcurrencyConflictException e) {
        outcome = "conflict";
        error = e;
        throw e;
      } catch (RuntimeException | Error e) {
        error = e;
        throw e;
      } finally {
        timers.record("cqrs.command", null, null, message.payload().getClass().getSimpleName(), outcome, error,
            System.nanoTime() - start);
      }
    };
  }

  /**
   * Returns the query interceptor that records timers directly.
   *
   * @param timers the timers
   * @return the interceptor
   */
  public static HandlerInterceptor<Query<?>, Object> queries(DirectTimers timers) {
    return (message, chain) -> {
      long start = System.nanoTime();
      String outcome = "error";
      Throwable error = null;
      try {
        Object answer = chain.proceed(message);
        outcome = "success";
        return answer;
      } catch (RuntimeException | Error e) {
        error = e;
        throw e;
      } finally {
        timers.record("cqrs.query", null, null, message.payload().getClass().getSimpleName(), outcome, error,
            System.nanoTime() - start);
      }
    };
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
      try (Observation.Scope scope = observation.openScope()) {
        Object answer = chain.proceed(message);
        observation.lowCardinalityKeyValue("outcome", "success");
        return answer;
      } catch (RuntimeException | Error e) {
        observation.lowCardinalityKeyValue("outcome", "error").error(e);
        throw e;
      } finally {
        observation.stop();
      }
    };
  }
}
