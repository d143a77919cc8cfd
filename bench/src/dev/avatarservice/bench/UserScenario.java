package dev.avatarservice.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.avatarservice.bench.Bench.f;
import static dev.avatarservice.bench.Bench.log;

/**
 * 2. Authenticated {@code GET /api/user} per second against {@code GET /health} on the same node,
 * with wrk (closed loop, alternating rounds); then {@code /api/user} at half that maximum from an
 * open-loop client ({@link LeanOpenLoop}: constant arrival rate, latency from the intended send time), and the same
 * client against {@code /health} at the same rate to show its own floor. On PostgreSQL
 * ({@code user-pg}) the closed-loop rounds, with PostgreSQL's CPU per request.
 */
final class UserScenario {

  static final int CONNECTIONS = 32;
  /** Enough that requests rarely wait for a free connection at half the maximum rate. */
  static final int OPEN_LOOP_CONNECTIONS = 64;
  private final Bench b;
  private final boolean postgres;

  UserScenario(Bench bench, boolean postgres) {
    this.b = bench;
    this.postgres = postgres;
  }

  void run() throws Exception {
    String name = postgres ? "user-pg" : "user";
    Map<String, String> database = b.databaseEnv(name, postgres);
    Path dir = b.freshDir(name);
    int port = Proc.freePort();
    java.util.function.LongSupplier dbCpu = postgres ? b.postgres()::cpuNanos : () -> 0;
    try (Proc node = b.startNode("node", dir, port, database, b.serverCpus)) {
      node.awaitStatus200(port, "/health", 120_000);
      if (postgres) {
        Postgres.requireSchema(database.get("DB_URL"), node);
      }
      Api api = new Api(b.vertx, port, 16);
      List<String> tokens = api.register(16, 4).stream().map(a -> a.getString("accessToken")).toList();
      api.close();
      Path script = dir.resolve("user.lua");
      Files.writeString(script, "-- the Authorization header of one of the benchmark's accounts, in turn\n"
        + "local tokens = {" + tokens.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", ")) + "}\n"
        + "local i = 0\n"
        + "request = function()\n"
        + "  i = i % #tokens + 1\n"
        + "  return wrk.format(\"GET\", \"/api/user\", { [\"Authorization\"] = \"Bearer \" .. tokens[i] })\n"
        + "end\n");
      String base = "http://127.0.0.1:" + port;

      Load.wrk(base + "/health", CONNECTIONS, b.warmup, null, node.pid());
      Load.wrk(base + "/api/user", CONNECTIONS, 2 * b.warmup, script, node.pid());
      List<Double> health = new ArrayList<>();
      List<Double> user = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      List<Double> healthCpu = new ArrayList<>();
      List<Double> userCpu = new ArrayList<>();
      List<Double> healthDb = new ArrayList<>();
      List<Double> userDb = new ArrayList<>();
      double wrkCpu = 0;
      boolean clean = true;
      for (int round = 1; round <= b.rounds; round++) {
        Load.Wrk h;
        Load.Wrk u;
        // ABBA: neither side always runs first, so a drift of the machine favours neither
        long[] db = new long[4];
        if (round % 2 == 1) {
          db[0] = dbCpu.getAsLong();
          h = Load.wrk(base + "/health", CONNECTIONS, b.seconds, null, node.pid());
          db[1] = dbCpu.getAsLong();
          u = Load.wrk(base + "/api/user", CONNECTIONS, b.seconds, script, node.pid());
          db[2] = db[1];
          db[3] = dbCpu.getAsLong();
        } else {
          db[2] = dbCpu.getAsLong();
          u = Load.wrk(base + "/api/user", CONNECTIONS, b.seconds, script, node.pid());
          db[3] = dbCpu.getAsLong();
          h = Load.wrk(base + "/health", CONNECTIONS, b.seconds, null, node.pid());
          db[0] = db[3];
          db[1] = dbCpu.getAsLong();
        }
        healthDb.add((db[1] - db[0]) / 1e3 / h.requests());
        userDb.add((db[3] - db[2]) / 1e3 / u.requests());
        if (postgres) {
          log("  PostgreSQL's CPU per request: /health %.2f us, /api/user %.2f us", healthDb.get(healthDb.size() - 1),
            userDb.get(userDb.size() - 1));
        }
        health.add(h.okRps());
        user.add(u.okRps());
        ratios.add(u.okRps() / h.okRps());
        healthCpu.add(h.serverCpuMsPerRequest() * 1000);
        userCpu.add(u.serverCpuMsPerRequest() * 1000);
        wrkCpu = Math.max(wrkCpu, Math.max(h.wrkCpuPercent(), u.wrkCpuPercent()));
        clean &= h.clean() && u.clean();
        log("round %d: /health %.0f/s (p99 %.1f ms, %.1f us server CPU each, wrk CPU %.0f%%, non-2xx %d%s) | /api/user"
            + " %.0f/s (p99 %.1f ms, %.1f us server CPU each, wrk CPU %.0f%%, non-2xx %d%s) | ratio %.3f", round,
          h.okRps(), h.p99(), h.serverCpuMsPerRequest() * 1000, h.wrkCpuPercent(), h.non2xx(),
          h.errors().isEmpty() ? "" : ", " + h.errors(), u.okRps(), u.p99(), u.serverCpuMsPerRequest() * 1000,
          u.wrkCpuPercent(), u.non2xx(), u.errors().isEmpty() ? "" : ", " + u.errors(), u.okRps() / h.okRps());
        log("  server CPU per request by thread (ms): /health %s | /api/user %s", h.threads(), u.threads());
        log("  /health %s | /api/user %s", h.split(), u.split());
      }
      double ratio = Load.median(ratios);
      b.chart("throughput", new io.vertx.core.json.JsonObject().put("scenario", postgres ? "GET /api/user, PostgreSQL" : "GET /api/user")
        .put("measured", Load.median(user)).put("limit", Load.median(health)).put("ratio", ratio)
        .put("limitName", "GET /health").put("target", 0.5));
      b.row(postgres ? "2 pg" : "2", f("GET /api/user per s (wrk, %d connections)%s", CONNECTIONS,
          postgres ? ", on PostgreSQL" : ""), f("%.0f/s", Load.median(user)),
        f("GET /health %.0f/s", Load.median(health)), f("%.3f (rounds spread %.0f%%)", ratio, Load.spread(ratios)),
        ">= 0.5, all 2xx", ratio >= 0.5 && clean,
        f("%.0f us per /api/user vs %.0f us per /health%s (wrk CPU at most %.0f%%)", Load.median(userCpu),
          Load.median(healthCpu), postgres ? f("; PostgreSQL %.1f us per /api/user, %.1f us per /health",
            Load.median(userDb), Load.median(healthDb)) : "", wrkCpu));

      if (!postgres) {
        openLoop(node, port, tokens, Load.median(user) / 2);
      }
    }
  }

  /**
   * ROUNDS rounds of /api/user then /health at the same constant rate; the verdict is on the median
   * of the rounds' p99 (a shared machine has bad seconds), and every round is in the log.
   */
  private void openLoop(Proc node, int port, List<String> tokens, double rate) throws Exception {
    double seconds = Math.max(10, b.seconds);
    List<byte[]> users = tokens.stream()
      .map(token -> LeanOpenLoop.get(port, "/api/user", Map.of("Authorization", "Bearer " + token))).toList();
    List<byte[]> health = List.of(LeanOpenLoop.get(port, "/health", Map.of()));
    // the client's own code compiled at this rate before anything counts
    LeanOpenLoop.run(port, users, rate, 5, OPEN_LOOP_CONNECTIONS, 10_000, 0);
    List<Double> userP99 = new ArrayList<>();
    List<Double> healthP99 = new ArrayList<>();
    List<Double> serverCpu = new ArrayList<>();
    double clientCpu = 0;
    boolean allOk = true;
    for (int round = 1; round <= b.rounds; round++) {
      System.gc();
      Load.Result u = LeanOpenLoop.run(port, users, rate, seconds, OPEN_LOOP_CONNECTIONS, 10_000, node.pid());
      System.gc();
      Load.Result h = LeanOpenLoop.run(port, health, rate, seconds, OPEN_LOOP_CONNECTIONS, 10_000, node.pid());
      userP99.add(u.ms(99));
      healthP99.add(h.ms(99));
      serverCpu.add(u.serverCpuMsPerOk() * 1000);
      clientCpu = Math.max(clientCpu, Math.max(u.clientCpuPercent(), h.clientCpuPercent()));
      allOk &= u.ok() == u.total();
      log("open loop round %d at %.0f/s for %.0f s: /api/user %s p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.1f ms"
          + " (client CPU %.0f%%, server CPU %.0f%%) | same client on /health: p50 %.2f ms, p99 %.2f ms, max %.1f ms"
          + " (client CPU %.0f%%)", round, rate, seconds, u.statusText(), u.ms(50), u.ms(99), u.ms(99.9), u.maxMs(),
        u.clientCpuPercent(), 100 * u.serverCpuNanos / 1e9 / u.seconds, h.ms(50), h.ms(99), h.maxMs(),
        h.clientCpuPercent());
      log("  server CPU per request by thread (ms): /api/user %s | /health %s", u.threads, h.threads);
    }
    double p99 = Load.median(userP99);
    b.row("2b", f("GET /api/user at half the maximum, open loop (%.0f/s, %d round%s of %.0f s)", rate, b.rounds,
        b.rounds == 1 ? "" : "s", seconds),
      f("p99 %.2f ms (rounds: %s)", p99, Load.list(userP99, "%.2f")),
      f("same client on /health: p99 %.2f ms; client CPU at most %.0f%%", Load.median(healthP99), clientCpu),
      f("%.2f ms", p99), "median p99 < 10 ms, all 2xx", p99 < 10 && allOk,
      f("%.0f us per request", Load.median(serverCpu)));
  }
}
