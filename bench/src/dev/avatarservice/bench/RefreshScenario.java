package dev.avatarservice.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import static dev.avatarservice.bench.Bench.f;
import static dev.avatarservice.bench.Bench.log;

/**
 * 3. Refresh-token rotations per second through HTTP against raw single-writer SQLite transactions
 * per second (plain JDBC, the store's pragmas and schema, the rotation's UPDATE + INSERT + SELECT),
 * alternating; every answer must be 200 and the node's log must not mention SQLITE_BUSY.
 */
final class RefreshScenario {

  static final int LANES = 16;
  private final Bench b;

  RefreshScenario(Bench bench) {
    this.b = bench;
  }

  void run() throws Exception {
    Path dir = b.freshDir("refresh");
    int port = Proc.freePort();
    try (Proc node = b.startNode("node", dir, port, Map.of(), b.serverCpus); Raw raw = b.startRaw(dir)) {
      node.awaitStatus200(port, "/health", 120_000);
      Api api = new Api(b.vertx, port, LANES);
      // one login (token family) per lane: each lane rotates its own chain
      String[] tokens = api.register(LANES, 4).stream().map(a -> a.getString("refreshToken")).toArray(String[]::new);
      IntFunction<Future<Integer>> refresh = lane -> api.client.post("/api/refresh").timeout(Api.TIMEOUT_MS)
        .sendJsonObject(new JsonObject().put("refreshToken", tokens[lane]))
        .map(response -> {
          if (response.statusCode() == 200) {
            tokens[lane] = response.bodyAsJsonObject().getJsonObject("data").getString("refreshToken");
          }
          return response.statusCode();
        });
      String sqlite = "sqlite " + dir.resolve("raw.db") + " %s FULL 5000";

      raw.run(f(sqlite, b.warmup / 4));
      Load.closedLoop(b.vertx, LANES, 2 * b.warmup, node.pid(), refresh);
      List<Double> rawRates = new ArrayList<>();
      List<Double> rates = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      List<Double> cpu = new ArrayList<>();
      List<Double> rawCpu = new ArrayList<>();
      long failed = 0;
      for (int round = 1; round <= b.rounds; round++) {
        Bench.Paired pair = Bench.round(round, () -> raw.run(f(sqlite, b.seconds)),
          () -> Load.closedLoop(b.vertx, LANES, b.seconds, node.pid(), refresh));
        Raw.Result r = pair.limit();
        Load.Result s = pair.service();
        rawRates.add(r.perSecond());
        rates.add(s.okPerSecond());
        ratios.add(s.okPerSecond() / r.perSecond());
        cpu.add(s.serverCpuMsPerOk());
        rawCpu.add(r.cpuMsPerOp());
        failed += s.total() - s.count(200);
        log("round %d: raw %.0f transactions/s (%.3f ms CPU each) | refresh %.0f/s (%.3f ms server CPU each, p50 %.1f ms,"
            + " p99 %.1f ms, %s; client CPU %.0f%%) | ratio %.3f", round, r.perSecond(), r.cpuMsPerOp(), s.okPerSecond(),
          s.serverCpuMsPerOk(), s.ms(50), s.ms(99), s.statusText(), s.clientCpuPercent(), s.okPerSecond() / r.perSecond());
        log("  server CPU per rotation by thread (ms): %s", s.threads);
      }
      api.close();
      long busy = Files.readAllLines(node.log).stream()
        .filter(line -> line.contains("SQLITE_BUSY") || line.contains("database is locked")).count();
      double ratio = Load.median(ratios);
      b.row("3", f("refresh rotations/s (%d in flight, synchronous=FULL)", LANES), f("%.0f/s", Load.median(rates)),
        f("raw JDBC transactions %.0f/s", Load.median(rawRates)),
        f("%.3f (rounds spread %.0f%%)", ratio, Load.spread(ratios)), ">= 0.3", ratio >= 0.3,
        f("%.2f ms per rotation vs %.2f ms per raw transaction", Load.median(cpu), Load.median(rawCpu)));
      b.row("3b", "refresh answers other than 200; SQLITE_BUSY in the node's log", f("%d; %d", failed, busy), "-",
        f("%d; %d", failed, busy), "0; 0", failed == 0 && busy == 0, "-");
    }
  }
}
