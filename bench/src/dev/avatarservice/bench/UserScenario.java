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
 * client against {@code /health} at the same rate to show its own floor.
 */
final class UserScenario {

  static final int CONNECTIONS = 32;
  /** Enough that requests rarely wait for a free connection at half the maximum rate. */
  static final int OPEN_LOOP_CONNECTIONS = 64;
  private final Bench b;

  UserScenario(Bench bench) {
    this.b = bench;
  }

  void run() throws Exception {
    Path dir = b.freshDir("user");
    int port = Proc.freePort();
    try (Proc node = b.startNode("node", dir, port, Map.of(), b.serverCpus)) {
      node.awaitStatus200(port, "/health", 120_000);
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

      Load.wrk(base + "/health", CONNECTIONS, b.warmup / 2, null, node.pid());
      Load.wrk(base + "/api/user", CONNECTIONS, 2 * b.warmup, script, node.pid());
      List<Double> health = new ArrayList<>();
      List<Double> user = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      List<Double> healthCpu = new ArrayList<>();
      List<Double> userCpu = new ArrayList<>();
      List<Double> wrkCpu = new ArrayList<>();
      long non2xx = 0;
      for (int round = 1; round <= b.rounds; round++) {
        Load.Wrk h = Load.wrk(base + "/health", CONNECTIONS, b.seconds, null, node.pid());
        Load.Wrk u = Load.wrk(base + "/api/user", CONNECTIONS, b.seconds, script, node.pid());
        health.add(h.rps());
        user.add(u.rps());
        ratios.add(u.rps() / h.rps());
        healthCpu.add(h.serverCpuMsPerRequest() * 1000);
        userCpu.add(u.serverCpuMsPerRequest() * 1000);
        wrkCpu.add(Math.max(h.wrkCpuPercent(), u.wrkCpuPercent()));
        non2xx += h.non2xx() + u.non2xx();
        log("round %d: /health %.0f/s (p99 %.1f ms, %.1f us server CPU each, wrk CPU %.0f%%%s) | /api/user %.0f/s"
            + " (p99 %.1f ms, %.1f us server CPU each, wrk CPU %.0f%%, non-2xx %d%s) | ratio %.3f", round, h.rps(),
          h.p99(), h.serverCpuMsPerRequest() * 1000, h.wrkCpuPercent(), h.errors().isEmpty() ? "" : ", " + h.errors(),
          u.rps(), u.p99(), u.serverCpuMsPerRequest() * 1000, u.wrkCpuPercent(), u.non2xx(),
          u.errors().isEmpty() ? "" : ", " + u.errors(), u.rps() / h.rps());
        log("  server CPU per request by thread (ms): /health %s | /api/user %s", h.threads(), u.threads());
        log("  /health %s | /api/user %s", h.split(), u.split());
      }
      double ratio = Load.median(ratios);
      b.row("2", f("GET /api/user per s (wrk, %d connections)", CONNECTIONS), f("%.0f/s", Load.median(user)),
        f("GET /health %.0f/s", Load.median(health)), f("%.3f (rounds spread %.0f%%)", ratio, Load.spread(ratios)),
        ">= 0.5", ratio >= 0.5 && non2xx == 0,
        f("%.0f us per /api/user vs %.0f us per /health (wrk CPU <= %.0f%%)", Load.median(userCpu),
          Load.median(healthCpu), Load.median(wrkCpu)));

      openLoop(node, port, tokens, Load.median(user) / 2);
    }
  }

  private void openLoop(Proc node, int port, List<String> tokens, double rate) throws Exception {
    double seconds = Math.max(15, 2 * b.seconds);
    List<byte[]> users = tokens.stream()
      .map(token -> LeanOpenLoop.get(port, "/api/user", Map.of("Authorization", "Bearer " + token))).toList();
    List<byte[]> health = List.of(LeanOpenLoop.get(port, "/health", Map.of()));
    // the client's own code compiled at this rate before anything counts
    LeanOpenLoop.run(port, users, rate, 5, OPEN_LOOP_CONNECTIONS, 10_000, 0);
    System.gc();
    Load.Result u = LeanOpenLoop.run(port, users, rate, seconds, OPEN_LOOP_CONNECTIONS, 10_000, node.pid());
    System.gc();
    Load.Result h = LeanOpenLoop.run(port, health, rate, seconds, OPEN_LOOP_CONNECTIONS, 10_000, node.pid());
    log("  server CPU per request by thread (ms): /api/user %s | /health %s", u.threads, h.threads);
    log("open loop at %.0f/s for %.0f s: /api/user %s p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.1f ms"
        + " (client CPU %.0f%%, server CPU %.0f%%) | same client on /health: p50 %.2f ms, p99 %.2f ms, max %.1f ms"
        + " (client CPU %.0f%%)", rate, seconds, u.statusText(), u.ms(50), u.ms(99), u.ms(99.9), u.maxMs(),
      u.clientCpuPercent(), 100 * u.serverCpuNanos / 1e9 / u.seconds, h.ms(50), h.ms(99), h.maxMs(),
      h.clientCpuPercent());
    b.row("2b", f("GET /api/user at half the maximum, open loop (%.0f/s, %.0f s)", rate, seconds),
      f("p99 %.2f ms (p50 %.2f, p99.9 %.2f, max %.1f)", u.ms(99), u.ms(50), u.ms(99.9), u.maxMs()),
      f("client alone on /health: p99 %.2f ms, client CPU %.0f%%", h.ms(99), u.clientCpuPercent()),
      f("%.2f ms", u.ms(99)), "p99 < 10 ms", u.ms(99) < 10 && u.ok() == u.total(),
      f("%.0f us per request", u.serverCpuMsPerOk() * 1000));
  }
}
