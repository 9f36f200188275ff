package dev.cqrs.spring.boot;

import dev.cqrs.core.Projection;
import dev.cqrs.jdbc.JdbcProjection;
import java.util.Objects;
import java.util.Optional;

/**
 * A tracking processor the starter builds, starts when the application is ready and stops on shutdown; declare one as
 * a bean per read model. Where the read model lives decides the kind:
 * <ul>
 *   <li>{@link #inMemory}: in each instance's memory. Every instance processes every event, from the first one at
 *       every start (its checkpoint is kept in memory too, so the rebuilt model never skips what came before).</li>
 *   <li>{@link #leased}: outside the store's database, and it survives restarts (another database, a search index,
 *       a process manager's effects). On a database one instance at a time processes, under a lease, from a stored
 *       checkpoint; delivery is at least once.</li>
 *   <li>{@link #transactional}: in the store's database, written through the batch's connection and committed with
 *       the checkpoint: exactly once, one instance at a time.</li>
 * </ul>
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * @Bean
 * ProcessorDefinition orderViews(OrderViews views) {
 *   return ProcessorDefinition.inMemory("order-views", views.projection()).batchSize(500);
 * }
 * }</pre>
 */
public final class ProcessorDefinition {

  /** Where a processor's read model lives. */
  public enum Kind {
    /** In each instance's memory. */
    IN_MEMORY,
    /** Outside the store's database, surviving restarts. */
    LEASED,
    /** In the store's database, committed with the checkpoint. */
    TRANSACTIONAL
  }

  private final String name;
  private final Kind kind;
  private final Projection projection;
  private final JdbcProjection jdbcProjection;
  private final int batchSize;

  private ProcessorDefinition(String name, Kind kind, Projection projection, JdbcProjection jdbcProjection,
                              int batchSize) {
    this.name = name;
    this.kind = kind;
    this.projection = projection;
    this.jdbcProjection = jdbcProjection;
    this.batchSize = batchSize;
  }

  /**
   * Defines a processor whose read model each instance keeps in memory, rebuilt from the first event at every start.
   *
   * @param name the processor's name
   * @param projection the projection
   * @return the definition
   */
  public static ProcessorDefinition inMemory(String name, Projection projection) {
    return new ProcessorDefinition(requireName(name), Kind.IN_MEMORY, Objects.requireNonNull(projection,
        "projection"), null, 500);
  }

  /**
   * Defines a processor whose read model lives outside the store's database and survives restarts: one instance at a
   * time, from a stored checkpoint, at least once (on the in-memory store, simply from memory).
   *
   * @param name the processor's name, which keys its checkpoint and lease
   * @param projection the projection
   * @return the definition
   */
  public static ProcessorDefinition leased(String name, Projection projection) {
    return new ProcessorDefinition(requireName(name), Kind.LEASED, Objects.requireNonNull(projection, "projection"),
        null, 500);
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
    return new ProcessorDefinition(requireName(name), Kind.TRANSACTIONAL, null,
        Objects.requireNonNull(projection, "projection"), 500);
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
    return new ProcessorDefinition(name, kind, projection, jdbcProjection, size);
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
   * Returns where the read model lives.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }

  /**
   * Returns the projection of a processor defined with {@link #inMemory} or {@link #leased}.
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
    return "ProcessorDefinition[" + name + ", " + kind + "]";
  }
}
