package dev.cqrs.jdbc.internal;

import dev.cqrs.core.DeadLetter;
import dev.cqrs.core.DeadLetterStore;
import dev.cqrs.core.spi.LeaseLostException;
import dev.cqrs.core.spi.ProcessingCoordinator;
import dev.cqrs.jdbc.JdbcConfig;
import dev.cqrs.jdbc.JdbcDeadLetterStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases in the {@code leases} table, timed by the database's clock, and batches in transactions that check the
 * lease's fence under the row's lock before they commit. Renewal happens on {@link #acquire()} when a third of the lease
 * time has passed, and every third of the lease time while a batch runs, from a renewal thread, so that a batch longer
 * than the lease still commits. A reset takes the lease over in the reset's own transaction.
 * The connection of the running batch is available to the projection and checkpoint adapters through
 * {@link #currentConnection()}; only the processor's thread runs batches. Thread-safe.
 */
public final class LeaseCoordinator implements ProcessingCoordinator {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseCoordinator.class);
  /** How many lease times a running batch keeps its lease by renewal. */
  private static final int RENEWED_LEASES_PER_BATCH = 10;

  private final JdbcConfig config;
  private final String processor;
  private final String owner;
  private final long leaseMillis;
  private final String table;
  private final String now;
  private final String later;
  private final String expired;

  private volatile long fence = -1;
  private volatile SegmentShare share;
  private volatile int index;
  private volatile long renewedAt;
  private volatile Connection current;
  private volatile boolean savepoints;
  /** A dead-letter retry runs: events are applied at once, under a savepoint, not collected for a batch write. */
  private volatile boolean retrying;
  private ScheduledExecutorService renewer;

  /**
   * Creates a coordinator.
   *
   * @param config where the tables are
   * @param processor the processor's name
   * @param owner this instance's name
   * @param leaseDuration how long a lease lasts without renewal
   */
  public LeaseCoordinator(JdbcConfig config, String processor, String owner, Duration leaseDuration) {
    this.config = config;
    this.processor = processor;
    this.owner = owner;
    this.leaseMillis = leaseDuration.toMillis();
    this.table = config.table("leases");
    LeaseClock clock = LeaseClock.of(config);
    this.now = clock.now();
    this.later = clock.later();
    this.expired = clock.expired();
  }

  /**
   * Returns the fencing version this instance holds.
   *
   * @return the fence, or -1 when it holds no lease
   */
  public long fence() {
    return fence;
  }

  /**
   * Returns the connection of the batch running now, if any.
   *
   * @return the connection, or null outside a batch
   */
  public Connection currentConnection() {
    return current;
  }

  /**
   * Tells whether the running batch applies each event under a savepoint (after a failure aborted the batch once).
   *
   * @return {@code true} in careful mode
   */
  public boolean savepoints() {
    return savepoints || retrying;
  }

  /** Makes the next run of the batch apply each event under a savepoint, until a batch commits. */
  public void useSavepointsForRetry() {
    savepoints = true;
  }

  /**
   * Makes this the lease of one segment of a segmented processor, taken and kept only within this instance's share.
   *
   * @param share this instance's share of the processor's segments
   * @param index the segment's number
   * @return this coordinator
   */
  public LeaseCoordinator sharing(SegmentShare share, int index) {
    this.share = share;
    this.index = index;
    return this;
  }

  @Override
  public boolean acquire() {
    SegmentShare segments = share;
    if (segments != null) {
      if (fence < 0) {
        segments.held(index, false); // lost since (a batch found another fence, a reset took it over)
      }
      if (fence >= 0 && !segments.mayKeep(index)) {
        LOG.info("{} is above this instance's share of the segments; handing it over", this);
        release();
        return false;
      }
      if (fence < 0 && !segments.mayTake()) {
        return false;
      }
      boolean held = acquireLease();
      segments.held(index, held);
      return held;
    }
    return acquireLease();
  }

  private boolean acquireLease() {
    if (fence >= 0 && System.nanoTime() - renewedAt < leaseMillis * 1_000_000L / 3) {
      return true;
    }
    long known = fence;
    long started = System.nanoTime();
    Long granted;
    try {
      granted = Jdbc.inTransaction(config, "lease of processor '" + processor + "'",
          connection -> takeOrRenew(connection, known));
    } catch (RuntimeException e) {
      if (isUniqueViolation(e)) {
        granted = null; // another instance created the lease row at the same moment
      } else {
        throw e;
      }
    }
    if (granted == null) {
      fence = -1;
      return false;
    }
    fence = granted;
    renewedAt = started;
    if (known >= 0 && granted != known) {
      // The lease was someone else's in between (a reset took it over, another instance held it): whatever this
      // instance knew of the checkpoint is stale. Answer "not now" once, so that the processor reloads it.
      return false;
    }
    return true;
  }

  private static boolean isUniqueViolation(RuntimeException e) {
    return e.getCause() instanceof SQLException sql && Jdbc.isUniqueViolation(sql);
  }

  private Long takeOrRenew(Connection connection, long known) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT owner, fence, CASE WHEN expires_at < " + now
        + " THEN 1 ELSE 0 END FROM " + table + " WHERE processor = ? FOR UPDATE")) {
      select.setString(1, processor);
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table
              + " (processor, owner, fence, expires_at) VALUES (?, ?, 1, " + later + ")")) {
            insert.setString(1, processor);
            insert.setString(2, owner);
            insert.setLong(3, leaseMillis);
            insert.executeUpdate();
          }
          return 1L;
        }
        // Ours even when the fence we know is not the stored one: a take-over whose commit was not acknowledged
        // stored our name with a new fence. Batches still check the fence they started with.
        boolean mine = owner.equals(row.getString(1));
        boolean free = row.getInt(3) == 1;
        if (!mine && !free) {
          return null;
        }
        long next = mine ? row.getLong(2) : row.getLong(2) + 1;
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + table
            + " SET owner = ?, fence = ?, expires_at = " + later + " WHERE processor = ?")) {
          update.setString(1, owner);
          update.setLong(2, next);
          update.setLong(3, leaseMillis);
          update.setString(4, processor);
          update.executeUpdate();
        }
        return next;
      }
    }
  }

  /**
   * Runs the batch in one transaction and, just before committing, locks the lease row and checks that this instance
   * still holds its fence. The lock is held only from that check to the commit, so a stalled holder does not keep
   * others from taking over; a take-over that starts after the check waits for the commit and then loads the
   * checkpoint it committed.
   */
  @Override
  public <T> T inBatch(Supplier<T> batch) {
    long held = fence;
    long giveUpAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(leaseMillis * RENEWED_LEASES_PER_BATCH);
    ScheduledFuture<?> renewing = renewer().scheduleWithFixedDelay(() -> renew(held, giveUpAt), leaseMillis / 3,
        leaseMillis / 3, TimeUnit.MILLISECONDS);
    T committed;
    try {
      committed = Jdbc.inTransaction(config, "batch of processor '" + processor + "'",
          connection -> runAndCheckFence(connection, batch, held));
    } finally {
      renewing.cancel(false);
    }
    savepoints = false;
    return committed;
  }

  /**
   * Extends the lease while a batch runs, in a short transaction of its own, so that a batch longer than the lease
   * still commits with a standby instance waiting; only while this instance still holds the fence its batch started
   * with. A batch whose renewal fails (the lease was taken over) fails its fence check before it commits. Renewal stops
   * once the batch has run for {@value #RENEWED_LEASES_PER_BATCH} lease times, so that a batch stuck for good (a hung
   * handler or query) lets a standby instance take over.
   */
  private void renew(long held, long giveUpAt) {
    long started = System.nanoTime();
    if (started - giveUpAt > 0) {
      return;
    }
    try {
      int renewed = Jdbc.withConnection(config, "renewal of the lease of processor '" + processor + "'",
          c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE " + table + " SET expires_at = " + later
                + " WHERE processor = ? AND owner = ? AND fence = ?")) {
              update.setLong(1, leaseMillis);
              update.setString(2, processor);
              update.setString(3, owner);
              update.setLong(4, held);
              return update.executeUpdate();
            }
          });
      if (renewed > 0) {
        renewedAt = started;
      }
    } catch (RuntimeException e) {
      LOG.debug("could not renew {} during a batch; the batch checks its fence before it commits", this, e);
    }
  }

  private synchronized ScheduledExecutorService renewer() {
    if (renewer == null) {
      renewer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("cqrs-lease-renewal"));
    }
    return renewer;
  }

  private <T> T runAndCheckFence(Connection connection, Supplier<T> batch, long held) throws SQLException {
    T result;
    current = connection;
    try {
      result = batch.get();
    } finally {
      current = null;
    }
    try (PreparedStatement check = connection.prepareStatement(
        "SELECT owner, fence FROM " + table + " WHERE processor = ? FOR UPDATE")) {
      check.setString(1, processor);
      try (ResultSet row = check.executeQuery()) {
        if (!row.next() || !owner.equals(row.getString(1)) || row.getLong(2) != held) {
          fence = -1;
          throw new LeaseLostException("processor '" + processor + "' instance '" + owner + "' no longer holds"
              + " fence " + held + " of its lease; its batch is rolled back");
        }
      }
    }
    return result;
  }

  /**
   * Takes the lease over, whoever holds it, and runs the reset in the same transaction: the new fence stops the old
   * holder's next batch, and the reset commits with it or not at all.
   */
  @Override
  public void reset(Runnable reset) {
    long taken = Jdbc.inTransaction(config, "reset of processor '" + processor + "'", connection -> {
      long next;
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT fence FROM " + table + " WHERE processor = ? FOR UPDATE")) {
        select.setString(1, processor);
        try (ResultSet row = select.executeQuery()) {
          next = row.next() ? row.getLong(1) + 1 : 1;
        }
      }
      try (PreparedStatement upsert = connection.prepareStatement(next == 1
          ? "INSERT INTO " + table + " (owner, fence, expires_at, processor) VALUES (?, ?, " + later + ", ?)"
          : "UPDATE " + table + " SET owner = ?, fence = ?, expires_at = " + later + " WHERE processor = ?")) {
        upsert.setString(1, owner);
        upsert.setLong(2, next);
        upsert.setLong(3, leaseMillis);
        upsert.setString(4, processor);
        upsert.executeUpdate();
      }
      current = connection;
      try {
        reset.run();
      } finally {
        current = null;
      }
      return next;
    });
    fence = taken;
    renewedAt = System.nanoTime();
  }

  /**
   * Removes the dead letter and applies its event in one transaction (the removal first: it locks the row, so a
   * concurrent retry waits and then finds it gone).
   */
  @Override
  public boolean retryDeadLetter(DeadLetterStore store, DeadLetter letter, Runnable apply) {
    if (!(store instanceof JdbcDeadLetterStore jdbc)) {
      return ProcessingCoordinator.super.retryDeadLetter(store, letter, apply);
    }
    return Jdbc.inTransaction(config, "retry of dead letter " + letter.id(), connection -> {
      if (!jdbc.remove(connection, letter.id())) {
        return false;
      }
      current = connection;
      retrying = true;
      try {
        apply.run();
      } finally {
        current = null;
        retrying = false;
      }
      return true;
    });
  }

  @Override
  public void saveDeadLetter(DeadLetterStore store, DeadLetter letter) {
    Connection connection = current;
    if (connection != null && store instanceof JdbcDeadLetterStore jdbc) {
      try {
        jdbc.save(connection, letter);
      } catch (SQLException e) {
        throw Jdbc.translate(e, "save of dead letter " + letter.id());
      }
      return;
    }
    store.save(letter);
  }

  @Override
  public void release() {
    synchronized (this) {
      if (renewer != null) {
        renewer.shutdownNow();
        renewer = null;
      }
    }
    long held = fence;
    fence = -1;
    SegmentShare segments = share;
    if (segments != null) {
      segments.held(index, false);
    }
    if (held < 0) {
      return;
    }
    Jdbc.withConnection(config, "release of the lease of processor '" + processor + "'", c -> {
      try (PreparedStatement update = c.prepareStatement("UPDATE " + table + " SET expires_at = " + expired
          + " WHERE processor = ? AND owner = ? AND fence = ?")) {
        update.setString(1, processor);
        update.setString(2, owner);
        update.setLong(3, held);
        return update.executeUpdate();
      }
    });
  }

  @Override
  public String toString() {
    return "lease of '" + processor + "' for '" + owner + "'";
  }
}
