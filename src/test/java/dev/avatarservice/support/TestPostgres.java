package dev.avatarservice.support;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Debian's PostgreSQL for tests: one server per test JVM, started on first use from
 * {@code /usr/lib/postgresql/<version>/bin} into a temporary folder (owned by {@code postgres} and
 * started through {@code runuser} when the tests run as root, which PostgreSQL refuses), on a free
 * port, with its socket in that folder, fsync off, and stopped when the JVM exits. Each caller of
 * {@link #newDatabase()} gets a fresh database of its own.
 *
 * <p>Where PostgreSQL cannot be started, {@link #newDatabase()} skips the test with the reason
 * (a JUnit assumption), except when the environment variable CI is true: then the test fails.
 */
public final class TestPostgres {

  private static final Path INSTALL = Path.of("/usr/lib/postgresql");
  private static final String SUPERUSER = "postgres";
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static Server server;
  private static String unavailable;

  private TestPostgres() {
  }

  /** A new, empty database: its JDBC URL, for DB_URL (user {@link #user()}, no password). */
  public static synchronized String newDatabase() {
    Server started = server();
    String name = "avatar_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    try (Connection admin = DriverManager.getConnection(started.url("postgres"), SUPERUSER, "");
         Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a test database", e);
    }
    return started.url(name);
  }

  public static String user() {
    return SUPERUSER;
  }

  /** Whether PostgreSQL can run here (starting it if needed); never skips nor fails. */
  public static synchronized boolean available() {
    try {
      server();
      return true;
    } catch (org.opentest4j.TestAbortedException | IllegalStateException e) {
      return false;
    }
  }

  /** The configuration keys of a node on a new database. */
  public static Map<String, Object> config() {
    Map<String, Object> config = new HashMap<>();
    config.put("DB_URL", newDatabase());
    config.put("DB_USER", user());
    return config;
  }

  private static Server server() {
    if (server != null) {
      return server;
    }
    if (unavailable == null) {
      try {
        server = Server.start();
        return server;
      } catch (Exception e) {
        unavailable = e.getMessage();
      }
    }
    String reason = "PostgreSQL is not available: " + unavailable;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(reason + " (CI=true: install it, e.g. apt-get install postgresql)");
    }
    Assumptions.abort(reason);
    throw new IllegalStateException(reason);
  }

  private record Server(Path dir, Path bin, int port, boolean asRoot) {

    String url(String database) {
      return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    static Server start() throws IOException, InterruptedException {
      Path bin = binaries();
      boolean asRoot = "root".equals(System.getProperty("user.name"));
      Path dir = Files.createTempDirectory("avatar-service-pg");
      Path data = dir.resolve("data");
      if (asRoot) {
        run(List.of("chown", SUPERUSER, dir.toString()), false);
      }
      int port = TestNode.freePort();
      run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", SUPERUSER, "-A", "trust",
        "-E", "UTF8", "--no-sync"), asRoot);
      run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60",
        "-l", dir.resolve("server.log").toString(),
        "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
          + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=300", "start"), asRoot);
      Server started = new Server(dir, bin, port, asRoot);
      Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "test-postgres-stop"));
      return started;
    }

    void stop() {
      try {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w",
          "stop"), asRoot);
      } catch (Exception ignored) {
        // the JVM is exiting: the temporary folder goes below either way
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException ignored) {
        // best effort
      }
    }

    /** The newest installed version's binaries. */
    private static Path binaries() throws IOException {
      if (!Files.isDirectory(INSTALL)) {
        throw new IOException(INSTALL + " is missing (apt-get install postgresql)");
      }
      try (Stream<Path> versions = Files.list(INSTALL)) {
        return versions.map(version -> version.resolve("bin"))
          .filter(bin -> Files.isExecutable(bin.resolve("pg_ctl")))
          .max(Comparator.comparing(bin -> {
            try {
              return Integer.parseInt(bin.getParent().getFileName().toString());
            } catch (NumberFormatException e) {
              return 0;
            }
          }))
          .orElseThrow(() -> new IOException("no pg_ctl under " + INSTALL));
      }
    }

    private static void run(List<String> command, boolean asRoot) throws IOException, InterruptedException {
      List<String> full = new ArrayList<>();
      if (asRoot) {
        full.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
      }
      full.addAll(command);
      Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException(command.get(0).substring(command.get(0).lastIndexOf('/') + 1) + " failed: " + output.strip());
      }
    }
  }
}
