package dev.cqrs.micrometer.internal;

import io.micrometer.observation.Observation;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs a piece of work measured, with an {@code outcome} from its result or its failure: as an observation, or timed
 * directly. The one place that knows how a measurement starts, ends and fails. Stateless and thread-safe.
 */
final class Measured {

  private Measured() {
  }

  /**
   * Runs work inside a started observation, and stops it.
   *
   * @param observation the started observation
   * @param work the work
   * @param success the outcome of a result
   * @param failure the outcome of a failure
   * @param <T> the result type
   * @return the result
   */
  @SuppressWarnings("try") // the scope is opened for what the work calls, not read here
  static <T> T observed(Observation observation, Supplier<T> work, Function<? super T, String> success,
                        Function<Throwable, String> failure) {
    try (Observation.Scope scope = observation.openScope()) {
      T result = work.get();
      observation.lowCardinalityKeyValue("outcome", success.apply(result));
      return result;
    } catch (RuntimeException | Error e) {
      observation.lowCardinalityKeyValue("outcome", failure.apply(e)).error(e);
      throw e;
    } finally {
      observation.stop();
    }
  }

  /**
   * Runs work and records its time directly.
   *
   * @param timers the timers
   * @param name the timer's name
   * @param tag an extra tag's key, or null
   * @param value the extra tag's value, or null
   * @param type the {@code type} tag, or null
   * @param work the work
   * @param success the outcome of a result
   * @param failure the outcome of a failure
   * @param <T> the result type
   * @return the result
   */
  static <T> T timed(DirectTimers timers, String name, String tag, String value, String type, Supplier<T> work,
                     Function<? super T, String> success, Function<Throwable, String> failure) {
    long start = System.nanoTime();
    String outcome = "error";
    Throwable error = null;
    try {
      T result = work.get();
      outcome = success.apply(result);
      return result;
    } catch (RuntimeException | Error e) {
      error = e;
      outcome = failure.apply(e);
      throw e;
    } finally {
      timers.record(name, tag, value, type, outcome, error, System.nanoTime() - start);
    }
  }

  /**
   * The outcome {@code success} for any result.
   *
   * @param result the result
   * @return {@code success}
   */
  static String success(Object result) {
    return "success";
  }

  /**
   * The outcome {@code error} for any failure.
   *
   * @param failure the failure
   * @return {@code error}
   */
  static String error(Throwable failure) {
    return "error";
  }
}
