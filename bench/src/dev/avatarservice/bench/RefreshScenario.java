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
 * alternating; every answer must be 200 and the node's log must not mention SQLITE_BUSY. On
 * PostgreSQL ({@code refresh-pg}) the limit is plain JDBC doing the rotation's transaction on
 * PostgreSQL on as many connections as the node's pool ({@code DB_POOL_SIZE}), in a database of its
 * own, and PostgreSQL's CPU is measured on both sides.
 */
final class RefreshScenario {

  static final int LANES = 16;
  /** The node's pool of PostgreSQL connections when DB_POOL_SIZE is not set, and so the raw limit's. */
  static final int POOL_SIZE = dev.avatarservice.config.ConfigLoader.bundledDefaults().getInteger("DB_POOL_SIZE", 8);
  private final Bench b;
  private final boolean postgres;

  RefreshScenario(Bench bench, boolean postgres) {
    this.b = bench;
    this.postgres = postgres;
  }

  void run() throws Exception {
    String name = postgres ? "refresh-pg" : "refresh";
    Map<String, String> database = b.databaseEnv(name, postgres);
    Path dir = b.freshDir(name);
    int port = Proc.freePort();
    try (Proc node = b.startNode("node", dir, port, database, b.serverCpus); Raw raw = b.startRaw(dir)) {
      node.awaitStatus200(port, "/health", 120_000);
      if (postgres) {
        Postgres.requireSchema(database.get("DB_URL"), node);
      }
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
      // the raw limit: SQLite, one writer on a file; PostgreSQL, a database of its own, as many connections as the node's pool
      String limit = postgres
        ? "postgres " + b.postgres().freshDatabase("refresh_pg_raw") + " %s " + POOL_SIZE
        : "sqlite " + dir.resolve("raw.db") + " %s FULL 5000";

      raw.run(f(limit, b.warmup / 4));
      Load.closedLoop(b.vertx, LANES, 2 * b.warmup, node.pid(), refresh);
      PairedRounds rounds = new PairedRounds("raw transactions", "rotations");
      if (postgres) {
        rounds.database(b.postgres()::cpuNanos);
      }
      for (int round = 1; round <= b.rounds; round++) {
        rounds.run(round, () -> raw.run(f(limit, b.seconds)),
          () -> Load.closedLoop(b.vertx, LANES, b.seconds, node.pid(), refresh));
      }
      api.close();
      long failed = rounds.notOk();
      b.chart("throughput", new io.vertx.core.json.JsonObject().put("scenario", postgres ? "refresh, PostgreSQL" : "refresh")
        .put("measured", rounds.rate()).put("limit", rounds.limitRate()).put("ratio", rounds.ratio())
        .put("limitName", "raw JDBC").put("target", 0.3));
      if (postgres) {
        long errors = Files.readAllLines(node.log).stream().filter(line -> line.contains("PSQLException")).count();
        b.row("3 pg", f("refresh rotations/s (%d in flight), on PostgreSQL (fsync on, pool of %d)", LANES, POOL_SIZE),
          f("%.0f/s", rounds.rate()), f("raw JDBC transactions on %d connections %.0f/s", POOL_SIZE, rounds.limitRate()),
          rounds.ratioText(), ">= 0.3", rounds.ratio() >= 0.3,
          f("%.2f ms per rotation + PostgreSQL %.2f ms vs %.2f ms per raw transaction + PostgreSQL %.2f ms",
            rounds.cpuMs(), rounds.dbCpuMs(), rounds.limitCpuMs(), rounds.limitDbCpuMs()));
        b.row("3b pg", "refresh answers other than 200; PSQLException in the node's log", f("%d; %d", failed, errors), "-",
          f("%d; %d", failed, errors), "0; 0", failed == 0 && errors == 0, "-");
        return;
      }
      long busy = Files.readAllLines(node.log).stream()
        .filter(line -> line.contains("SQLITE_BUSY") || line.contains("database is locked")).count();
      b.row("3", f("refresh rotations/s (%d in flight, synchronous=FULL)", LANES), f("%.0f/s", rounds.rate()),
        f("raw JDBC transactions %.0f/s", rounds.limitRate()), rounds.ratioText(), ">= 0.3", rounds.ratio() >= 0.3,
        f("%.2f ms per rotation vs %.2f ms per raw transaction", rounds.cpuMs(), rounds.limitCpuMs()));
      b.row("3b", "refresh answers other than 200; SQLITE_BUSY in the node's log", f("%d; %d", failed, busy), "-",
        f("%d; %d", failed, busy), "0; 0", failed == 0 && busy == 0, "-");
    }
  }
}
