package dev.cqrs.spring.boot;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The starter's settings, under {@code cqrs.*}. Every property has a default; see the README's table. Not thread-safe
 * while Spring binds it; read-only afterwards.
 */
@ConfigurationProperties("cqrs")
public class CqrsProperties {

  private final Jdbc jdbc = new Jdbc();
  private final Processors processors = new Processors();
  private final Health health = new Health();

  /**
   * Returns the JDBC store's settings.
   *
   * @return the settings
   */
  public Jdbc getJdbc() {
    return jdbc;
  }

  /**
   * Returns the processors' settings.
   *
   * @return the settings
   */
  public Processors getProcessors() {
    return processors;
  }

  /**
   * Returns the health indicator's settings.
   *
   * @return the settings
   */
  public Health getHealth() {
    return health;
  }

  /** When the starter creates and upgrades the library's tables. */
  public enum InitializeSchema {
    /** Run the library's migrations at start-up (unless Flyway runs them). */
    ALWAYS,
    /** Never: the tables are managed elsewhere; a store on a missing or old schema refuses to start. */
    NEVER
  }

  /** The JDBC store's settings. */
  public static class Jdbc {
    /** Whether to run the library's schema migrations at start-up; ignored when Flyway runs them. */
    private InitializeSchema initializeSchema = InitializeSchema.ALWAYS;
    /** The database schema of the library's tables; the connection's default schema when unset. */
    private String schema;
    /** The prefix of the library's table names. */
    private String tablePrefix = "cqrs_";

    /**
     * Returns when the schema is initialized.
     *
     * @return the mode
     */
    public InitializeSchema getInitializeSchema() {
      return initializeSchema;
    }

    /**
     * Sets when the schema is initialized.
     *
     * @param initializeSchema the mode
     */
    public void setInitializeSchema(InitializeSchema initializeSchema) {
      this.initializeSchema = initializeSchema;
    }

    /**
     * Returns the schema.
     *
     * @return the schema, or null for the default
     */
    public String getSchema() {
      return schema;
    }

    /**
     * Sets the schema.
     *
     * @param schema the schema
     */
    public void setSchema(String schema) {
      this.schema = schema;
    }

    /**
     * Returns the table prefix.
     *
     * @return the prefix
     */
    public String getTablePrefix() {
      return tablePrefix;
    }

    /**
     * Sets the table prefix.
     *
     * @param tablePrefix the prefix
     */
    public void setTablePrefix(String tablePrefix) {
      this.tablePrefix = tablePrefix;
    }
  }

  /** The processors' settings. */
  public static class Processors {
    /** Whether processors start when the application is ready. */
    private boolean autoStartup = true;
    /** How long a processor's lease lasts without renewal, on a database; a dead holder is replaced after it. */
    private Duration leaseDuration = Duration.ofSeconds(10);
    /** How long shutdown waits for each processor to finish its batch. */
    private Duration stopTimeout = Duration.ofSeconds(30);

    /**
     * Returns whether processors start on their own.
     *
     * @return whether they start
     */
    public boolean isAutoStartup() {
      return autoStartup;
    }

    /**
     * Sets whether processors start on their own.
     *
     * @param autoStartup whether they start
     */
    public void setAutoStartup(boolean autoStartup) {
      this.autoStartup = autoStartup;
    }

    /**
     * Returns the lease duration.
     *
     * @return the duration
     */
    public Duration getLeaseDuration() {
      return leaseDuration;
    }

    /**
     * Sets the lease duration.
     *
     * @param leaseDuration the duration
     */
    public void setLeaseDuration(Duration leaseDuration) {
      this.leaseDuration = leaseDuration;
    }

    /**
     * Returns the stop timeout.
     *
     * @return the timeout
     */
    public Duration getStopTimeout() {
      return stopTimeout;
    }

    /**
     * Sets the stop timeout.
     *
     * @param stopTimeout the timeout
     */
    public void setStopTimeout(Duration stopTimeout) {
      this.stopTimeout = stopTimeout;
    }
  }

  /** The health indicator's settings. */
  public static class Health {
    /** Events behind past which a running processor reports the health status DEGRADED. */
    private long lagThreshold = 10_000;

    /**
     * Returns the lag threshold.
     *
     * @return events behind
     */
    public long getLagThreshold() {
      return lagThreshold;
    }

    /**
     * Sets the lag threshold.
     *
     * @param lagThreshold events behind
     */
    public void setLagThreshold(long lagThreshold) {
      this.lagThreshold = lagThreshold;
    }
  }
}
