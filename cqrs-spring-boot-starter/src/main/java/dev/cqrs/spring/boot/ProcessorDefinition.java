package dev.cqrs.spring.boot;

import dev.cqrs.core.Projection;
import dev.cqrs.jdbc.JdbcProjection;
import java.util.Objects;
import java.util.Optional;

/**
 * A tracking processor the starter builds, starts when the application is ready and stops on shutdown; declare one as
 * a bean per read model. On a database the processor holds a lease, so that one instance at a time processes; a
 * {@link #transactional} one also commits its read-model writes with its checkpoint (exactly once). Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * @Bean
 * ProcessorDefinition orderViews(OrderViews views) {
 *   return ProcessorDefinition.of("order-views", views.projection()).batchSize(500);
 * }
 * }</pre>
 */
public final class ProcessorDefinition {

  private final String name;
  private final Projection projection;
  private final JdbcProjection jdbcProjection;
  private final int batchSize;

  private ProcessorDefinition(String name, Projection projection, JdbcProjection jdbcProjection, int batchSize) {
    this.name = name;
    this.projection = projection;
    this.jdbcProjection = jdbcProjection;
    this.batchSize = batchSize;
  }

  /**
   * Defines a processor whose read model lives outside the store's database (in memory, elsewhere): at least once.
   *
   * @param name the processor's name, which keys its checkpoint and lease
   * @param projection the projection
   * @return the definition
   */
  public static ProcessorDefinition of(String name, Projection projection) {
    return new ProcessorDefinition(requireName(name), Objects.requireNonNull(projection, "projection"), null, 500);
  }

  /**
   * Defines a processor whose read model is in the store's database, written through the batch's connection and
   * committed with the checkpoint: exactly once. Needs the JDBC store.
   *
   * @param name the processor's name
   * @param projection the projection
   * @return the definition
   */
  public static ProcessorDefinition transactional(String name, JdbcProjection projection) {
    return new ProcessorDefinition(requireName(name), null, Objects.requireNonNull(projection, "projection"), 500);
  }

  private static String requireName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a processor needs a name, but it was " + (name == null ? "null" : "blank"));
    }
    return name;
  }

  /**
   * Returns a copy with another batch size.
   *
   * @param size events per batch, 1 to 10,000
   * @return the copy
   */
  public ProcessorDefinition batchSize(int size) {
    if (size < 1 || size > 10_000) {
      throw new IllegalArgumentException("batch size must be from 1 to 10000, but was " + size);
    }
    return new ProcessorDefinition(name, projection, jdbcProjection, size);
  }

  /**
   * Returns the processor's name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the projection of a processor defined with {@link #of}.
   *
   * @return the projection, empty for a transactional one
   */
  public Optional<Projection> projection() {
    return Optional.ofNullable(projection);
  }

  /**
   * Returns the projection of a processor defined with {@link #transactional}.
   *
   * @return the projection, empty for a plain one
   */
  public Optional<JdbcProjection> jdbcProjection() {
    return Optional.ofNullable(jdbcProjection);
  }

  /**
   * Returns the batch size.
   *
   * @return events per batch
   */
  public int batchSize() {
    return batchSize;
  }

  @Override
  public String toString() {
    return "ProcessorDefinition[" + name + (jdbcProjection != null ? ", transactional" : "") + "]";
  }
}
