package dev.cqrs.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * A real PostgreSQL primary with a real streaming replica, both started by the test: the primary with
 * {@code wal_level=replica}; the replica from a base backup taken with {@code pg_backup_start}/{@code pg_backup_stop}
 * and a copy of the data directory (the embedded binaries have no {@code pg_basebackup}), then started as a hot standby
 * that streams from the primary. The replica can be paused, resumed and restarted on the same port.
 */
final class StreamingReplica implements AutoCloseable {

  private final Path primaryDirectory;
  private final Path replicaDirectory;
  private final EmbeddedPostgres primary;
  private EmbeddedPostgres replica;
  private int replicaPort;

  StreamingReplica() throws IOException, SQLException {
    primaryDirectory = Files.createTempDirectory("cqrs-primary");
    replicaDirectory = Files.createTempDirectory("cqrs-replica");
    primary = EmbeddedPostgres.builder().setDataDirectory(primaryDirectory).setCleanDataDirectory(true)
        .setServerConfig("wal_level", "replica").setServerConfig("max_wal_senders", "5")
        .setServerConfig("wal_keep_size", "256MB").setServerConfig("hot_standby", "on").start();
    baseBackup();
    Files.writeString(replicaDirectory.resolve("standby.signal"), "");
    Files.writeString(replicaDirectory.resolve("postgresql.auto.conf"),
        "primary_conninfo = 'host=localhost port=" + primary.getPort() + " user=postgres'\n",
        StandardOpenOption.APPEND);
    replica = startReplica(0);
    replicaPort = replica.getPort();
  }

  private void baseBackup() throws IOException, SQLException {
    try (Connection connection = primary.getPostgresDatabase().getConnection();
         Statement statement = connection.createStatement()) {
      statement.execute("SELECT pg_backup_start('cqrs-replica', true)");
      List<Path> files;
      try (Stream<Path> walk = Files.walk(primaryDirectory)) {
        files = walk.toList();
      }
      for (Path file : files) {
        String name = primaryDirectory.relativize(file).toString();
        if (name.equals("postmaster.pid") || name.equals("postmaster.opts") || name.startsWith("pg_wal/")) {
          continue; // the replica streams the WAL from the primary
        }
        Path target = replicaDirectory.resolve(name);
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          try {
            Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
          } catch (NoSuchFileException removedMeanwhile) {
            // a temporary file the server removed during the copy
          }
        }
      }
      Files.createDirectories(replicaDirectory.resolve("pg_wal/archive_status"));
      try (ResultSet stop = statement.executeQuery("SELECT labelfile FROM pg_backup_stop(true)")) {
        stop.next();
        Files.writeString(replicaDirectory.resolve("backup_label"), stop.getString(1));
      }
    }
  }

  private EmbeddedPostgres startReplica(int port) throws IOException {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setDataDirectory(replicaDirectory)
        .setCleanDataDirectory(false);
    if (port > 0) {
      builder.setPort(port);
    }
    return builder.start();
  }

  DataSource primary() {
    return primary.getPostgresDatabase();
  }

  /** The replica's data source; it keeps working across {@link #restartReplica()}, which keeps the port. */
  DataSource replica() {
    return replica.getPostgresDatabase();
  }

  /** Stops replaying the primary's changes, as a replica that lags does. */
  void pauseReplay() {
    replicaStatement("SELECT pg_wal_replay_pause()");
  }

  /** Replays the primary's changes again. */
  void resumeReplay() {
    replicaStatement("SELECT pg_wal_replay_resume()");
  }

  void stopReplica() throws IOException {
    replica.close();
  }

  void startReplica() throws IOException {
    replica = startReplica(replicaPort);
  }

  private void replicaStatement(String sql) {
    try (Connection connection = replica().getConnection(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed on the replica", e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      replica.close();
    } finally {
      primary.close();
      deleteQuietly(primaryDirectory);
      deleteQuietly(replicaDirectory);
    }
  }

  private static void deleteQuietly(Path directory) {
    try (Stream<Path> walk = Files.walk(directory)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // a temporary directory
    }
  }
}
