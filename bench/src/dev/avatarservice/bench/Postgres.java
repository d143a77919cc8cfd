package dev.avatarservice.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.avatarservice.bench.Bench.log;

/**
 * The throw-away PostgreSQL of a benchmark run (bench/postgres.sh: Debian's package, a data folder
 * of its own, run as the {@code postgres} user when the benchmark runs as root), started once on the
 * server cores with taskset like the nodes (its processes inherit the affinity), with a fresh
 * database for each scenario; and its CPU time, read from /proc like a node's.
 */
final class Postgres implements AutoCloseable {

  static final String USER = "avatar";
  static final String PASSWORD = "avatar";

  private final Path script;
  private final Path dir;
  private final int port;

  private Postgres(Path script, Path dir, int port) {
    this.script = script;
    this.dir = dir;
    this.port = port;
  }

  /** Whether Debian's PostgreSQL binaries are installed (bench/postgres.sh looks there). */
  static boolean installed() {
    try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions.anyMatch(version -> Files.isExecutable(version.resolve("bin/postgres")));
    } catch (IOException e) {
      return false;
    }
  }

  /** initdb and start in {@code dir} on {@code cpus}; fails with the script's output if it cannot. */
  static Postgres start(Path script, Path dir, String cpus) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    int port = Proc.freePort();
    Postgres postgres = new Postgres(script, dir, port);
    postgres.run("taskset", "-c", cpus, script.toString(), "start", dir.toString(), Integer.toString(port));
    log("started PostgreSQL (postmaster pid %d) on cores %s, port %d, data %s", postgres.postmasterPid(), cpus, port,
      dir.resolve("data"));
    return postgres;
  }

  /** A fresh, empty database {@code name} (dropped first if it exists); its JDBC URL. */
  String freshDatabase(String name) throws IOException, InterruptedException {
    List<String> lines = run(script.toString(), "database", dir.toString(), Integer.toString(port), name);
    return lines.get(lines.size() - 1).trim();
  }

  /** What a node needs to use the database at {@code url}. */
  static Map<String, String> nodeEnv(String url) {
    return Map.of("DB_URL", url, "DB_USER", USER, "DB_PASSWORD", PASSWORD);
  }

  /** The tables a node made in the database at {@code url}: none means it did not use PostgreSQL. */
  static int tables(String url) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url, USER, PASSWORD);
         Statement statement = connection.createStatement();
         ResultSet result = statement.executeQuery(
           "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()")) {
      result.next();
      return result.getInt(1);
    }
  }

  /** Fails unless the node has made its schema in the database at {@code url}. */
  static void requireSchema(String url, Proc node) throws SQLException {
    if (tables(url) == 0) {
      throw new IllegalStateException("the node is ready but made no table in " + url + ": this build does not use"
        + " DB_URL (PostgreSQL support is in the store, branch issue-pg)\n" + node.tail(20));
    }
  }

  long postmasterPid() {
    try {
      return Long.parseLong(Files.readAllLines(dir.resolve("data/postmaster.pid")).get(0).trim());
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("PostgreSQL in " + dir + " is not running: " + e.getMessage(), e);
    }
  }

  /**
   * CPU time of the whole PostgreSQL so far: the postmaster's own, its live children's (backends,
   * checkpointer, WAL writer...), and that of the children that ended (cutime + cstime, counted once
   * the postmaster has reaped them). Differences of two readings are PostgreSQL's CPU in between.
   */
  long cpuNanos() {
    long postmaster = postmasterPid();
    String[] fields = Proc.statFields(postmaster);
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
      + Long.parseLong(fields[14]);
    long nanos = ticks * 1_000_000_000L / Proc.CLK_TCK;
    try (var all = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) all::iterator) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String[] child = Proc.statFields(Long.parseLong(name));
          if (Long.parseLong(child[1]) == postmaster) {
            nanos += (Long.parseLong(child[11]) + Long.parseLong(child[12])) * 1_000_000_000L / Proc.CLK_TCK;
          }
        } catch (RuntimeException gone) {
          // the process ended meanwhile
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return nanos;
  }

  @Override
  public void close() {
    try {
      run(script.toString(), "stop", dir.toString());
    } catch (IOException | RuntimeException e) {
      log("PostgreSQL did not stop cleanly: %s", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private List<String> run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
    }
    return new ArrayList<>(out.lines().toList());
  }
}
