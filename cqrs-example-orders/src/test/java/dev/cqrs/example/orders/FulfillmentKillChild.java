package dev.cqrs.example.orders;

import dev.cqrs.example.orders.Messages.ConfirmOrder;
import dev.cqrs.test.faults.FaultyDataSource;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The child JVM of {@link FulfillmentExactlyOnceTest}: runs the application on a database, confirms an order, and is
 * killed (halted) by the data source right before the fulfillment processor writes its checkpoint, after its
 * reservation commands committed. Arguments: JDBC URL, user, password, order id.
 */
public final class FulfillmentKillChild {

  private FulfillmentKillChild() {
  }

  /**
   * Runs until the kill.
   *
   * @param args URL, user, password, order id
   */
  public static void main(String[] args) {
    FaultyDataSource faulty = FaultyDataSource.wrap(dataSource(args[0], args[1], args[2]));
    OrdersApp app = OrdersApp.onDatabase(faulty); // catches up with the stored events first
    faulty.killProcessBeforeStatement(sql -> sql.contains("checkpoints") && !sql.trim().startsWith("SELECT"));
    app.commands().send(new ConfirmOrder(args[3]));
    app.awaitProcessed(app.store().head());
    System.exit(3); // not reached: the fulfillment processor's checkpoint write kills this JVM
  }

  /** A plain data source for an H2 or PostgreSQL URL. */
  static DataSource dataSource(String url, String user, String password) {
    if (url.startsWith("jdbc:h2:")) {
      JdbcDataSource h2 = new JdbcDataSource();
      h2.setURL(url);
      return h2;
    }
    PGSimpleDataSource postgres = new PGSimpleDataSource();
    postgres.setUrl(url);
    postgres.setUser(user);
    postgres.setPassword(password);
    return postgres;
  }
}
