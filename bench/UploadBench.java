import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Avatar uploads per second through a running server: C uploads in flight (raw image/jpeg bodies
 * of a ~1 MP JPEG), spread over U users, for S seconds after a warm-up. Each upload is the whole
 * path: token check, body, decode-scale-encode, store (file fsync + SQLite commit), event.
 *
 * <p>Arguments: base URL (default http://127.0.0.1:8080), concurrency (default 4), seconds measured
 * (default 20), seconds of warm-up (default 5), users (default 8). The server must allow the rate:
 * start it with AVATAR_UPLOADS_PER_MINUTE and AUTH_REQUESTS_PER_MINUTE far above the load.
 */
public final class UploadBench {

  private static final String PASSWORD = "bench-password-not-common-7Q";

  public static void main(String[] args) throws Exception {
    URI base = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:8080");
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    int users = args.length > 4 ? Integer.parseInt(args[4]) : 8;
    byte[] jpeg = BenchImage.jpeg();

    Vertx vertx = Vertx.vertx();
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost(base.getHost())
      .setDefaultPort(base.getPort()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(concurrency));
    try {
      List<String> tokens = new ArrayList<>();
      String run = UUID.randomUUID().toString().substring(0, 8);
      for (int i = 0; i < users; i++) {
        JsonObject answer = client.post("/api/register").sendJsonObject(new JsonObject()
          .put("identifier", "bench-" + run + "-" + i).put("password", PASSWORD)).await().bodyAsJsonObject();
        tokens.add(answer.getJsonObject("data").getString("accessToken"));
      }
      Buffer body = Buffer.buffer(jpeg);

      measure(client, tokens, body, concurrency, warmup);
      Result result = measure(client, tokens, body, concurrency, seconds);
      List<Long> latencies = result.latenciesMicros();
      Collections.sort(latencies);
      System.out.printf("server: %d in flight, %d users, %dx%d JPEG of %d bytes: %d ok in %.1f s = %.1f uploads/s;"
          + " latency p50 %.0f ms, p99 %.0f ms; statuses %s%n",
        concurrency, users, BenchImage.WIDTH, BenchImage.HEIGHT, jpeg.length, result.ok(), result.seconds(),
        result.ok() / result.seconds(), percentile(latencies, 0.50) / 1000.0, percentile(latencies, 0.99) / 1000.0,
        result.statuses());
    } finally {
      client.close();
      vertx.close().await();
    }
  }

  private record Result(long ok, double seconds, List<Long> latenciesMicros, Map<Integer, Integer> statuses) {
  }

  private static Result measure(WebClient client, List<String> tokens, Buffer body, int concurrency, int seconds) {
    long started = System.nanoTime();
    long deadline = started + seconds * 1_000_000_000L;
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    Map<Integer, Integer> statuses = Collections.synchronizedMap(new TreeMap<>());
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < concurrency; lane++) {
      Promise<Void> finished = Promise.promise();
      next(client, tokens.get(lane % tokens.size()), body, deadline, latencies, statuses, finished);
      lanes.add(finished.future());
    }
    Future.all(lanes).await();
    double elapsed = (System.nanoTime() - started) / 1e9;
    return new Result(statuses.getOrDefault(200, 0), elapsed, new ArrayList<>(latencies), statuses);
  }

  private static void next(WebClient client, String token, Buffer body, long deadline, List<Long> latencies,
                           Map<Integer, Integer> statuses, Promise<Void> finished) {
    if (System.nanoTime() >= deadline) {
      finished.complete();
      return;
    }
    long sent = System.nanoTime();
    client.post("/api/user/avatar").bearerTokenAuthentication(token).putHeader("Content-Type", "image/jpeg")
      .sendBuffer(body)
      .onComplete(done -> {
        int status = done.succeeded() ? done.result().statusCode() : -1;
        statuses.merge(status, 1, Integer::sum);
        if (status == 200) {
          latencies.add((System.nanoTime() - sent) / 1000);
        }
        next(client, token, body, deadline, latencies, statuses, finished);
      });
  }

  private static double percentile(List<Long> sorted, double p) {
    return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }
}
