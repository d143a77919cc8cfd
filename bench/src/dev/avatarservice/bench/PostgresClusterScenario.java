package dev.avatarservice.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

import static dev.avatarservice.bench.Bench.f;
import static dev.avatarservice.bench.Bench.log;

/**
 * 8. Three clustered nodes on one PostgreSQL ({@code cluster-pg}), each with every role and a working
 * folder of its own: authenticated {@code GET /api/user} (wrk) and refresh rotations (closed loop)
 * spread over the three nodes against the same load on one of them, alternating (ABBA). What is
 * measured per operation, on both sides: the CPU of the three nodes together, PostgreSQL's, and the
 * load generator's, so that the row says what bounds the rate (on a machine whose nodes share one
 * core, three nodes cannot be faster than one: the question is what they cost).
 */
final class PostgresClusterScenario {

  static final int NODES = 3;
  static final int CONNECTIONS = 30;
  static final int LANES = 16;
  private final Bench b;

  PostgresClusterScenario(Bench bench) {
    this.b = bench;
  }

  /** One side of a comparison: answers per second, and CPU per answer of the nodes, PostgreSQL and the client. */
  record Side(double rate, long ok, long notOk, double nodesUs, double postgresUs, double clientPercent, String split) {
  }

  void run() throws Exception {
    Map<String, String> database = b.databaseEnv("cluster-pg", true);
    Path base = b.freshDir("cluster-pg");
    Map<String, String> env = new HashMap<>(database);
    env.putAll(Map.of("CLUSTER", "true", "ROLES", "all",
      "CLUSTER_NAME", "avatar-service-bench-pg-" + UUID.randomUUID().toString().substring(0, 8)));
    List<Proc> nodes = new ArrayList<>();
    int[] ports = new int[NODES];
    try {
      for (int i = 0; i < NODES; i++) {
        ports[i] = Proc.freePort();
        Path dir = Files.createDirectories(base.resolve("node-" + (i + 1)));
        long t0 = System.nanoTime();
        Proc node = b.startNode("node-" + (i + 1), dir, ports[i], env, b.serverCpus);
        nodes.add(node);
        node.awaitStatus200(ports[i], "/ready", 180_000);
        log("node %d ready after %.1f s", i + 1, (System.nanoTime() - t0) / 1e9);
      }
      Postgres.requireSchema(database.get("DB_URL"), nodes.get(0));
      Postgres postgres = b.postgres();
      List<Api> apis = new ArrayList<>();
      for (int port : ports) {
        apis.add(new Api(b.vertx, port, LANES));
      }
      // readers and rotators apart: a refresh that fails ends its session (reuse detection), which
      // must not turn the reads into 401s
      List<String> access = apis.get(0).register(LANES, 4).stream().map(a -> a.getString("accessToken")).toList();
      String[] refresh = apis.get(0).register(LANES, 4).stream().map(a -> a.getString("refreshToken"))
        .toArray(String[]::new);
      Path script = base.resolve("user.lua");
      Files.writeString(script, "-- the Authorization header of one of the benchmark's accounts, in turn\n"
        + "local tokens = {" + access.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", ")) + "}\n"
        + "local i = 0\n"
        + "request = function()\n"
        + "  i = i % #tokens + 1\n"
        + "  return wrk.format(\"GET\", \"/api/user\", { [\"Authorization\"] = \"Bearer \" .. tokens[i] })\n"
        + "end\n");

      // every node's paths warm before anything counts
      users(nodes, ports, NODES, 2 * b.warmup, script, postgres);
      rotations(nodes, apis, refresh, NODES, 2 * b.warmup, postgres);

      List<Side> userOne = new ArrayList<>();
      List<Side> userAll = new ArrayList<>();
      List<Side> refreshOne = new ArrayList<>();
      List<Side> refreshAll = new ArrayList<>();
      for (int round = 1; round <= b.rounds; round++) {
        boolean oneFirst = round % 2 == 1;
        for (int side = 0; side < 2; side++) {
          int spread = (side == 0) == oneFirst ? 1 : NODES;
          Side s = users(nodes, ports, spread, b.seconds, script, postgres);
          (spread == 1 ? userOne : userAll).add(s);
          log("round %d, GET /api/user on %d node%s: %s", round, spread, spread == 1 ? "" : "s", text(s, "request"));
        }
        for (int side = 0; side < 2; side++) {
          int spread = (side == 0) == oneFirst ? 1 : NODES;
          Side s = rotations(nodes, apis, refresh, spread, b.seconds, postgres);
          (spread == 1 ? refreshOne : refreshAll).add(s);
          log("round %d, refresh on %d node%s: %s", round, spread, spread == 1 ? "" : "s", text(s, "rotation"));
        }
      }
      row("8a pg", f("GET /api/user per s (wrk, %d connections) spread over %d nodes on one PostgreSQL, against one node",
        CONNECTIONS, NODES), userAll, userOne, "request");
      row("8b pg", f("refresh rotations/s (%d in flight) spread over %d nodes on one PostgreSQL, against one node",
        LANES, NODES), refreshAll, refreshOne, "rotation");
      for (Api api : apis) {
        api.close();
      }
    } finally {
      for (Proc node : nodes) {
        node.close();
      }
    }
  }

  private void row(String id, String what, List<Side> all, List<Side> one, String op) {
    double allRate = Load.median(all.stream().map(Side::rate).toList());
    double oneRate = Load.median(one.stream().map(Side::rate).toList());
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      ratios.add(all.get(i).rate() / one.get(i).rate());
    }
    long notOk = all.stream().mapToLong(Side::notOk).sum() + one.stream().mapToLong(Side::notOk).sum();
    b.row(id, what, f("%.0f/s on %d nodes", allRate, NODES), f("one node %.0f/s", oneRate),
      f("%.3f (rounds spread %.0f%%)", Load.median(ratios), Load.spread(ratios)), "all 2xx (no scaling target on"
        + " shared cores)", notOk == 0,
      f("per %s on %d nodes: nodes %.0f us + PostgreSQL %.0f us, client %.0f%% of its core; on one node: nodes %.0f us"
          + " + PostgreSQL %.0f us, client %.0f%%", op, NODES,
        Load.median(all.stream().map(Side::nodesUs).toList()), Load.median(all.stream().map(Side::postgresUs).toList()),
        Load.median(all.stream().map(Side::clientPercent).toList()),
        Load.median(one.stream().map(Side::nodesUs).toList()), Load.median(one.stream().map(Side::postgresUs).toList()),
        Load.median(one.stream().map(Side::clientPercent).toList())));
  }

  private static String text(Side s, String op) {
    return f("%.0f/s (%d not 2xx); per %s: nodes %.1f us, PostgreSQL %.1f us; client CPU %.0f%%; by node: %s", s.rate(),
      s.notOk(), op, s.nodesUs(), s.postgresUs(), s.clientPercent(), s.split());
  }

  private static long nodesCpu(List<Proc> nodes) {
    return nodes.stream().mapToLong(Proc::cpuNanos).sum();
  }

  /** wrk on the first {@code spread} nodes at once, the connections shared out among them. */
  private Side users(List<Proc> nodes, int[] ports, int spread, double seconds, Path script, Postgres postgres)
    throws Exception {
    long nodes0 = nodesCpu(nodes);
    long db0 = postgres.cpuNanos();
    List<CompletableFuture<Load.Wrk>> runs = new ArrayList<>();
    for (int i = 0; i < spread; i++) {
      String url = "http://127.0.0.1:" + ports[i] + "/api/user";
      long pid = nodes.get(i).pid();
      runs.add(CompletableFuture.supplyAsync(() -> {
        try {
          return Load.wrk(url, CONNECTIONS / spread, seconds, script, pid);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    List<Load.Wrk> done = new ArrayList<>();
    for (CompletableFuture<Load.Wrk> run : runs) {
      done.add(run.get());
    }
    long nodesNanos = nodesCpu(nodes) - nodes0;
    long dbNanos = postgres.cpuNanos() - db0;
    long requests = done.stream().mapToLong(Load.Wrk::requests).sum();
    long notOk = done.stream().mapToLong(w -> w.non2xx() + (w.errors().isEmpty() ? 0 : 1)).sum();
    double rate = done.stream().mapToDouble(Load.Wrk::okRps).sum();
    double client = done.stream().mapToDouble(Load.Wrk::wrkCpuPercent).sum();
    String split = done.stream().map(w -> f("%.0f/s", w.okRps())).collect(Collectors.joining(", "));
    return new Side(rate, requests, notOk, nodesNanos / 1e3 / requests, dbNanos / 1e3 / requests, client, split);
  }

  /** {@code LANES} closed-loop lanes rotating their own token chains, lane i on node i mod {@code spread}. */
  private Side rotations(List<Proc> nodes, List<Api> apis, String[] tokens, int spread, double seconds,
                         Postgres postgres) {
    long[] perNode = new long[spread];
    IntFunction<Future<Integer>> refresh = lane -> apis.get(lane % spread).client.post("/api/refresh")
      .timeout(Api.TIMEOUT_MS)
      .sendJsonObject(new JsonObject().put("refreshToken", tokens[lane]))
      .map(response -> {
        if (response.statusCode() == 200) {
          tokens[lane] = response.bodyAsJsonObject().getJsonObject("data").getString("refreshToken");
          perNode[lane % spread]++;
        }
        return response.statusCode();
      });
    long nodes0 = nodesCpu(nodes);
    long db0 = postgres.cpuNanos();
    Load.Result r = Load.closedLoop(b.vertx, LANES, seconds, nodes.get(0).pid(), refresh);
    long nodesNanos = nodesCpu(nodes) - nodes0;
    long dbNanos = postgres.cpuNanos() - db0;
    String split = java.util.Arrays.stream(perNode).mapToObj(n -> f("%.0f/s", n / r.seconds))
      .collect(Collectors.joining(", "));
    return new Side(r.okPerSecond(), r.ok(), r.total() - r.ok(), nodesNanos / 1e3 / r.ok(), dbNanos / 1e3 / r.ok(),
      r.clientCpuPercent(), split);
  }
}
