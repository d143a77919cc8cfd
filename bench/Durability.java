import io.vertx.core.json.JsonObject;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The durability check of bench/durability.sh: runs registrations, logins, refreshes and avatar
 * uploads against the real jar on a file database, or on PostgreSQL when {@code DB_URL} (with
 * {@code DB_USER} and {@code DB_PASSWORD}, inherited by the node) names one, kills the node with
 * SIGKILL (kill -9) at a random moment of each round, restarts it, and at the end checks that
 * everything the node acknowledged is still true, and that the stored avatars are exactly those the
 * accounts name, every size of each: on SQLite in the avatar folder (after SQLite's integrity check),
 * on PostgreSQL in its avatar table (bench/durability.sh then runs PostgreSQL's own check, amcheck).
 * Run with the jar on the class path (for Vert.x's JSON and the JDBC drivers):
 *
 *   java -cp target/avatar-service.jar bench/Durability.java JAR WORKDIR ROUNDS PORT WORKERS
 *
 * Exit code 0 when nothing acknowledged was lost, 1 otherwise.
 */
public class Durability {

  static final String PASSWORD_PREFIX = "durability check passphrase ";
  static final String SECRET = "durability-secret-durability-secret-0123456789";
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);
  /**
   * The uploaded images: large enough that the node makes variants of them (every size smaller than
   * the longest side), blocks of one colour each so that the node's JPEG keeps them recognisable.
   */
  static final int WIDTH = 160;
  static final int HEIGHT = 96;
  static final int BLOCK = 16;
  /** The variant sizes the node makes of such an image (AVATAR_SIZES, as bundled, below the longest side). */
  static final List<Integer> VARIANTS = variantSizes();
  /** PostgreSQL when DB_URL names it; else the node's SQLite file in the work folder. */
  static final String DB_URL = System.getenv().getOrDefault("DB_URL", "");
  static final boolean POSTGRES = DB_URL.startsWith("jdbc:postgresql:");

  final Path jar;
  final Path work;
  final int port;
  final int workers;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).build();
  final List<Account> accounts = new ArrayList<>();
  final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  final List<String> violations = new ArrayList<>();

  Durability(Path jar, Path work, int port, int workers) {
    this.jar = jar;
    this.work = work;
    this.port = port;
    this.workers = workers;
  }

  public static void main(String[] args) throws Exception {
    Durability check = new Durability(Path.of(args[0]).toAbsolutePath(), Path.of(args[1]).toAbsolutePath(),
      Integer.parseInt(args[3]), Integer.parseInt(args[4]));
    int rounds = Integer.parseInt(args[2]);
    boolean ok = check.run(rounds);
    System.exit(ok ? 0 : 1);
  }

  boolean run(int rounds) throws Exception {
    Files.createDirectories(work);
    Random random = new Random();
    for (int round = 1; round <= rounds; round++) {
      Process node = startNode(round);
      long killAfter = 3000 + random.nextInt(7000);
      Map<String, Integer> before = snapshot();
      int acknowledged = acknowledged();
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        Worker worker = new Worker(round, w, stop);
        Thread thread = new Thread(worker, "worker-" + w);
        threads.add(thread);
        thread.start();
      }
      // the load's first seconds are the JIT's and the password list's: counted from the first
      // acknowledged operation, so that a busy machine's slow start does not leave a round empty
      long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (acknowledged() == acknowledged && System.nanoTime() < waitUntil) {
        Thread.sleep(20);
      }
      Thread.sleep(killAfter);
      new ProcessBuilder("kill", "-9", Long.toString(node.pid())).inheritIO().start().waitFor();
      stop.set(true);
      for (Thread thread : threads) {
        thread.join();
      }
      node.waitFor(30, TimeUnit.SECONDS);
      System.out.printf("round %d: kill -9 after %d ms of load (exit %d); %s%n", round, killAfter, node.exitValue(),
        delta(before, snapshot()));
    }

    Process node = startNode(rounds + 1);
    System.out.printf("restarted; verifying %d acknowledged accounts%n", accounts.size());
    verify();
    node.destroy(); // SIGTERM
    if (!node.waitFor(60, TimeUnit.SECONDS)) {
      violations.add("the node did not stop within 60 s of SIGTERM");
      node.destroyForcibly();
    } else if (node.exitValue() != 0) {
      violations.add("the node exited with " + node.exitValue() + " after SIGTERM");
    }
    if (POSTGRES) {
      checkPostgres();
    } else {
      checkFiles();
    }
    countSweeps(rounds + 1);

    System.out.println();
    System.out.println("totals:");
    counts.entrySet().stream().sorted(Map.Entry.comparingByKey())
      .forEach(e -> System.out.printf("  %-40s %6d%n", e.getKey(), e.getValue().get()));
    if (violations.isEmpty()) {
      System.out.println("OK: every acknowledged operation held");
      return true;
    }
    System.out.println("VIOLATIONS (" + violations.size() + "):");
    violations.stream().limit(50).forEach(v -> System.out.println("  " + v));
    return false;
  }

  // ------------------------------------------------------------------ the node

  Process startNode(int run) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("java", "-jar", jar.toString()).directory(work.toFile())
      .redirectErrorStream(true).redirectOutput(work.resolve("node-" + run + ".log").toFile());
    Map<String, String> env = builder.environment();
    env.put("HTTP_HOST", "127.0.0.1");
    env.put("HTTP_PORT", Integer.toString(port));
    if (!POSTGRES) {
      env.remove("DB_URL");
      env.put("DB_PATH", work.resolve("avatar-service.db").toString());
    }
    env.put("AVATARS_DIR", work.resolve("avatars").toString());
    env.put("JWT_SECRET", SECRET);
    // no management listener: it would want port 9090, which another check or node may hold
    env.put("MANAGEMENT_PORT", "0");
    env.put("AUTH_REQUESTS_PER_MINUTE", "10000000");
    env.put("AVATAR_UPLOADS_PER_MINUTE", "1000000");
    env.put("LOGIN_FAILURES_LIMIT", "1000000");
    env.put("ACCESS_LOG_LEVEL", "WARN");
    Process process = builder.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the node exited during start-up; see " + work.resolve("node-" + run + ".log"));
      }
      try {
        if (http.send(HttpRequest.newBuilder(uri("/ready")).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return process;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    process.destroyForcibly();
    throw new IllegalStateException("the node was not ready within 90 s");
  }

  // ------------------------------------------------------------------ load

  final class Worker implements Runnable {
    final int round;
    final int id;
    final AtomicBoolean stop;
    final List<Account> mine = new ArrayList<>();
    int serial;

    Worker(int round, int id, AtomicBoolean stop) {
      this.round = round;
      this.id = id;
      this.stop = stop;
    }

    @Override
    public void run() {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      synchronized (accounts) {
        // the accounts of earlier rounds carry on, each with one worker only
        for (int i = id; i < accounts.size(); i += workers) {
          mine.add(accounts.get(i));
        }
      }
      while (!stop.get()) {
        int dice = random.nextInt(100);
        try {
          if (mine.isEmpty() || dice < 25) {
            register();
          } else {
            Account account = mine.get(random.nextInt(mine.size()));
            if (dice < 45) {
              login(account);
            } else if (dice < 70) {
              refresh(account);
            } else {
              upload(account, random.nextLong());
            }
          }
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void register() throws InterruptedException {
      String identifier = "dur-" + round + "-" + id + "-" + (serial++) + "@example.com";
      String password = PASSWORD_PREFIX + identifier;
      count("register.sent");
      JsonObject body = new JsonObject().put("identifier", identifier).put("password", password);
      Answer answer = post("/api/register", body, null);
      if (answer == null) {
        count("register.unanswered");
      } else if (answer.status == 201) {
        JsonObject data = answer.data();
        Account account = new Account(identifier, password, data.getJsonObject("user").getString("id"));
        account.accessToken = data.getString("accessToken");
        account.live.add(data.getString("refreshToken"));
        mine.add(account);
        synchronized (accounts) {
          accounts.add(account);
        }
        count("register.acknowledged");
      } else {
        count("register.refused." + answer.status);
      }
    }

    void login(Account account) throws InterruptedException {
      count("login.sent");
      Answer answer = post("/api/login", new JsonObject().put("identifier", account.identifier)
        .put("password", account.password), null);
      if (answer == null) {
        count("login.unanswered");
      } else if (answer.status == 200) {
        JsonObject data = answer.data();
        account.accessToken = data.getString("accessToken");
        account.live.add(data.getString("refreshToken"));
        count("login.acknowledged");
      } else {
        count("login.refused." + answer.status);
        if (answer.status == 401) {
          violation("login of acknowledged account " + account.identifier + " refused with 401 during the load");
        }
      }
    }

    void refresh(Account account) throws InterruptedException {
      if (account.live.isEmpty()) {
        login(account);
        return;
      }
      String token = account.live.remove(account.live.size() - 1);
      count("refresh.sent");
      Answer answer = post("/api/refresh", new JsonObject().put("refreshToken", token), null);
      if (answer == null) {
        account.uncertainTokens++;
        count("refresh.unanswered");
      } else if (answer.status == 200) {
        JsonObject data = answer.data();
        account.rotated.add(token);
        account.live.add(data.getString("refreshToken"));
        account.accessToken = data.getString("accessToken");
        count("refresh.acknowledged");
      } else {
        count("refresh.refused." + answer.status);
        if (answer.status == 401) {
          violation("acknowledged refresh token of " + account.identifier + " refused with 401 during the load");
        } else {
          account.live.add(token); // refused without effect (503): still good
        }
      }
    }

    void upload(Account account, long seed) throws InterruptedException {
      byte[] png = png(blocks(seed));
      count("upload.sent");
      Answer answer = send(HttpRequest.newBuilder(uri("/api/user/avatar")).timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + account.accessToken).header("Content-Type", "image/png")
        .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build());
      if (answer == null) {
        account.uncertainAvatars.add(seed);
        count("upload.unanswered");
      } else if (answer.status == 200) {
        account.avatarUrl = answer.data().getString("avatarUrl");
        account.avatarSeed = seed;
        account.uncertainAvatars.clear();
        count("upload.acknowledged");
      } else {
        count("upload.refused." + answer.status);
      }
    }
  }

  // ------------------------------------------------------------------ verification

  void verify() throws Exception {
    for (Account account : accounts) {
      Answer login = post("/api/login", new JsonObject().put("identifier", account.identifier)
        .put("password", account.password), null);
      if (login == null || login.status != 200) {
        violation("acknowledged account " + account.identifier + " cannot log in: "
          + (login == null ? "no answer" : login.status));
        continue;
      }
      count("verify.account_logs_in");
      JsonObject user = login.data().getJsonObject("user");
      if (!account.userId.equals(user.getString("id"))) {
        violation(account.identifier + " has another user id");
      }
      verifyAvatar(account, user.getString("avatarUrl"));
    }
    for (Account account : accounts) {
      for (String token : account.live) {
        Answer answer = post("/api/refresh", new JsonObject().put("refreshToken", token), null);
        if (answer != null && answer.status == 200) {
          count("verify.live_token_refreshes");
        } else {
          violation("an acknowledged, unused refresh token of " + account.identifier + " does not refresh: "
            + (answer == null ? "no answer" : answer.status));
        }
      }
    }
    for (Account account : accounts) {
      for (String token : account.rotated) {
        Answer answer = post("/api/refresh", new JsonObject().put("refreshToken", token), null);
        if (answer != null && answer.status == 401) {
          count("verify.rotated_token_stays_dead");
        } else {
          violation("a rotated refresh token of " + account.identifier + " answered "
            + (answer == null ? "nothing" : answer.status) + " instead of 401");
        }
      }
    }
  }

  void verifyAvatar(Account account, String current) throws Exception {
    if (account.avatarUrl == null && account.uncertainAvatars.isEmpty()) {
      if (current != null) {
        violation(account.identifier + " has an avatar nobody uploaded");
      }
      return;
    }
    if (current == null) {
      if (account.avatarUrl != null) {
        violation(account.identifier + " lost its acknowledged avatar");
      } else {
        count("verify.avatar_unacknowledged_not_applied");
      }
      return;
    }
    HttpResponse<byte[]> file = http.send(HttpRequest.newBuilder(URI.create(current)).timeout(REQUEST_TIMEOUT).build(),
      HttpResponse.BodyHandlers.ofByteArray());
    if (file.statusCode() != 200) {
      violation(account.identifier + "'s avatar URL answers " + file.statusCode());
      return;
    }
    BufferedImage served = ImageIO.read(new ByteArrayInputStream(file.body()));
    if (current.equals(account.avatarUrl)) {
      if (looksLike(served, account.avatarSeed)) {
        count("verify.acknowledged_avatar_serves_its_image");
      } else {
        violation(account.identifier + "'s acknowledged avatar serves other pixels");
      }
    } else if (account.uncertainAvatars.stream().anyMatch(seed -> looksLike(served, seed))) {
      count("verify.avatar_of_unanswered_upload_applied");
    } else {
      violation(account.identifier + " shows an avatar that is neither the acknowledged one nor an unanswered upload");
    }
    // every size: each variant is served, at its size
    for (int size : VARIANTS) {
      HttpResponse<byte[]> variant = http.send(HttpRequest.newBuilder(URI.create(current + "?size=" + size))
        .timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
      BufferedImage image = variant.statusCode() == 200 ? ImageIO.read(new ByteArrayInputStream(variant.body())) : null;
      if (image != null && Math.max(image.getWidth(), image.getHeight()) == size) {
        count("verify.avatar_variant_served");
      } else {
        violation(account.identifier + "'s avatar at size " + size + " answers " + variant.statusCode()
          + (image == null ? "" : " with " + image.getWidth() + "x" + image.getHeight()));
      }
    }
  }

  void checkFiles() throws Exception {
    Path database = work.resolve("avatar-service.db");
    Set<String> referenced = new HashSet<>();
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
         Statement statement = connection.createStatement()) {
      try (ResultSet result = statement.executeQuery("PRAGMA integrity_check")) {
        result.next();
        String integrity = result.getString(1);
        System.out.println("PRAGMA integrity_check: " + integrity);
        if (!"ok".equals(integrity)) {
          violation("integrity_check: " + integrity);
        }
      }
      try (ResultSet result = statement.executeQuery("SELECT avatar_file FROM users WHERE avatar_file IS NOT NULL")) {
        while (result.next()) {
          referenced.add(result.getString(1));
        }
      }
      try (ResultSet result = statement.executeQuery("SELECT count(*) FROM users")) {
        result.next();
        count("final.users_in_database", result.getInt(1));
      }
    }
    // every size of each named avatar: the avatar and its variants' files
    Set<String> expected = new HashSet<>();
    for (String name : referenced) {
      expected.add(name);
      for (int size : VARIANTS) {
        expected.add(dev.avatarservice.bus.AvatarNames.variant(name, size));
      }
    }
    int files = 0;
    try (DirectoryStream<Path> folder = Files.newDirectoryStream(work.resolve("avatars"))) {
      for (Path file : folder) {
        files++;
        String name = file.getFileName().toString();
        if (!expected.contains(name)) {
          violation("orphan in avatars/: " + name);
        }
      }
    }
    count("final.files_in_avatars", files);
    count("final.avatar_rows", referenced.size());
    for (String name : expected) {
      if (!Files.isRegularFile(work.resolve("avatars").resolve(name))) {
        violation("a row names an avatar whose file (or a variant's) is missing: " + name);
      }
    }
  }

  /**
   * On PostgreSQL the avatars are rows of avatar_images (name, size, content; size 0 the avatar
   * itself): every avatar a user row names has every size, non-empty, and no stored avatar is
   * unnamed. The folder a SQLite node would use stays empty. Over JDBC with the jar's driver.
   */
  void checkPostgres() throws Exception {
    Set<String> referenced = new HashSet<>();
    Map<String, Set<Integer>> stored = new java.util.HashMap<>();
    try (Connection connection = DriverManager.getConnection(DB_URL, System.getenv("DB_USER"),
           System.getenv("DB_PASSWORD"));
         Statement statement = connection.createStatement()) {
      try (ResultSet result = statement.executeQuery("SELECT avatar_file FROM users WHERE avatar_file IS NOT NULL")) {
        while (result.next()) {
          referenced.add(result.getString(1));
        }
      }
      try (ResultSet result = statement.executeQuery("SELECT count(*) FROM users")) {
        result.next();
        count("final.users_in_database", result.getInt(1));
      }
      try (ResultSet result = statement.executeQuery("SELECT name, size, octet_length(content) FROM avatar_images")) {
        while (result.next()) {
          stored.computeIfAbsent(result.getString(1), k -> new java.util.TreeSet<>()).add(result.getInt(2));
          if (result.getInt(3) == 0) {
            violation("an empty avatar image in avatar_images (size " + result.getInt(2) + ")");
          }
        }
      }
      try (ResultSet result = statement.executeQuery("SELECT count(*) FROM refresh_tokens t"
        + " WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = t.family_id)")) {
        result.next();
        count("final.refresh_tokens_without_session", result.getInt(1));
        if (result.getInt(1) > 0) {
          // a session and its tokens are created and ended in one transaction each
          violation(result.getInt(1) + " refresh tokens whose session does not exist");
        }
      }
    }
    Set<Integer> every = new java.util.TreeSet<>(VARIANTS);
    every.add(0);
    for (String name : referenced) {
      Set<Integer> sizes = stored.getOrDefault(name, Set.of());
      if (!sizes.equals(every)) {
        violation("a user row names an avatar stored at sizes " + sizes + " instead of " + every);
      }
    }
    for (String name : stored.keySet()) {
      if (!referenced.contains(name)) {
        violation("an avatar in avatar_images that no user row names (sizes " + stored.get(name) + ")");
      }
    }
    count("final.avatar_rows", referenced.size());
    count("final.avatars_in_database", stored.size());
    count("final.avatar_images_in_database", stored.values().stream().mapToInt(Set::size).sum());
    Path folder = work.resolve("avatars");
    if (Files.isDirectory(folder)) {
      try (var files = Files.list(folder)) {
        long written = files.count();
        if (written > 0) {
          violation(written + " files in the avatar folder of a node on PostgreSQL");
        }
      }
    }
  }

  /** What the start-up sweeps removed: files of uploads whose row was never committed, or replaced ones. */
  void countSweeps(int runs) throws IOException {
    java.util.regex.Pattern removed = java.util.regex.Pattern.compile("Removed (\\d+) avatar files");
    for (int run = 1; run <= runs; run++) {
      for (String line : Files.readAllLines(work.resolve("node-" + run + ".log"))) {
        java.util.regex.Matcher matcher = removed.matcher(line);
        if (matcher.find()) {
          count("final.orphans_swept_at_start", Integer.parseInt(matcher.group(1)));
        }
      }
    }
  }

  // ------------------------------------------------------------------ plumbing

  static final class Account {
    final String identifier;
    final String password;
    final String userId;
    volatile String accessToken;
    final List<String> live = new ArrayList<>();
    final List<String> rotated = new ArrayList<>();
    int uncertainTokens;
    String avatarUrl;
    long avatarSeed;
    /** The seeds of this account's uploads that got no answer since its last acknowledged one. */
    final Set<Long> uncertainAvatars = new HashSet<>();

    Account(String identifier, String password, String userId) {
      this.identifier = identifier;
      this.password = password;
      this.userId = userId;
    }
  }

  record Answer(int status, JsonObject body) {
    JsonObject data() {
      return body.getJsonObject("data");
    }
  }

  Answer post(String path, JsonObject body, String token) throws InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(REQUEST_TIMEOUT)
      .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return send(request.build());
  }

  /** The answer, or null when none came (the node died with the request in flight, or before it). */
  Answer send(HttpRequest request) throws InterruptedException {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      String text = response.body();
      return new Answer(response.statusCode(), text == null || text.isEmpty() ? new JsonObject() : new JsonObject(text));
    } catch (IOException e) {
      return null;
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  void count(String what) {
    count(what, 1);
  }

  void count(String what, int n) {
    counts.computeIfAbsent(what, k -> new AtomicInteger()).addAndGet(n);
  }

  synchronized void violation(String what) {
    violations.add(what);
  }

  Map<String, Integer> snapshot() {
    Map<String, Integer> copy = new LinkedHashMap<>();
    counts.forEach((k, v) -> copy.put(k, v.get()));
    return copy;
  }

  static String delta(Map<String, Integer> before, Map<String, Integer> after) {
    StringBuilder out = new StringBuilder();
    after.keySet().stream().sorted().forEach(key -> {
      int d = after.get(key) - before.getOrDefault(key, 0);
      if (d != 0) {
        out.append(out.length() == 0 ? "" : ", ").append(key).append(' ').append(d);
      }
    });
    return out.toString();
  }

  /** WIDTH x HEIGHT in BLOCK x BLOCK squares of random colours. */
  static BufferedImage blocks(long seed) {
    Random random = new Random(seed);
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    for (int by = 0; by < HEIGHT; by += BLOCK) {
      for (int bx = 0; bx < WIDTH; bx += BLOCK) {
        int rgb = random.nextInt(0x1000000);
        for (int y = by; y < by + BLOCK; y++) {
          for (int x = bx; x < bx + BLOCK; x++) {
            image.setRGB(x, y, rgb);
          }
        }
      }
    }
    return image;
  }

  /**
   * Whether a served avatar is the image of {@code seed}: same size, and each block's centre within
   * a JPEG's error of its colour (another seed's blocks differ by about 85 levels on average).
   */
  static boolean looksLike(BufferedImage served, long seed) {
    if (served == null || served.getWidth() != WIDTH || served.getHeight() != HEIGHT) {
      return false;
    }
    BufferedImage original = blocks(seed);
    long difference = 0;
    int samples = 0;
    for (int y = BLOCK / 2; y < HEIGHT; y += BLOCK) {
      for (int x = BLOCK / 2; x < WIDTH; x += BLOCK) {
        int a = original.getRGB(x, y);
        int b = served.getRGB(x, y);
        for (int shift = 0; shift <= 16; shift += 8) {
          difference += Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff));
          samples++;
        }
      }
    }
    return difference / (double) samples < 12;
  }

  static List<Integer> variantSizes() {
    String sizes = dev.avatarservice.config.ConfigLoader.bundledDefaults().getString("AVATAR_SIZES", "64,128,256");
    return java.util.Arrays.stream(sizes.split(",")).map(String::trim).map(Integer::parseInt)
      .filter(size -> size < Math.max(WIDTH, HEIGHT)).sorted().toList();
  }

  int acknowledged() {
    return counts.entrySet().stream().filter(e -> e.getKey().endsWith(".acknowledged"))
      .mapToInt(e -> e.getValue().get()).sum();
  }

  static byte[] png(BufferedImage image) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(image, "png", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
