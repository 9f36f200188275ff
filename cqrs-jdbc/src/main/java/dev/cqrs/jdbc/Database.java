package dev.cqrs.jdbc;

import java.util.Locale;

/** The databases the JDBC backend supports; each has its own SQL and its own way to keep the global order safe. */
public enum Database {
  /**
   * PostgreSQL 15 and later: appends to different streams run concurrently; readers only read rows older than every
   * transaction still appending, so late commits are never skipped.
   */
  POSTGRESQL("postgresql"),
  /** H2 2.x, the embedded default: appends take one counter row's lock, so positions commit in order. */
  H2("h2");

  private final String folder;

  Database(String folder) {
    this.folder = folder;
  }

  /**
   * Returns the resource folder that holds this database's migration files ({@code cqrs-migrations/FOLDER/}).
   *
   * @return the folder name
   */
  public String folder() {
    return folder;
  }

  /**
   * Recognizes a database from its JDBC product name.
   *
   * @param productName what {@code DatabaseMetaData.getDatabaseProductName()} says
   * @return the database
   * @throws IllegalArgumentException if it is not supported
   */
  public static Database fromProductName(String productName) {
    String name = productName.toLowerCase(Locale.ROOT);
    if (name.contains("postgres")) {
      return POSTGRESQL;
    }
    if (name.equals("h2")) {
      return H2;
    }
    throw new IllegalArgumentException("database '" + productName + "' is not supported; use PostgreSQL or H2");
  }
}
