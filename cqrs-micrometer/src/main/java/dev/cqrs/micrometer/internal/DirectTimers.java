package dev.cqrs.micrometer.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Timers recorded directly, without observations: the metrics-only mode's fast path. Same names and tags as the
 * observation path with Micrometer's {@code DefaultMeterObservationHandler} (including its {@code error} tag), each
 * meter registered once and then found in a map. Thread-safe.
 */
public final class DirectTimers {

  /** What identifies one timer. */
  private record Key(String name, String tag, String value, String type, String outcome, String error) {
  }

  private final MeterRegistry meters;
  private final Map<Key, Timer> timers = new ConcurrentHashMap<>();

  /**
   * Creates the timers' home.
   *
   * @param meters where the timers go
   */
  public DirectTimers(MeterRegistry meters) {
    this.meters = meters;
  }

  /**
   * Records one timing.
   *
   * @param name the timer's name
   * @param tag an extra tag's key, or null
   * @param value the extra tag's value, or null
   * @param type the {@code type} tag, or null for none
   * @param outcome the {@code outcome} tag
   * @param error the failure, or null
   * @param nanos how long it took
   */
  public void record(String name, String tag, String value, String type, String outcome, Throwable error,
                     long nanos) {
    Key key = new Key(name, tag, value, type, outcome, error == null ? "none" : error.getClass().getSimpleName());
    Timer timer = timers.get(key);
    if (timer == null) {
      timer = timers.computeIfAbsent(key, k -> {
        Timer.Builder builder = Timer.builder(k.name()).tag("outcome", k.outcome()).tag("error", k.error());
        if (k.tag() != null) {
          builder.tag(k.tag(), k.value());
        }
        if (k.type() != null) {
          builder.tag("type", k.type());
        }
        return builder.register(meters);
      });
    }
    timer.record(nanos, TimeUnit.NANOSECONDS);
  }
}
