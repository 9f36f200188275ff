package dev.cqrs.test;

import dev.cqrs.core.Event;
import dev.cqrs.core.EventType;
import dev.cqrs.core.Metadata;
import dev.cqrs.core.Position;
import dev.cqrs.core.Projection;
import dev.cqrs.core.RecordedEvent;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Tests a {@link Projection} with given/then: the fixture resets the projection, applies the given events as if they
 * were stored, and lets you check the read model.
 *
 * <pre>{@code
 * ProjectionFixture.of(orderViews)
 *     .given(new OrderPlaced("42", "alice"), new OrderShipped("42"))
 *     .thenState(() -> views.get("42").status(), "shipped");
 * }</pre>
 *
 * <p>Events given without a stream go to stream {@code "stream-1"}; versions and positions count up. Events the
 * projection does not handle are skipped, as a processor would. Not thread-safe.
 */
public final class ProjectionFixture {

  private final Projection projection;

  private ProjectionFixture(Projection projection) {
    this.projection = Objects.requireNonNull(projection, "projection must not be null");
  }

  /**
   * Creates a fixture for a projection.
   *
   * @param projection the projection under test
   * @return the fixture
   */
  public static ProjectionFixture of(Projection projection) {
    return new ProjectionFixture(projection);
  }

  /**
   * Resets the projection and applies events in stream {@code "stream-1"}.
   *
   * @param events the events, oldest first
   * @return the scenario
   */
  public Given given(Event... events) {
    return new Given().andIn("stream-1", events);
  }

  /** A scenario: more events, then checks. Not thread-safe. */
  public final class Given {

    private final Map<String, Long> versions = new HashMap<>();
    private long position;

    private Given() {
      projection.reset();
    }

    /**
     * Applies more events, in a given stream.
     *
     * @param streamId the stream
     * @param events the events, oldest first
     * @return this scenario
     */
    public Given andIn(String streamId, Event... events) {
      for (Event event : events) {
        Objects.requireNonNull(event, "given events must not be null");
        long version = versions.merge(streamId, 1L, Long::sum);
        RecordedEvent recorded = new RecordedEvent(streamId, version, Position.of(0, ++position), UUID.randomUUID(),
            EventType.of(event.getClass().getSimpleName(), 1), event, Metadata.create());
        if (projection.handles(event.getClass())) {
          projection.apply(recorded);
        }
      }
      return this;
    }

    /**
     * Runs assertions on the read model.
     *
     * @param assertions the assertions
     * @return this scenario
     */
    public Given then(Runnable assertions) {
      assertions.run();
      return this;
    }

    /**
     * Asserts that a value read from the read model equals the expected one.
     *
     * @param actual reads the value
     * @param expected the expected value
     * @param <T> the value's type
     * @return this scenario
     */
    public <T> Given thenState(Supplier<T> actual, T expected) {
      T value = actual.get();
      if (!Objects.equals(value, expected)) {
        throw new AssertionError("after " + position + " given events the read model holds\n  " + value
            + "\nbut expected\n  " + expected);
      }
      return this;
    }

    /**
     * Asserts that the read model, read as a list, equals the expected elements in order.
     *
     * @param actual reads the list
     * @param expected the expected elements
     * @param <T> the element type
     * @return this scenario
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read
    public final <T> Given thenList(Supplier<List<T>> actual, T... expected) {
      EventComparison.assertSameEvents("after " + position + " given events the read model holds",
          Arrays.asList(expected), actual.get());
      return this;
    }
  }
}
