package dev.avatarservice.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.IntFunction;

import static dev.avatarservice.bench.Bench.f;

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
      PairedRounds rounds = new PairedRounds("raw transactions", "rotations");
      for (int round = 1; round <= b.rounds; round++) {
        rounds.run(round, () -> raw.run(f(sqlite, b.seconds)),
          () -> Load.closedLoop(b.vertx, LANES, b.seconds, node.pid(), refresh));
      }
      api.close();
      long busy = Files.readAllLines(node.log).stream()
        .filter(line -> line.contains("SQLITE_BUSY") || line.contains("database is locked")).count();
      long failed = rounds.notOk();
      b.chart("throughput", new io.vertx.core.json.JsonObject().put("scenario", "refresh").put("measured", rounds.rate())
        .put("limit", rounds.limitRate()).put("ratio", rounds.ratio()).put("limitName", "raw JDBC")
        .put("target", 0.3));
      b.row("3", f("refresh rotations/s (%d in flight, synchronous=FULL)", LANES), f("%.0f/s", rounds.rate()),
        f("raw JDBC transactions %.0f/s", rounds.limitRate()), rounds.ratioText(), ">= 0.3", rounds.ratio() >= 0.3,
        f("%.2f ms per rotation vs %.2f ms per raw transaction", rounds.cpuMs(), rounds.limitCpuMs()));
      b.row("3b", "refresh answers other than 200; SQLITE_BUSY in the node's log", f("%d; %d", failed, busy), "-",
        f("%d; %d", failed, busy), "0; 0", failed == 0 && busy == 0, "-");
    }
  }
}
