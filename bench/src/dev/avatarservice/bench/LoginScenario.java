package dev.avatarservice.bench;

import dev.avatarservice.config.ConfigLoader;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.avatarservice.bench.Bench.f;
import static dev.avatarservice.bench.Bench.log;

/**
 * 1. Logins per second through HTTP against raw Argon2id verifications per second (same parameters,
 * same threads, same cores), alternating; then a flood of logins at three times that rate, during
 * which {@code /health} is probed at a constant rate and the refusals are timed. On PostgreSQL
 * ({@code login-pg}) the same rounds, with PostgreSQL's CPU per login; not the flood, which tests the
 * hashing pool's queue, not the database.
 */
final class LoginScenario {

  /** The settings a node started by the benchmark runs with, where the benchmark does not override them. */
  private static final JsonObject DEFAULTS = ConfigLoader.bundledDefaults();
  private final Bench b;
  private final boolean postgres;

  LoginScenario(Bench bench, boolean postgres) {
    this.b = bench;
    this.postgres = postgres;
  }

  void run() throws Exception {
    String name = postgres ? "login-pg" : "login";
    Map<String, String> database = b.databaseEnv(name, postgres);
    Path dir = b.freshDir(name);
    int port = Proc.freePort();
    int threads = Cores.count(b.serverCpus);
    try (Proc node = b.startNode("node", dir, port, database, b.serverCpus); Raw raw = b.startRaw(dir)) {
      node.awaitStatus200(port, "/health", 120_000);
      if (postgres) {
        Postgres.requireSchema(database.get("DB_URL"), node);
      }
      Api api = new Api(b.vertx, port, 64);
      List<JsonObject> accounts = api.register(8, 4);
      List<String> identifiers = accounts.stream().map(a -> a.getJsonObject("user").getString("identifier")).toList();
      // What a login costs on the node: HASH_THREADS = cores (its default), Argon2 as configured by default.
      String hash = "hash " + threads + " %s " + DEFAULTS.getInteger("ARGON2_MEMORY_KIB") + " "
        + DEFAULTS.getInteger("ARGON2_ITERATIONS") + " " + DEFAULTS.getInteger("ARGON2_PARALLELISM");
      int lanes = 2 * threads + 2; // keeps every hashing thread busy, far below HASH_THREADS + HASH_QUEUE
      java.util.function.IntFunction<io.vertx.core.Future<Integer>> login = lane -> api.client.post("/api/login").timeout(Api.TIMEOUT_MS)
        .sendJsonObject(new JsonObject().put("identifier", identifiers.get(lane % identifiers.size()))
          .put("password", Api.PASSWORD))
        .map(response -> response.statusCode());

      raw.run(f(hash, b.warmup / 2)); // its first seconds run at 2/3 of the speed: JIT
      // At ~30 logins a second the JIT takes minutes to finish the login path: after 30 s it still
      // costs ~2 ms per login, after 90 s next to nothing (BENCHMARKS.md).
      Load.closedLoop(b.vertx, lanes, 6 * b.warmup, node.pid(), login);
      PairedRounds rounds = new PairedRounds("raw Argon2id hashes", "logins");
      if (postgres) {
        rounds.database(b.postgres()::cpuNanos);
      }
      List<Double> hashShares = new ArrayList<>();
      for (int round = 1; round <= b.rounds; round++) {
        Load.Result s = rounds.run(round, () -> raw.run(f(hash, b.seconds)),
          () -> Load.closedLoop(b.vertx, lanes, b.seconds, node.pid(), login));
        // the same comparison inside the node's JVM, free of the two JVMs' different JIT luck
        hashShares.add(s.cpuShare("password-hashin"));
      }
      double ratio = rounds.ratio();
      b.chart("throughput", new io.vertx.core.json.JsonObject().put("scenario", postgres ? "logins, PostgreSQL" : "logins")
        .put("measured", rounds.rate()).put("limit", rounds.limitRate()).put("ratio", rounds.ratio())
        .put("limitName", "raw Argon2id").put("target", 0.9));
      b.row(postgres ? "1 pg" : "1", f("logins/s through HTTP (%d in flight, HASH_THREADS=%d)%s", lanes, threads,
          postgres ? ", on PostgreSQL" : ""),
        f("%.2f/s", rounds.rate()), f("raw Argon2id %.2f/s", rounds.limitRate()), rounds.ratioText(), ">= 0.9",
        ratio >= 0.9 && rounds.notOk() == 0,
        f("%.1f ms per login%s vs %.1f ms per raw hash; the node's hashing thread: %.0f%% of its CPU; by thread,"
          + " last round: %s", rounds.cpuMs(), postgres ? f(" + PostgreSQL %.2f ms", rounds.dbCpuMs()) : "",
          rounds.limitCpuMs(), 100 * Load.median(hashShares), rounds.lastThreads()));

      if (!postgres) {
        flood(node, port, identifiers, rounds.rate(), threads);
      }
      api.close();
    }
  }
  /** Logins at three times capacity (open loop) with /health probed alongside. */
  private void flood(Proc node, int port, List<String> identifiers, double capacity, int threads) throws Exception {
    double rate = Math.max(3 * capacity, 10);
    double seconds = Math.max(10, b.seconds);
    HttpClientAgent logins = Load.httpClient(b.vertx, port, 1000, 30_000);
    HttpClientAgent probes = Load.httpClient(b.vertx, port, 16, 30_000);
    List<Load.Request> requests = new ArrayList<>();
    for (String identifier : identifiers) {
      requests.add(new Load.Request(HttpMethod.POST, "/api/login", Map.of("Content-Type", "application/json"),
        Buffer.buffer(new JsonObject().put("identifier", identifier).put("password", Api.PASSWORD).encode())));
    }
    CompletableFuture<Load.Result> health = CompletableFuture.supplyAsync(() -> Load.openLoop(b.vertx, probes,
      List.of(Load.Request.get("/health", Map.of())), 50, seconds, 30_000, -1));
    Load.Result flood = Load.openLoop(b.vertx, logins, requests, rate, seconds, 30_000, node.pid());
    Load.Result probe = health.get();
    log("  server CPU per flood request by thread (ms): %s", flood.threads);
    long refused = flood.count(503) + flood.count(429);
    long unanswered = flood.count(-1);
    log("flood: %.0f logins/s offered for %.0f s: %s; accepted %.2f/s; refusals p50 %.1f ms, p99 %.1f ms, max %.1f;"
        + " accepted p50 %.0f ms, p99 %.0f ms; /health %s p50 %.1f ms p99 %.1f ms max %.1f ms;"
        + " load generator CPU (logins and probes) %.0f%%",
      rate, seconds, flood.statusText(), flood.count(200) / flood.seconds, flood.ms(50, 503, 429),
      flood.ms(99, 503, 429), flood.ms(100, 503, 429), flood.ms(50, 200), flood.ms(99, 200), probe.statusText(),
      probe.ms(50), probe.ms(99), probe.maxMs(), flood.clientCpuPercent());
    b.row("1b", f("GET /health during a login flood (%.0f/s offered, 3x capacity; 50 probes/s)", rate),
      f("p99 %.1f ms (p50 %.1f, max %.1f)", probe.ms(99), probe.ms(50), probe.maxMs()), "-",
      f("%.1f ms", probe.ms(99)), "p99 < 20 ms", probe.ms(99) < 20 && probe.count(200) == probe.total(), "-");
    double refusalP99 = flood.ms(99, 503, 429);
    b.row("1c", f("logins beyond HASH_THREADS + HASH_QUEUE = %d in flight", threads + DEFAULTS.getInteger("HASH_QUEUE")),
      f("%d refused (503/429), p99 %.1f ms; %d accepted; %d unanswered", refused, refusalP99, flood.count(200), unanswered),
      "-", f("%.1f ms", refusalP99), "refused p99 < 20 ms, none unanswered",
      refused > 0 && refusalP99 < 20 && unanswered == 0 && flood.total() == flood.count(200) + refused,
      f("server busy %.0f%% of its cores", 100 * flood.serverCpuNanos / 1e9 / flood.seconds / threads));
    logins.close();
    probes.close();
  }
}
