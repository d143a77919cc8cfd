package dev.avatarservice.bench;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import static dev.avatarservice.bench.Bench.f;
import static dev.avatarservice.bench.Bench.log;

/**
 * 4. Avatar uploads per second (a photo-like 1280x800 JPEG, {@link BenchImage}) through HTTP against
 * the raw decode-scale-encode rate of {@code AvatarImageProcessor} on as many threads as the node's
 * image pool (IMAGE_THREADS = cores), alternating; then a 48-megapixel PNG bomb, which must be
 * refused from its header (422) in well under 5 ms of server time. On PostgreSQL ({@code upload-pg}:
 * every size stored in the database) the same rounds with PostgreSQL's CPU per upload, not the bomb,
 * which never reaches the store.
 */
final class UploadScenario {

  static final int LANES = 4;
  private final Bench b;
  private final boolean postgres;

  UploadScenario(Bench bench, boolean postgres) {
    this.b = bench;
    this.postgres = postgres;
  }

  void run() throws Exception {
    String name = postgres ? "upload-pg" : "upload";
    Map<String, String> database = b.databaseEnv(name, postgres);
    Path dir = b.freshDir(name);
    int port = Proc.freePort();
    int threads = Cores.count(b.serverCpus);
    try (Proc node = b.startNode("node", dir, port, database, b.serverCpus); Raw raw = b.startRaw(dir)) {
      node.awaitStatus200(port, "/health", 120_000);
      if (postgres) {
        Postgres.requireSchema(database.get("DB_URL"), node);
      }
      Api api = new Api(b.vertx, port, LANES + 2);
      List<String> tokens = api.register(8, 4).stream().map(a -> a.getString("accessToken")).toList();
      Buffer jpeg = Buffer.buffer(BenchImage.jpeg());
      IntFunction<Future<Integer>> upload = lane -> api.client.post("/api/user/avatar").timeout(Api.TIMEOUT_MS)
        .bearerTokenAuthentication(tokens.get(lane % tokens.size())).putHeader("Content-Type", "image/jpeg")
        .sendBuffer(jpeg).map(response -> response.statusCode());
      String image = "image " + threads + " %s";

      raw.run(f(image, b.warmup / 2));
      Load.closedLoop(b.vertx, LANES, 2 * b.warmup, node.pid(), upload);
      double seconds = Math.max(10, b.seconds);
      PairedRounds rounds = new PairedRounds("raw images", "uploads");
      if (postgres) {
        rounds.database(b.postgres()::cpuNanos);
      }
      for (int round = 1; round <= b.rounds; round++) {
        rounds.run(round, () -> raw.run(f(image, seconds)),
          () -> Load.closedLoop(b.vertx, LANES, seconds, node.pid(), upload));
      }
      b.chart("throughput", new io.vertx.core.json.JsonObject().put("scenario", postgres ? "uploads, PostgreSQL" : "uploads")
        .put("measured", rounds.rate()).put("limit", rounds.limitRate()).put("ratio", rounds.ratio())
        .put("limitName", "raw image pipeline").put("target", 0.85));
      b.row(postgres ? "4 pg" : "4", f("avatar uploads/s, %dx%d JPEG of %d KB (%d in flight, IMAGE_THREADS=%d)%s",
          BenchImage.WIDTH, BenchImage.HEIGHT, jpeg.length() / 1000, LANES, threads,
          postgres ? ", on PostgreSQL (every size in the database)" : ""), f("%.2f/s", rounds.rate()),
        f("raw AvatarImageProcessor %.2f/s", rounds.limitRate()), rounds.ratioText(), ">= 0.85",
        rounds.ratio() >= 0.85 && rounds.notOk() == 0,
        f("%.1f ms per upload%s vs %.1f ms per raw image", rounds.cpuMs(),
          postgres ? f(" + PostgreSQL %.2f ms", rounds.dbCpuMs()) : "", rounds.limitCpuMs()));

      if (!postgres) {
        bomb(node, api, tokens);
      }
      api.close();
    }
  }

  private void bomb(Proc node, Api api, List<String> tokens) throws Exception {
    Buffer bomb = Buffer.buffer(PixelBomb.png(8000, 6000));
    IntFunction<Future<Integer>> send = lane -> api.client.post("/api/user/avatar").timeout(Api.TIMEOUT_MS)
      .bearerTokenAuthentication(tokens.get(0)).putHeader("Content-Type", "image/png")
      .sendBuffer(bomb).map(response -> response.statusCode());
    Load.closedLoop(b.vertx, 1, 3, node.pid(), send);
    Load.Result s = Load.closedLoop(b.vertx, 1, 5, node.pid(), send);
    double cpuMs = s.serverCpuNanos / 1e6 / s.total();
    log("pixel bomb (8000x6000 PNG, %d bytes): %s; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms; server CPU %.2f ms each",
      bomb.length(), s.statusText(), s.ms(50), s.ms(99), s.maxMs(), cpuMs);
    log("  server CPU per bomb by thread (ms): %s", s.threads);
    b.row("4b", f("48 MP PNG bomb (%d bytes), one at a time", bomb.length()),
      f("%s, latency p50 %.2f ms, p99 %.2f ms", s.statusText(), s.ms(50), s.ms(99)), "-",
      f("%.2f ms CPU", cpuMs), "422 in < 5 ms of server time", s.count(422) == s.total() && cpuMs < 5,
      f("%.2f ms per refusal", cpuMs));
  }
}
