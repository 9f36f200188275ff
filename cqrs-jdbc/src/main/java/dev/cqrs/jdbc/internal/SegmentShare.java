package dev.cqrs.jdbc.internal;

import dev.cqrs.jdbc.JdbcConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * This instance's fair share of a segmented processor's segments. Every instance that runs the processor keeps a
 * presence row in the leases table ({@code name[members] instance}, renewed every third of the lease time, gone a lease
 * time after the instance is); an instance takes a free segment only while it holds fewer than
 * {@code ceil(segments / live instances)}, and gives up its highest segments above that share at its next batch (above
 * {@code floor(segments / live instances)} while another live instance holds fewer than that), so that a joining
 * instance gets its part and a dead instance's segments are taken over once its leases and presence have
 * expired. Thread-safe.
 */
public final class SegmentShare {

  private final JdbcConfig config;
  private final String processor;
  private final String presence;
  private final String members;
  private final String instance;
  private final int count;
  private final long leaseMillis;
  private final String table;
  private final String later;
  private final String now;
  private final TreeSet<Integer> held = new TreeSet<>();
  private int live = 1;
  private long refreshedAt;
  private boolean present;
  /** Another live instance holds fewer than its lower share: give down to the lower share, so that it gets some. */
  private boolean starving;

  /**
   * Creates the share of one instance.
   *
   * @param config where the leases table is
   * @param processor the processor's name
   * @param instance this instance's name
   * @param count how many segments the processor has
   * @param leaseMillis the lease time
   */
  public SegmentShare(JdbcConfig config, String processor, String instance, int count, long leaseMillis) {
    this.config = config;
    this.processor = processor;
    this.members = processor + "[members] ";
    this.presence = members + instance;
    this.instance = instance;
    this.count = count;
    this.leaseMillis = leaseMillis;
    this.table = config.table("leases");
    LeaseClock clock = LeaseClock.of(config);
    this.now = clock.now();
    this.later = clock.later();
  }

  /**
   * Tells whether this instance may take one more free segment.
   *
   * @return {@code true} while it holds fewer than its share
   */
  public synchronized boolean mayTake() {
    return held.size() < share();
  }

  /**
   * Tells whether this instance may keep a segment it holds: only its lowest segments up to its share.
   *
   * @param index the segment
   * @return {@code false} when the segment is above this instance's share and should be given up
   */
  public synchronized boolean mayKeep(int index) {
    int share = share();
    int rank = held.headSet(index).size();
    return rank < share;
  }

  /**
   * Records whether this instance holds a segment now.
   *
   * @param index the segment
   * @param holds {@code true} when its lease is held
   */
  public synchronized void held(int index, boolean holds) {
    if (holds) {
      held.add(index);
    } else {
      held.remove(index);
    }
  }

  /** Removes this instance's presence, so that the others take its segments over without waiting for it to expire. */
  public synchronized void leave() {
    held.clear();
    if (!present) {
      return;
    }
    present = false;
    refreshedAt = 0;
    Jdbc.withConnection(config, "leave of '" + presence + "'", c -> {
      try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE processor = ?")) {
        delete.setString(1, presence);
        return delete.executeUpdate();
      }
    });
  }

  /** This instance's share: the segments divided by the live instances, rounded up; renews the presence when due. */
  private int share() {
    long nowNanos = System.nanoTime();
    if (!present || nowNanos - refreshedAt > leaseMillis * 1_000_000L / 3) {
      try {
        live = Math.max(1, Jdbc.inTransaction(config, "presence of '" + presence + "'", this::refresh));
        present = true;
        refreshedAt = nowNanos;
      } catch (RuntimeException e) {
        // keep the last known count and try again soon; a unique violation means another thread of ours inserted
        // the row just now
        refreshedAt = nowNanos - leaseMillis * 1_000_000L / 3 + 100_000_000L;
      }
    }
    return starving ? count / live : (count + live - 1) / live;
  }

  /** Renews this instance's presence, counts the live instances and finds whether one of the others is starving. */
  private int refresh(Connection c) throws SQLException {
    int updated;
    try (PreparedStatement renew = c.prepareStatement("UPDATE " + table + " SET expires_at = " + later
        + " WHERE processor = ?")) {
      renew.setLong(1, leaseMillis);
      renew.setString(2, presence);
      updated = renew.executeUpdate();
    }
    if (updated == 0) {
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table
          + " (processor, owner, fence, expires_at) VALUES (?, ?, 0, " + later + ")")) {
        insert.setString(1, presence);
        insert.setString(2, instance);
        insert.setLong(3, leaseMillis);
        insert.executeUpdate();
      }
    }
    Set<String> instances = new HashSet<>(liveOwners(c, escaped(members) + "%"));
    Map<String, Integer> holdings = new HashMap<>();
    for (String owner : liveOwners(c, escaped(processor) + "[%/" + count + "]")) {
      holdings.merge(owner, 1, Integer::sum);
    }
    int floor = count / Math.max(1, instances.size());
    starving = instances.stream().anyMatch(other -> !other.equals(instance)
        && holdings.getOrDefault(other, 0) < floor);
    return instances.size();
  }

  /** The owners of the unexpired rows whose processor matches a LIKE pattern (escape character '!'). */
  private List<String> liveOwners(Connection c, String pattern) throws SQLException {
    List<String> owners = new ArrayList<>();
    try (PreparedStatement select = c.prepareStatement("SELECT owner FROM " + table
        + " WHERE processor LIKE ? ESCAPE '!' AND expires_at > " + now)) {
      select.setString(1, pattern);
      try (ResultSet result = select.executeQuery()) {
        while (result.next()) {
          owners.add(result.getString(1));
        }
      }
    }
    return owners;
  }

  private static String escaped(String likeText) {
    return likeText.replace("!", "!!").replace("%", "!%").replace("_", "!_");
  }

  @Override
  public synchronized String toString() {
    return "share of '" + presence + "': " + held + " of " + count + " segments, " + live + " instances";
  }
}
