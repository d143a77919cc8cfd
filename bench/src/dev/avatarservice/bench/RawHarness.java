package dev.avatarservice.bench;

import dev.avatarservice.account.Argon2Settings;
import dev.avatarservice.account.PasswordHasher;
import dev.avatarservice.image.AvatarImageProcessor;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The physical limits, measured in a process of their own pinned to the server's cores (not a
 * test): the project's own code without HTTP, event bus or event loop. Reads one command per line on
 * stdin and answers one line on stdout, {@code ops seconds cpuNanos}, so that the benchmark can
 * alternate these rounds with rounds against the server while both JVMs stay warm.
 *
 * <ul>
 *   <li>{@code hash THREADS SECONDS MEMORY_KIB ITERATIONS PARALLELISM}: {@link PasswordHasher#verify}
 *       (one Argon2id computation, what a login costs) in a loop on THREADS threads;</li>
 *   <li>{@code image THREADS SECONDS}: {@link AvatarImageProcessor#process} of {@link BenchImage} in a loop (the avatar and its variants);</li>
 *   <li>{@code sqlite FILE SECONDS SYNCHRONOUS BUSY_TIMEOUT_MS}: one writer doing the refresh
 *       rotation's transaction (UPDATE ... RETURNING, INSERT, SELECT of the user, COMMIT) with plain
 *       JDBC on a file with the store's pragmas and schema.</li>
 *   <li>{@code postgres URL SECONDS THREADS}: the refresh rotation's transaction on PostgreSQL
 *       (UPDATE ... RETURNING with the session check, INSERT of the next token, UPDATE of the
 *       session, COMMIT), each of THREADS threads on a connection of its own rotating its own chain,
 *       in a database (URL, user and password {@code avatar}) given the store's PostgreSQL schema.</li>
 * </ul>
 */
public final class RawHarness {

  private RawHarness() {
  }

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] cmd = line.trim().split(" ");
      long cpu0 = Proc.selfCpuNanos();
      long t0 = System.nanoTime();
      long ops = switch (cmd[0]) {
        case "hash" -> hash(Integer.parseInt(cmd[1]), Double.parseDouble(cmd[2]),
          new Argon2Settings(Integer.parseInt(cmd[3]), Integer.parseInt(cmd[4]), Integer.parseInt(cmd[5])));
        case "image" -> image(Integer.parseInt(cmd[1]), Double.parseDouble(cmd[2]));
        case "sqlite" -> sqlite(cmd[1], Double.parseDouble(cmd[2]), cmd[3], Integer.parseInt(cmd[4]));
        case "postgres" -> postgres(cmd[1], Double.parseDouble(cmd[2]), Integer.parseInt(cmd[3]));
        case "quit" -> -1;
        default -> throw new IllegalArgumentException("unknown command " + line);
      };
      if (ops < 0) {
        return;
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.println(ops + " " + seconds + " " + (Proc.selfCpuNanos() - cpu0));
      System.out.flush();
    }
  }

  private interface Op {
    void run() throws Exception;
  }

  /** Runs {@code op} in a loop on {@code threads} threads for the time given; the count of completed ops. */
  private static long loop(int threads, double seconds, Op op) throws Exception {
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Long>> workers = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        workers.add(pool.submit(() -> {
          long count = 0;
          while (System.nanoTime() < deadline) {
            op.run();
            count++;
          }
          return count;
        }));
      }
      long total = 0;
      for (Future<Long> worker : workers) {
        total += worker.get();
      }
      return total;
    } finally {
      pool.shutdown();
    }
  }

  private static PasswordHasher hasher;
  private static String stored;

  private static long hash(int threads, double seconds, Argon2Settings settings) throws Exception {
    if (hasher == null || !hasher.settings().equals(settings)) {
      hasher = new PasswordHasher(settings);
      stored = hasher.hash(Api.PASSWORD);
    }
    AtomicBoolean wrong = new AtomicBoolean();
    long ops = loop(threads, seconds, () -> {
      if (!hasher.verify(Api.PASSWORD, stored)) {
        wrong.set(true);
      }
    });
    if (wrong.get()) {
      throw new IllegalStateException("verify failed");
    }
    return ops;
  }

  private static AvatarImageProcessor processor;
  private static byte[] jpeg;

  private static long image(int threads, double seconds) throws Exception {
    if (processor == null) {
      processor = new AvatarImageProcessor(AvatarImageProcessor.DEFAULT_MAX_PIXELS, AvatarImageProcessor.DEFAULT_MAX_SIDE,
        AvatarImageProcessor.DEFAULT_SIZES, AvatarImageProcessor.DEFAULT_DECODE_MEMORY, AvatarImageProcessor.DEFAULT_CPU_BUDGET_MS);
      jpeg = BenchImage.jpeg();
    }
    return loop(threads, seconds, () -> processor.process(jpeg));
  }

  private static Connection connection;
  private static long sequence;

  /**
   * The refresh rotation as one writer would do it at best: statements prepared once, one
   * transaction per rotation, each commit durable (WAL, synchronous as configured).
   */
  private static long sqlite(String file, double seconds, String synchronous, int busyTimeout) throws Exception {
    if (connection == null) {
      // The pragmas of store/Database.java, in the URL as there.
      connection = DriverManager.getConnection("jdbc:sqlite:" + file + "?foreign_keys=true&busy_timeout=" + busyTimeout
        + "&transaction_mode=IMMEDIATE&journal_mode=WAL&synchronous=" + synchronous);
      try (Statement statement = connection.createStatement()) {
        for (String sql : statements(resource(SQLITE_SCHEMA))) {
          statement.execute(sql);
        }
        statement.execute("INSERT INTO users (id, identifier, identifier_key, password_hash, registered_at)"
          + " VALUES ('00000000-0000-4000-8000-000000000001', 'raw', 'raw', 'x', 0)");
        statement.execute("INSERT INTO refresh_tokens (token_hash, family_id, user_id, issued_at, expires_at)"
          + " VALUES ('" + token(0) + "', 'family', '00000000-0000-4000-8000-000000000001', 0, 9999999999)");
      }
      connection.setAutoCommit(false);
    }
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    long ops = 0;
    try (PreparedStatement rotate = connection.prepareStatement("UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?"
           + " AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ? RETURNING family_id, user_id");
         PreparedStatement insert = connection.prepareStatement("INSERT INTO refresh_tokens"
           + " (token_hash, family_id, user_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)");
         PreparedStatement user = connection.prepareStatement(
           "SELECT id, identifier, avatar_file, registered_at FROM users WHERE id = ?")) {
      while (System.nanoTime() < deadline) {
        long now = System.currentTimeMillis() / 1000;
        rotate.setLong(1, now);
        rotate.setString(2, token(sequence));
        rotate.setLong(3, now);
        String family;
        String userId;
        try (ResultSet rotated = rotate.executeQuery()) {
          if (!rotated.next()) {
            throw new IllegalStateException("token " + sequence + " was not rotated");
          }
          family = rotated.getString(1);
          userId = rotated.getString(2);
        }
        insert.setString(1, token(sequence + 1));
        insert.setString(2, family);
        insert.setString(3, userId);
        insert.setLong(4, now);
        insert.setLong(5, now + 2_592_000);
        insert.executeUpdate();
        user.setString(1, userId);
        try (ResultSet row = user.executeQuery()) {
          row.next();
          row.getString(2);
        }
        connection.commit();
        sequence++;
        ops++;
      }
    }
    return ops;
  }

  /** The accounts migration of SQLite: in a folder of its own once PostgreSQL has one too. */
  private static final String SQLITE_SCHEMA = RawHarness.class.getClassLoader()
    .getResource("db/migration/sqlite/V1__accounts.sql") != null
    ? "db/migration/sqlite/V1__accounts.sql" : "db/migration/V1__accounts.sql";
  /** Where the store's PostgreSQL migrations are, on the class path (target/classes). */
  private static final String POSTGRES_MIGRATIONS = "db/migration/postgresql";

  /** One rotating chain of refresh tokens on a connection of its own. */
  private static final class Lane {
    final Connection connection;
    final String userId;
    final String sessionId;
    final int id;
    long sequence;
    final PreparedStatement rotate;
    final PreparedStatement insert;
    final PreparedStatement touch;

    Lane(Connection connection, int id) throws Exception {
      this.connection = connection;
      this.id = id;
      this.userId = String.format("00000000-0000-4000-8000-%012d", id);
      this.sessionId = String.format("00000000-0000-4000-9000-%012d", id);
      // the statements of store/Accounts.refresh, prepared once (server-side after the driver's 5th use)
      rotate = connection.prepareStatement("UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?"
        + " AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?"
        + " AND family_id IN (SELECT id FROM sessions WHERE created_at > ?) RETURNING family_id, user_id");
      insert = connection.prepareStatement("INSERT INTO refresh_tokens (token_hash, family_id, user_id, issued_at,"
        + " expires_at) VALUES (?, ?, ?, ?, ?)");
      touch = connection.prepareStatement("UPDATE sessions SET last_used_at = ? WHERE id = ?");
    }

    void rotate() throws Exception {
      long nowMillis = System.currentTimeMillis();
      long now = nowMillis / 1000;
      rotate.setLong(1, now);
      rotate.setString(2, token(id + "-" + sequence));
      rotate.setLong(3, now);
      rotate.setLong(4, nowMillis - 86_400_000L * 365);
      String family;
      String user;
      try (ResultSet rotated = rotate.executeQuery()) {
        if (!rotated.next()) {
          throw new IllegalStateException("token " + id + "-" + sequence + " was not rotated");
        }
        family = rotated.getString(1);
        user = rotated.getString(2);
      }
      insert.setString(1, token(id + "-" + (sequence + 1)));
      insert.setString(2, family);
      insert.setString(3, user);
      insert.setLong(4, now);
      insert.setLong(5, now + 2_592_000);
      insert.executeUpdate();
      touch.setLong(1, nowMillis);
      touch.setString(2, family);
      touch.executeUpdate();
      connection.commit();
      sequence++;
    }
  }

  private static final List<Lane> lanes = new ArrayList<>();

  /**
   * The refresh rotation on PostgreSQL at best: {@code threads} connections, each rotating its own
   * session's chain (no two transactions touch the same rows, as 16 clients rotating their own
   * sessions), statements prepared once, every commit durable (the server's fsync, on by default).
   */
  private static long postgres(String url, double seconds, int threads) throws Exception {
    // string parameters typed by the server: the same statements whether ids are text or uuid
    String jdbc = url + (url.contains("?") ? "&" : "?") + "stringtype=unspecified";
    if (lanes.isEmpty()) {
      try (Connection setup = DriverManager.getConnection(jdbc, "avatar", "avatar");
           Statement statement = setup.createStatement()) {
        for (String migration : postgresMigrations()) {
          for (String sql : statements(resource(migration))) {
            statement.execute(sql);
          }
        }
      }
    }
    while (lanes.size() < threads) {
      int id = lanes.size();
      Connection connection = DriverManager.getConnection(jdbc, "avatar", "avatar");
      Lane lane = new Lane(connection, id);
      try (PreparedStatement user = connection.prepareStatement("INSERT INTO users (id, identifier, identifier_key,"
             + " password_hash, registered_at) VALUES (?, ?, ?, 'x', 0)");
           PreparedStatement session = connection.prepareStatement("INSERT INTO sessions (id, user_id, created_at,"
             + " last_used_at) VALUES (?, ?, ?, ?)");
           PreparedStatement first = connection.prepareStatement("INSERT INTO refresh_tokens (token_hash, family_id,"
             + " user_id, issued_at, expires_at) VALUES (?, ?, ?, 0, 9999999999)")) {
        user.setString(1, lane.userId);
        user.setString(2, "raw-" + id);
        user.setString(3, "raw-" + id);
        user.executeUpdate();
        session.setString(1, lane.sessionId);
        session.setString(2, lane.userId);
        session.setLong(3, System.currentTimeMillis());
        session.setLong(4, System.currentTimeMillis());
        session.executeUpdate();
        first.setString(1, token(id + "-0"));
        first.setString(2, lane.sessionId);
        first.setString(3, lane.userId);
        first.executeUpdate();
      }
      connection.setAutoCommit(false);
      lanes.add(lane);
    }
    List<Lane> used = lanes.subList(0, threads);
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    ThreadLocal<Lane> mine = ThreadLocal.withInitial(() -> used.get(next.getAndIncrement()));
    return loop(threads, seconds, () -> mine.get().rotate());
  }

  /** The store's PostgreSQL migrations, by version (V1__..., V2__...). */
  private static List<String> postgresMigrations() throws Exception {
    java.net.URL folder = RawHarness.class.getClassLoader().getResource(POSTGRES_MIGRATIONS);
    if (folder == null || !"file".equals(folder.getProtocol())) {
      throw new IllegalStateException("no PostgreSQL migrations in " + POSTGRES_MIGRATIONS
        + " on the class path: this build has no PostgreSQL store");
    }
    try (var files = java.nio.file.Files.list(java.nio.file.Path.of(folder.toURI()))) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V[0-9]+__.*\\.sql"))
        .sorted(java.util.Comparator.comparingInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))))
        .map(n -> POSTGRES_MIGRATIONS + "/" + n).toList();
    }
  }

  private static String token(long n) throws Exception {
    return token(Long.toString(n));
  }

  /** A token hash as the service stores it: SHA-256, hex. */
  private static String token(String n) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
      .digest(("raw-" + n).getBytes(StandardCharsets.UTF_8)));
  }

  private static String resource(String name) throws Exception {
    try (InputStream in = RawHarness.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The migration's statements, split as store/Migrations.java splits them. */
  private static List<String> statements(String script) {
    StringBuilder withoutComments = new StringBuilder();
    for (String line : script.split("\n")) {
      int comment = line.indexOf("--");
      withoutComments.append(comment >= 0 ? line.substring(0, comment) : line).append('\n');
    }
    List<String> result = new ArrayList<>();
    for (String sql : withoutComments.toString().split(";\\s*\n")) {
      if (!sql.isBlank()) {
        result.add(sql.trim());
      }
    }
    return result;
  }
}
