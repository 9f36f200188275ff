package dev.cqrs.spring.boot;

import dev.cqrs.jdbc.JdbcConfig;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the starter keeps events: on a database ({@link #jdbc(JdbcConfig)}) or in memory. The starter decides from the
 * application's data source; declare a bean of this type to decide yourself (another schema, one data source of
 * several). Immutable and thread-safe.
 */
public final class CqrsStorage {

  private static final CqrsStorage IN_MEMORY = new CqrsStorage(null);

  private final JdbcConfig jdbc;

  private CqrsStorage(JdbcConfig jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Keeps events in memory.
   *
   * @return the storage
   */
  public static CqrsStorage inMemory() {
    return IN_MEMORY;
  }

  /**
   * Keeps events in the database of a JDBC configuration; give it {@link SpringTransactions} so that appends join
   * Spring-managed transactions.
   *
   * @param config the configuration
   * @return the storage
   */
  public static CqrsStorage jdbc(JdbcConfig config) {
    return new CqrsStorage(Objects.requireNonNull(config, "config must not be null"));
  }

  /**
   * Returns the JDBC configuration.
   *
   * @return the configuration, empty in memory
   */
  public Optional<JdbcConfig> jdbc() {
    return Optional.ofNullable(jdbc);
  }

  @Override
  public String toString() {
    return jdbc == null ? "in memory" : jdbc.toString();
  }
}
