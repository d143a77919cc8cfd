package dev.avatarservice.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark (not a test): runs the scenarios of BENCHMARKS.md against real nodes started from
 * the jar on fresh data, each together with its physical limit, and prints one table.
 * <p>
 * Arguments: the scenarios to run ({@code login login-pg user user-pg refresh refresh-pg upload upload-pg image
 * realtime cluster cluster-pg startup}; none = all; -pg: on PostgreSQL, started once per run by
 * {@link Postgres}, with a fresh database per scenario; {@code events} only when named). Settings come from system properties set by bench/run.sh: {@code bench.jar},
 * {@code bench.cp} (class path of the bench classes, for the raw harness and the realtime node),
 * {@code bench.out} (where results and logs go), {@code bench.serverCpus} / {@code bench.loadCpus}
 * (taskset lists), {@code bench.rounds}, {@code bench.seconds}, {@code bench.warmup} and
 * {@code bench.nodeJvmOptions} (extra JVM options for the nodes). Exit status: 0 every target met,
 * 3 a target missed, 1 a scenario could not be measured.
 */
public final class Bench {

  static final String SECRET = "bench-secret-bench-secret-bench-secret-0123456789";
  /** Each scenario on SQLite, then (-pg) the same on PostgreSQL, so that the table shows them side by side. */
  static final List<String> ALL = List.of("login", "login-pg", "user", "user-pg", "refresh", "refresh-pg", "upload",
    "upload-pg", "image", "realtime", "cluster", "cluster-pg", "startup");
  /**
   * Scenarios run only when named: {@code events}, the cost of a published event with 1, 2 and 3
   * nodes (docs/SCALING.md), about 3 minutes.
   */
  static final List<String> EXTRA = List.of("events");

  final Path jar = Path.of(System.getProperty("bench.jar", "target/avatar-service.jar")).toAbsolutePath();
  final String classPath = System.getProperty("bench.cp", System.getProperty("java.class.path"));
  final Path out = Path.of(System.getProperty("bench.out", "target/bench")).toAbsolutePath();
  final String serverCpus = System.getProperty("bench.serverCpus", "0");
  final String loadCpus = System.getProperty("bench.loadCpus", "1");
  final int rounds = Integer.getInteger("bench.rounds", 3);
  final double seconds = Double.parseDouble(System.getProperty("bench.seconds", "8"));
  /**
   * Seconds of load on a path before it is measured: on one core the JIT competes with the node,
   * and it keeps compiling a path for a while: /api/user, refresh and uploads get twice this, logins
   * (30 a second) six times.
   */
  final double warmup = Double.parseDouble(System.getProperty("bench.warmup", "15"));
  /** Extra JVM options for the nodes (profiling, GC logs); none by default: nodes run as operators start them. */
  final List<String> nodeJvmOptions = List.of(System.getProperty("bench.nodeJvmOptions", "").trim().split("\\s+"))
    .stream().filter(option -> !option.isEmpty()).toList();
  final List<Row> rows = new ArrayList<>();
  /** The numbers behind the pictures, by chart ({@link BenchCharts}): written to results.json with the rows. */
  final JsonObject charts = new JsonObject();
  String loadAtStart = "?";
  /** The run's PostgreSQL, started by the first scenario that needs it. */
  private Postgres postgres;
  final Vertx vertx = Vertx.vertx(new VertxOptions().setBlockedThreadCheckInterval(60_000));

  /** One line of the result table. */
  record Row(String id, String what, String measured, String limit, String value, String target, Boolean pass,
             String cpu) {
  }

  public static void main(String[] args) throws Exception {
    List<String> scenarios = args.length == 0 ? ALL : List.of(args);
    for (String s : scenarios) {
      if (!ALL.contains(s) && !EXTRA.contains(s)) {
        System.err.println("unknown scenario " + s + "; choose from " + ALL + " or " + EXTRA);
        System.exit(2);
      }
    }
    Bench bench = new Bench();
    Files.createDirectories(bench.out);
    log("benchmark: %s; server cores %s, load cores %s; %d rounds of %.0f s after %.0f s of warm-up", scenarios,
      bench.serverCpus, bench.loadCpus, bench.rounds, bench.seconds, bench.warmup);
    long started = System.nanoTime();
    bench.loadAtStart = Machine.loadAverage();
    for (String scenario : scenarios) {
      long t0 = System.nanoTime();
      log("");
      log("=== %s", scenario);
      try {
        switch (scenario) {
          case "login" -> new LoginScenario(bench, false).run();
          case "login-pg" -> new LoginScenario(bench, true).run();
          case "user" -> new UserScenario(bench, false).run();
          case "user-pg" -> new UserScenario(bench, true).run();
          case "refresh" -> new RefreshScenario(bench, false).run();
          case "refresh-pg" -> new RefreshScenario(bench, true).run();
          case "upload" -> new UploadScenario(bench, false).run();
          case "upload-pg" -> new UploadScenario(bench, true).run();
          case "image" -> new ImageScenario(bench).run();
          case "realtime" -> new RealtimeScenario(bench).run();
          case "cluster" -> new ClusterScenario(bench).run();
          case "cluster-pg" -> new PostgresClusterScenario(bench).run();
          case "startup" -> new StartupScenario(bench).run();
          case "events" -> new EventCostScenario(bench).run();
          default -> throw new IllegalArgumentException(scenario);
        }
      } catch (Skipped e) {
        log("scenario %s skipped: %s", scenario, e.getMessage());
        bench.rows.add(new Row(scenario, scenario + " skipped", e.getMessage(), "", "", "", null, ""));
      } catch (Exception | AssertionError e) {
        log("scenario %s failed: %s", scenario, e);
        e.printStackTrace(System.out);
        bench.rows.add(new Row(scenario, scenario + " failed", e.toString(), "", "", "", false, ""));
      }
      log("=== %s took %.0f s (load average now %s)", scenario, (System.nanoTime() - t0) / 1e9, Machine.loadAverage());
    }
    if (bench.postgres != null) {
      bench.postgres.close();
    }
    String table = bench.table((System.nanoTime() - started) / 1e9);
    System.out.println();
    System.out.println(table);
    Files.writeString(bench.out.resolve("results.md"), table);
    bench.writeJsonAndPictures(table);
    bench.vertx.close().await();
    // 1: a scenario could not be measured; 3: measured, but a target was missed
    boolean failed = bench.rows.stream().anyMatch(row -> row.what().endsWith(" failed"));
    boolean missed = bench.rows.stream().anyMatch(row -> Boolean.FALSE.equals(row.pass()));
    System.exit(failed ? 1 : missed ? 3 : 0);
  }

  // ---------------------------------------------------------------- nodes

  /** A scenario that cannot run on this machine (a tool is missing): a row says why, no failure. */
  static final class Skipped extends Exception {
    Skipped(String why) {
      super(why);
    }
  }

  /** The run's PostgreSQL, on the server cores; started on first use, stopped at the end of the run. */
  Postgres postgres() throws Exception {
    if (postgres == null) {
      if (!Postgres.installed()) {
        throw new Skipped("PostgreSQL is not installed (Debian: apt-get install -y postgresql)");
      }
      postgres = Postgres.start(Path.of(System.getProperty("bench.postgresScript", "bench/postgres.sh")).toAbsolutePath(),
        out.resolve("run").resolve("postgres"), serverCpus);
    }
    return postgres;
  }

  /**
   * The extra environment of a scenario's node: nothing on SQLite; on PostgreSQL a fresh database
   * named after the scenario, with DB_URL, DB_USER and DB_PASSWORD.
   */
  Map<String, String> databaseEnv(String scenario, boolean onPostgres) throws Exception {
    if (!onPostgres) {
      return Map.of();
    }
    return Postgres.nodeEnv(postgres().freshDatabase(scenario.replace('-', '_')));
  }

  /** The environment of a benchmark node: fresh data in {@code dir}, rate limits out of the way. */
  Map<String, String> nodeEnv(Path dir, int port) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HTTP_HOST", "127.0.0.1");
    env.put("HTTP_PORT", Integer.toString(port));
    // several nodes on one host: no management listener, which would want 9090 for each
    env.put("MANAGEMENT_PORT", "0");
    env.put("DB_PATH", dir.resolve("avatar-service.db").toString());
    env.put("AVATARS_DIR", dir.resolve("avatars").toString());
    env.put("JWT_SECRET", SECRET);
    env.put("AUTH_REQUESTS_PER_MINUTE", "1000000");
    env.put("AVATAR_UPLOADS_PER_MINUTE", "1000000");
    env.put("LOGIN_FAILURES_LIMIT", "1000000");
    // the socket caps (issue 14) too: the realtime scenarios open thousands of sockets from 127.0.0.1,
    // 22 per account
    env.put("WS_MAX_PER_USER", "1000000");
    env.put("WS_MAX_PER_ADDRESS", "10000000");
    return env;
  }

  /** A fresh folder for one node's data and logs. */
  Path freshDir(String name) throws IOException {
    Path dir = out.resolve("run").resolve(name);
    if (Files.exists(dir)) {
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return Files.createDirectories(dir);
  }

  /** {@code java -jar avatar-service.jar} on the server cores, as an operator starts it (no JVM flags). */
  Proc startNode(String name, Path dir, int port, Map<String, String> extraEnv, String cpus) throws IOException {
    return startNode(name, dir, port, extraEnv, cpus, List.of());
  }

  /** The same with JVM options of the scenario's own (an AppCDS archive). */
  Proc startNode(String name, Path dir, int port, Map<String, String> extraEnv, String cpus, List<String> jvmOptions)
    throws IOException {
    Map<String, String> env = new HashMap<>(nodeEnv(dir, port));
    env.putAll(extraEnv);
    List<String> command = new ArrayList<>(List.of("java"));
    command.addAll(nodeJvmOptions);
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar.toString()));
    Proc node = Proc.start(name, cpus, command, env, dir, dir.resolve(name + ".log"));
    log("started %s (pid %d) on cores %s, port %d, data %s", name, node.pid(), cpus, port, dir);
    return node;
  }

  /** The raw harness, on the server cores with the JVM defaults the node has. */
  Raw startRaw(Path dir) throws IOException {
    return new Raw(Proc.startPiped("raw", serverCpus, List.of("java", "-Dclk.tck=" + Proc.CLK_TCK, "-cp", classPath, RawHarness.class.getName()),
      dir, dir.resolve("raw.log")));
  }

  // ---------------------------------------------------------------- results

  void row(String id, String what, String measured, String limit, String value, String target, Boolean pass, String cpu) {
    Row row = new Row(id, what, measured, limit, value, target, pass, cpu);
    rows.add(row);
    log("RESULT %s %s: %s | limit %s | %s | target %s | %s | cpu %s", id, what, measured, limit, value, target,
      pass == null ? "-" : pass ? "PASS" : "MISS", cpu);
  }

  /** Adds one point (a JSON object) to the data of a chart: see {@link BenchCharts} for each chart's fields. */
  synchronized void chart(String name, JsonObject point) {
    JsonArray points = charts.getJsonArray(name);
    if (points == null) {
      points = new JsonArray();
      charts.put(name, points);
    }
    points.add(point);
  }

  /**
   * results.json beside results.md (the table's first line, its rows, and the chart data), and the
   * pictures drawn from it: a failure to draw is logged, it fails no run.
   */
  void writeJsonAndPictures(String table) throws IOException {
    JsonArray jsonRows = new JsonArray();
    for (Row r : rows) {
      jsonRows.add(new JsonObject().put("id", r.id()).put("what", r.what()).put("measured", r.measured())
        .put("limit", r.limit()).put("value", r.value()).put("target", r.target()).put("pass", r.pass())
        .put("cpu", r.cpu()));
    }
    JsonObject results = new JsonObject().put("run", table.lines().findFirst().orElse("")).put("rows", jsonRows)
      .put("charts", charts);
    Path json = out.resolve("results.json");
    Files.writeString(json, results.encodePrettily());
    try {
      List<Path> pictures = BenchCharts.draw(results, out);
      log("pictures: %s", pictures);
    } catch (RuntimeException | IOException e) {
      log("the pictures could not be drawn: %s", e);
    }
  }

  String table(double totalSeconds) {
    StringBuilder text = new StringBuilder();
    text.append(String.format("avatar-service benchmark, %s; %s; nodes on cores %s, load on cores %s; %d rounds x %.0f s"
        + " after %.0f s of warm-up; %.0f s in all%n%n",
      ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), Machine.describe(loadAtStart), serverCpus,
      loadCpus, rounds, seconds, warmup, totalSeconds));
    text.append("| # | scenario | measured | limit, same run | ratio / value | target | result | server CPU per op |\n");
    text.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (Row r : rows) {
      text.append("| ").append(String.join(" | ", r.id(), r.what(), r.measured(), r.limit(), r.value(), r.target(),
        r.pass() == null ? "-" : r.pass() ? "pass" : "**miss**", r.cpu())).append(" |\n");
    }
    return text.toString();
  }

  static void log(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
    System.out.flush();
  }

  static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
