package dev.cqrs.jdbc.internal;

import dev.cqrs.jdbc.Database;
import dev.cqrs.jdbc.JdbcConfig;

/**
 * The database-clock expressions of the leases table, in a database's SQL, so that every instance times leases by the
 * same clock whatever its own. Immutable.
 *
 * @param now the current time
 * @param later the current time plus a number of milliseconds given as the statement's next parameter
 * @param expired a time a second ago, for a lease given up
 */
record LeaseClock(String now, String later, String expired) {

  static LeaseClock of(JdbcConfig config) {
    return config.database() == Database.POSTGRESQL
        ? new LeaseClock("now()", "now() + (? * interval '1 millisecond')", "now() - interval '1 second'")
        : new LeaseClock("CURRENT_TIMESTAMP", "DATEADD(MILLISECOND, ?, CURRENT_TIMESTAMP)",
            "DATEADD(SECOND, -1, CURRENT_TIMESTAMP)");
  }
}
