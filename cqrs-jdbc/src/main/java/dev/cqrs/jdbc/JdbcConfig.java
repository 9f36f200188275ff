package dev.cqrs.jdbc;

import dev.cqrs.core.CqrsException;
import dev.cqrs.jdbc.spi.JdbcTransactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Where the JDBC stores keep their tables: your {@link DataSource}, the database kind, a schema and a table-name
 * prefix. Schema and prefix are checked as plain SQL identifiers when they are set, so nothing you configure can
 * inject SQL.
 *
 * <pre>{@code
 * JdbcConfig config = JdbcConfig.builder(dataSource).schema("orders").tablePrefix("cqrs_").build();
 * JdbcSchema.migrate(config);
 * }</pre>
 *
 * <p>Immutable and thread-safe; the builder is not.
 */
public final class JdbcConfig {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,39}");
  private static final Pattern PREFIX = Pattern.compile("([A-Za-z_][A-Za-z0-9_]{0,19})?");
  /** Words that PostgreSQL or H2 reserve: as a schema name they would fail later with a syntax error. */
  private static final Set<String> RESERVED = Set.of(
      "ALL", "ANALYSE", "ANALYZE", "AND", "ANY", "ARRAY", "AS", "ASC", "ASYMMETRIC", "AUTHORIZATION", "BETWEEN",
      "BINARY", "BOTH", "CASE", "CAST", "CHECK", "COLLATE", "COLLATION", "COLUMN", "CONCURRENTLY", "CONSTRAINT",
      "CREATE", "CROSS", "CURRENT_CATALOG", "CURRENT_DATE", "CURRENT_PATH", "CURRENT_ROLE", "CURRENT_SCHEMA",
      "CURRENT_TIME", "CURRENT_TIMESTAMP", "CURRENT_USER", "DAY", "DEFAULT", "DEFERRABLE", "DESC", "DISTINCT", "DO",
      "ELSE", "END", "EXCEPT", "EXISTS", "FALSE", "FETCH", "FOR", "FOREIGN", "FREEZE", "FROM", "FULL", "GRANT",
      "GROUP", "GROUPS", "HAVING", "HOUR", "IF", "ILIKE", "IN", "INITIALLY", "INNER", "INTERSECT", "INTERVAL",
      "INTO", "IS", "ISNULL", "JOIN", "KEY", "LATERAL", "LEADING", "LEFT", "LIKE", "LIMIT", "LOCALTIME",
      "LOCALTIMESTAMP", "MINUS", "MINUTE", "MONTH", "NATURAL", "NOT", "NOTNULL", "NULL", "OFFSET", "ON", "ONLY",
      "OR", "ORDER", "OUTER", "OVER", "OVERLAPS", "PARTITION", "PLACING", "PRIMARY", "QUALIFY", "RANGE",
      "REFERENCES", "REGEXP", "RETURNING", "RIGHT", "ROW", "ROWNUM", "ROWS", "SECOND", "SELECT", "SESSION_USER",
      "SET", "SIMILAR", "SOME", "SYMMETRIC", "SYSTEM_USER", "TABLE", "TABLESAMPLE", "THEN", "TO", "TOP", "TRAILING",
      "TRUE", "UESCAPE", "UNION", "UNIQUE", "UNKNOWN", "USER", "USING", "VALUE", "VALUES", "VARIADIC", "VERBOSE",
      "WHEN", "WHERE", "WINDOW", "WITH", "YEAR", "_ROWID_");

  private final DataSource dataSource;
  private final Database database;
  private final String schema;
  private final String tablePrefix;
  private final JdbcTransactions transactions;
  private final Duration queryTimeout;

  private JdbcConfig(DataSource dataSource, Database database, String schema, String tablePrefix,
                     JdbcTransactions transactions, Duration queryTimeout) {
    this.dataSource = dataSource;
    this.database = database;
    this.schema = schema;
    this.tablePrefix = tablePrefix;
    this.transactions = transactions;
    this.queryTimeout = queryTimeout;
  }

  /**
   * Starts configuring with a data source; the database kind is detected from it unless set.
   *
   * @param dataSource where connections come from
   * @return a new builder
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /**
   * Returns the data source.
   *
   * @return the data source
   */
  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * Returns the database kind.
   *
   * @return the database
   */
  public Database database() {
    return database;
  }

  /**
   * Returns the schema the tables live in.
   *
   * @return the schema name
   */
  public String schema() {
    return schema;
  }

  /**
   * Returns the prefix of every table name.
   *
   * @return the prefix, possibly empty
   */
  public String tablePrefix() {
    return tablePrefix;
  }

  /**
   * Returns how writes join the application's transactions.
   *
   * @return the transactions, {@link JdbcTransactions#none()} unless set
   */
  public JdbcTransactions transactions() {
    return transactions;
  }

  /**
   * Returns the longest a statement of the library's may run on a connection it opens.
   *
   * @return the timeout, {@link Duration#ZERO} for none
   */
  public Duration queryTimeout() {
    return queryTimeout;
  }

  /**
   * Returns {@link #queryTimeout()} in whole seconds, as JDBC takes it, rounded up.
   *
   * @return the seconds, 0 for none
   */
  public int queryTimeoutSeconds() {
    return (int) ((queryTimeout.toMillis() + 999) / 1000);
  }

  /**
   * Returns the qualified name of one of the backend's tables.
   *
   * @param table the table's base name, for example {@code events}
   * @return {@code schema.prefix + table}
   */
  public String table(String table) {
    return schema + "." + tablePrefix + table;
  }

  @Override
  public String toString() {
    return "JdbcConfig[" + database + ", " + schema + "." + tablePrefix + "*]";
  }

  /** Builds a {@link JdbcConfig}, checking each setting at once. Not thread-safe. */
  public static final class Builder {

    private final DataSource dataSource;
    private Database database;
    private String schema;
    private String tablePrefix = "cqrs_";
    private JdbcTransactions transactions = JdbcTransactions.none();
    private Duration queryTimeout = Duration.ZERO;

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
    }

    /**
     * Sets the database kind instead of detecting it.
     *
     * @param database the database
     * @return this builder
     */
    public Builder database(Database database) {
      this.database = Objects.requireNonNull(database, "database must not be null");
      return this;
    }

    /**
     * Sets the schema; the default is {@code public} on PostgreSQL and {@code PUBLIC} on H2.
     *
     * @param schema a plain identifier: a letter or {@code _}, then letters, digits or {@code _}, at most 40, and not
     *     a word PostgreSQL or H2 reserve (such as {@code order}, {@code user} or {@code select})
     * @return this builder
     * @throws IllegalArgumentException if it is not a plain identifier, or a reserved word
     */
    public Builder schema(String schema) {
      Objects.requireNonNull(schema, "schema must not be null");
      if (!IDENTIFIER.matcher(schema).matches()) {
        throw new IllegalArgumentException("schema must be a plain SQL identifier (a letter or '_', then letters,"
            + " digits or '_', at most 40 characters), but was '" + schema + "'");
      }
      if (RESERVED.contains(schema.toUpperCase(Locale.ROOT))) {
        throw new IllegalArgumentException("schema must not be a word that PostgreSQL or H2 reserve, but was '"
            + schema + "'; choose another name, for example '" + schema + "_events'");
      }
      this.schema = schema;
      return this;
    }

    /**
     * Sets the prefix of every table name; the default is {@code cqrs_}.
     *
     * @param tablePrefix empty, or a plain identifier of at most 20 characters
     * @return this builder
     * @throws IllegalArgumentException if it is not a plain identifier
     */
    public Builder tablePrefix(String tablePrefix) {
      Objects.requireNonNull(tablePrefix, "tablePrefix must not be null");
      if (!PREFIX.matcher(tablePrefix).matches()) {
        throw new IllegalArgumentException("tablePrefix must be empty or a plain SQL identifier (a letter or '_',"
            + " then letters, digits or '_', at most 20 characters), but was '" + tablePrefix + "'");
      }
      this.tablePrefix = tablePrefix;
      return this;
    }

    /**
     * Sets how appends, state saves and inline projections join a transaction the application runs on the calling
     * thread (Spring's, jOOQ's, {@link PlainTransactions}); the default, {@link JdbcTransactions#none()}, opens a
     * transaction for each write. Processors always run their batches in transactions of their own.
     *
     * @param transactions the bridge to the application's transactions
     * @return this builder
     */
    public Builder transactions(JdbcTransactions transactions) {
      this.transactions = Objects.requireNonNull(transactions, "transactions must not be null");
      return this;
    }

    /**
     * Sets the longest a statement of the library's may run on a connection the library opens (appends, reads,
     * processor batches, leases) before the driver cancels it and the call fails with a
     * {@link dev.cqrs.core.TransientException}: a hung query then ends, and a processor's {@code stop} does not wait
     * for it. The default is none. Statements on connections of the application's own transactions follow the
     * application's settings.
     *
     * @param queryTimeout 1 second to 1 hour (JDBC counts whole seconds), or {@link Duration#ZERO} for none
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder queryTimeout(Duration queryTimeout) {
      Objects.requireNonNull(queryTimeout, "queryTimeout must not be null");
      if (!queryTimeout.isZero() && (queryTimeout.compareTo(Duration.ofSeconds(1)) < 0
          || queryTimeout.compareTo(Duration.ofHours(1)) > 0)) {
        throw new IllegalArgumentException("queryTimeout must be zero or between 1 second and 1 hour, but was "
            + queryTimeout);
      }
      this.queryTimeout = queryTimeout;
      return this;
    }

    /**
     * Builds the configuration, asking the data source for the database kind if it was not set. On H2 it checks
     * that commits are durable (a file database must run with {@code WRITE_DELAY=0}) and that an in-memory database
     * outlives its connections ({@code DB_CLOSE_DELAY=-1}).
     *
     * @return the configuration
     * @throws CqrsException if the database cannot be reached, or is an H2 database that acknowledges commits before
     *     it writes them, or an in-memory H2 database that would vanish between the store's connections
     */
    public JdbcConfig build() {
      Database kind = database;
      try (Connection connection = dataSource.getConnection()) {
        if (kind == null) {
          kind = Database.fromProductName(connection.getMetaData().getDatabaseProductName());
        }
        if (kind == Database.H2) {
          requireDurableH2(connection);
          requireLastingH2(connection);
        }
      } catch (SQLException e) {
        throw new CqrsException("cannot " + (kind == null ? "detect the database kind" : "check the " + kind
            + " settings") + " from the data source: " + e.getMessage(), e);
      }
      String schemaName = schema != null ? schema : kind == Database.H2 ? "PUBLIC" : "public";
      return new JdbcConfig(dataSource, kind, schemaName, tablePrefix, transactions, queryTimeout);
    }

    /**
     * H2 drops an in-memory database when its last connection closes, and an unnamed one is private to a single
     * connection. The stores open and close connections as they go, so such a database would lose its tables between
     * two calls, and the failure would come later as a missing table.
     */
    private static void requireLastingH2(Connection connection) throws SQLException {
      String url = connection.getMetaData().getURL();
      if (!url.startsWith("jdbc:h2:mem:")) {
        return;
      }
      String name = url.substring("jdbc:h2:mem:".length());
      if (name.isEmpty()) {
        throw new CqrsException("the H2 database jdbc:h2:mem: has no name, so each connection gets a database of its"
            + " own and the store's tables vanish between calls; name it and keep it while the JVM runs:"
            + " jdbc:h2:mem:orders;DB_CLOSE_DELAY=-1");
      }
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'DB_CLOSE_DELAY'");
           ResultSet row = select.executeQuery()) {
        if (!row.next() || !row.getString(1).trim().equals("-1")) {
          throw new CqrsException("the in-memory H2 database " + url + " is dropped when its last connection closes,"
              + " and the store opens and closes connections as it goes, so its tables would vanish between calls;"
              + " add ;DB_CLOSE_DELAY=-1 to the JDBC URL (" + url + ";DB_CLOSE_DELAY=-1) to keep it while the JVM"
              + " runs");
        }
      }
    }

    /**
     * H2 acknowledges a commit before it writes it when WRITE_DELAY is above 0 (500 ms by default for file
     * databases): a process killed within that time loses commits the callers were told had succeeded.
     */
    private static void requireDurableH2(Connection connection) throws SQLException {
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'");
           ResultSet row = select.executeQuery()) {
        if (row.next() && Integer.parseInt(row.getString(1).trim()) > 0) {
          throw new CqrsException("the H2 database " + connection.getMetaData().getURL() + " has WRITE_DELAY="
              + row.getString(1).trim() + ": it acknowledges commits up to that many milliseconds before it writes"
              + " them, so a process that dies meanwhile loses appends its callers were told had succeeded; add"
              + " ;WRITE_DELAY=0 to the JDBC URL");
        }
      }
    }
  }
}
