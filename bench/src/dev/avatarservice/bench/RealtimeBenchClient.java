package dev.avatarservice.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load client for the realtime measurements (not a test): registers users, opens authenticated
 * WebSocket sockets spread over them, reads the node's memory before and after, then publishes
 * avatar events one at a time and measures how long each takes to reach every socket of its user.
 * <p>
 * Arguments: public port, control port, sockets, users, events, and optionally seconds to keep the
 * sockets open at the end (to inspect the node). See bench/README-realtime.md.
 */
public final class RealtimeBenchClient {

  private RealtimeBenchClient() {
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int controlPort = Integer.parseInt(args[1]);
    int sockets = Integer.parseInt(args[2]);
    int users = Integer.parseInt(args[3]);
    int events = Integer.parseInt(args[4]);
    int holdSeconds = args.length > 5 ? Integer.parseInt(args[5]) : 0;
    Vertx vertx = Vertx.vertx(new VertxOptions().setBlockedThreadCheckInterval(10_000));
    WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    WebClient control = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(controlPort));

    long started = System.nanoTime();
    List<JsonObject> accounts = register(http, users);
    log("registered %d users in %d s", users, Duration.ofNanos(System.nanoTime() - started).toSeconds());

    JsonObject before = control.get("/memory").send().await().bodyAsJsonObject();
    log("before: heap after GC %.1f MiB, RSS %.1f MiB", mib(before.getLong("heapAfterGc")), mib(before.getLong("rss")));

    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(sockets + 10)
      .setConnectTimeout(30_000));
    List<List<Arrivals>> byUser = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      byUser.add(new ArrayList<>());
    }
    started = System.nanoTime();
    List<Future<Void>> opening = new ArrayList<>();
    AtomicInteger inFlight = new AtomicInteger();
    for (int i = 0; i < sockets; i++) {
      while (inFlight.get() >= 200) {
        Thread.onSpinWait();
      }
      inFlight.incrementAndGet();
      int user = i % users;
      Arrivals arrivals = new Arrivals();
      byUser.get(user).add(arrivals);
      Future<Void> opened = arrivals.open(client, port, accounts.get(user).getString("accessToken"));
      opened.onComplete(done -> inFlight.decrementAndGet());
      opening.add(opened);
    }
    Future.all(opening).await();
    log("opened %d authenticated sockets in %d s", sockets, Duration.ofNanos(System.nanoTime() - started).toSeconds());

    JsonObject after = control.get("/memory").send().await().bodyAsJsonObject();
    long heap = after.getLong("heapAfterGc") - before.getLong("heapAfterGc");
    long rss = after.getLong("rss") - before.getLong("rss");
    log("after: heap after GC %.1f MiB, RSS %.1f MiB", mib(after.getLong("heapAfterGc")), mib(after.getLong("rss")));
    log("per idle authenticated socket: heap %.1f KiB, RSS %.1f KiB", heap / 1024.0 / sockets, rss / 1024.0 / sockets);

    Random random = new Random(42);
    List<Long> micros = new ArrayList<>();
    List<Long> lastOfUser = new ArrayList<>();
    for (int e = 0; e < events; e++) {
      int user = random.nextInt(users);
      List<Arrivals> targets = byUser.get(user);
      List<Future<Long>> arrived = new ArrayList<>();
      for (Arrivals arrivals : targets) {
        arrived.add(arrivals.expect());
      }
      control.post("/publish").addQueryParam("user", accounts.get(user).getJsonObject("user").getString("id"))
        .send().await();
      long last = 0;
      for (Future<Long> one : arrived) {
        long value = one.await();
        micros.add(value);
        last = Math.max(last, value);
      }
      lastOfUser.add(last);
    }
    Collections.sort(micros);
    Collections.sort(lastOfUser);
    log("%d events x %d sockets per user = %d deliveries: median %.2f ms, p99 %.2f ms, max %.2f ms",
      events, sockets / users, micros.size(), percentile(micros, 50) / 1000.0, percentile(micros, 99) / 1000.0,
      micros.get(micros.size() - 1) / 1000.0);
    log("until the last socket of the user: median %.2f ms, p99 %.2f ms",
      percentile(lastOfUser, 50) / 1000.0, percentile(lastOfUser, 99) / 1000.0);
    if (holdSeconds > 0) {
      log("keeping the sockets open for %d s", holdSeconds);
      vertx.timer(holdSeconds * 1000L).await();
    }
    vertx.close().await();
  }

  private static List<JsonObject> register(WebClient http, int users) {
    List<JsonObject> accounts = new ArrayList<>();
    String run = Long.toString(System.currentTimeMillis(), 36);
    int batch = 16;
    for (int from = 0; from < users; from += batch) {
      List<Future<JsonObject>> registering = new ArrayList<>();
      for (int u = from; u < Math.min(users, from + batch); u++) {
        registering.add(http.post("/api/register")
          .sendJsonObject(new JsonObject().put("identifier", "bench-" + run + "-" + u)
            .put("password", "correct-horse-battery-staple-42"))
          .map(response -> {
            if (response.statusCode() != 201) {
              throw new IllegalStateException("registration: " + response.statusCode() + " " + response.bodyAsString());
            }
            return response.bodyAsJsonObject().getJsonObject("data");
          }));
      }
      for (Future<JsonObject> account : registering) {
        accounts.add(account.await());
      }
    }
    return accounts;
  }

  /** One socket: its avatar events' delays (publish time in the event to arrival), in microseconds. */
  private static final class Arrivals {
    private final ConcurrentLinkedQueue<Promise<Long>> waiting = new ConcurrentLinkedQueue<>();

    Future<Void> open(WebSocketClient client, int port, String token) {
      Promise<Void> ready = Promise.promise();
      WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws")
        .addHeader("Authorization", "Bearer " + token);
      client.connect(options).onFailure(ready::tryFail).onSuccess((WebSocket ws) -> ws.textMessageHandler(text -> {
        Instant now = Instant.now();
        JsonObject message = new JsonObject(text);
        switch (message.getString("type")) {
          case "ready" -> ready.tryComplete();
          case "avatar.changed" -> {
            Promise<Long> next = waiting.poll();
            if (next != null) {
              next.complete(Duration.between(Instant.parse(message.getString("changedAt")), now).toNanos() / 1000);
            }
          }
          default -> {
          }
        }
      }));
      return ready.future();
    }

    Future<Long> expect() {
      Promise<Long> promise = Promise.promise();
      waiting.add(promise);
      return promise.future();
    }
  }

  private static long percentile(List<Long> sorted, int percent) {
    int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  private static double mib(long bytes) {
    return bytes / 1024.0 / 1024.0;
  }

  private static void log(String format, Object... args) {
    System.out.println(String.format(format, args));
  }
}
