package dev.avatarservice.bench;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.HdrHistogram.Histogram;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import javax.imageio.ImageIO;

import static dev.avatarservice.bench.Bench.f;
import static dev.avatarservice.bench.Bench.log;
import static dev.avatarservice.bench.Load.ms;

/**
 * 5. Realtime on one node: 10,000 authenticated idle WebSockets and 1,000 SockJS sockets (its
 * WebSocket transport), the heap and resident memory they cost, then real avatar uploads with those
 * sockets open, each timed from the node's {@code changedAt} (stamped when the upload is stored,
 * just before the event is published) to its arrival at every socket of the owner.
 * <p>
 * The node is {@link RealtimeBenchServer} (a node as Main starts it, plus a control port that
 * reports its heap after full GCs and its VmRSS), with a fixed, pre-touched 1 GiB heap so that the
 * RSS growth is off-heap memory and not heap resizing.
 */
final class RealtimeScenario {

  static final int USERS = Integer.getInteger("bench.realtime.users", 500);
  static final int SOCKETS = Integer.getInteger("bench.realtime.sockets", 10_000);
  static final int SOCKJS = Integer.getInteger("bench.realtime.sockjs", 1_000);
  static final int UPLOADS = Integer.getInteger("bench.realtime.uploads", 300);
  /** The WebSockets open in this many parts, the memory read after each (socket-memory.png): 1 reads it once. */
  static final int MEMORY_STEPS = Math.max(1, Integer.getInteger("bench.realtime.memorySteps", 4));
  /** Uploads before the measured ones: until they are compiled, the JIT competes for the one core. */
  static final int WARMUP_UPLOADS = Integer.getInteger("bench.realtime.warmupUploads", 200);
  /** How long an upload waits for its event at all of its owner's sockets together. */
  static final int EVENT_WAIT_SECONDS = 10;
  /** Lost events (over a phase) that end the scenario: see {@link #checkLost}. */
  static final int MAX_LOST = Integer.getInteger("bench.realtime.maxLost", 5);
  private final Bench b;

  RealtimeScenario(Bench bench) {
    this.b = bench;
  }

  void run() throws Exception {
    Path dir = b.freshDir("realtime");
    int port = Proc.freePort();
    int control = Proc.freePort();
    List<String> command = new ArrayList<>(List.of("java", "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"));
    command.addAll(b.nodeJvmOptions);
    command.addAll(List.of("-cp", b.classPath, RealtimeBenchServer.class.getName(), Integer.toString(port),
      Integer.toString(control)));
    try (Proc node = Proc.start("node", b.serverCpus, command, b.nodeEnv(dir, port), dir, dir.resolve("node.log"))) {
      log("started the realtime node (pid %d) on cores %s", node.pid(), b.serverCpus);
      node.awaitStatus200(port, "/health", 120_000);
      Api api = new Api(b.vertx, port, 32);
      WebClient controlClient = WebClient.create(b.vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(control));
      long t0 = System.nanoTime();
      List<JsonObject> accounts = api.register(USERS, 16);
      log("registered %d users in %.0f s", USERS, (System.nanoTime() - t0) / 1e9);

      JsonObject before = memory(controlClient);
      io.vertx.core.Context sockets = b.vertx.getOrCreateContext();
      WebSocketClient client = b.vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(SOCKETS + SOCKJS + 10).setConnectTimeout(30_000));
      t0 = System.nanoTime();
      // opened in MEMORY_STEPS parts, memory read after each but the last, for the memory-against-count picture
      List<Sockets.Socket> webSockets = new ArrayList<>();
      List<JsonObject> steps = new ArrayList<>();
      List<Integer> stepCounts = new ArrayList<>();
      for (int step = 1; step <= MEMORY_STEPS; step++) {
        int from = webSockets.size();
        int to = SOCKETS * step / MEMORY_STEPS;
        webSockets.addAll(Sockets.open(sockets, to - from, 200, i ->
          Sockets.webSocket(client, port, accounts.get((from + i) % USERS).getString("accessToken"))));
        if (step < MEMORY_STEPS) {
          steps.add(memory(controlClient));
          stepCounts.add(to);
        }
      }
      log("opened %d authenticated WebSockets in %.1f s", SOCKETS, (System.nanoTime() - t0) / 1e9);
      JsonObject withWs = memory(controlClient);
      t0 = System.nanoTime();
      List<Sockets.Socket> sockJs = Sockets.open(sockets, SOCKJS, 100, i ->
        Sockets.sockJs(client, port, accounts.get(i % USERS).getString("accessToken")));
      log("opened %d authenticated SockJS (WebSocket transport) sockets in %.1f s", SOCKJS, (System.nanoTime() - t0) / 1e9);
      JsonObject withAll = memory(controlClient);

      double heapWs = per(withWs, before, "heapAfterGc", SOCKETS);
      double rssWs = per(withWs, before, "rss", SOCKETS);
      double heapSj = per(withAll, withWs, "heapAfterGc", SOCKJS);
      double rssSj = per(withAll, withWs, "rss", SOCKJS);
      log("memory: before heap %.1f MiB RSS %.1f MiB; with %d WebSockets heap %.1f MiB RSS %.1f MiB; with %d SockJS"
          + " more heap %.1f MiB RSS %.1f MiB", mib(before, "heapAfterGc"), mib(before, "rss"), SOCKETS,
        mib(withWs, "heapAfterGc"), mib(withWs, "rss"), SOCKJS, mib(withAll, "heapAfterGc"), mib(withAll, "rss"));
      b.row("5a", f("heap per idle authenticated socket (%,d WebSockets; %,d SockJS)", SOCKETS, SOCKJS),
        f("%.1f KiB WebSocket; %.1f KiB SockJS", heapWs, heapSj), "-", f("%.1f KiB", Math.max(heapWs, heapSj)),
        "<= 20 KiB", Math.max(heapWs, heapSj) <= 20, "-");
      double residentWs = heapWs + rssWs;
      double residentSj = heapSj + rssSj;
      memoryPoint(b, "WebSocket", 0, before, before);
      for (int i = 0; i < steps.size(); i++) {
        memoryPoint(b, "WebSocket", stepCounts.get(i), steps.get(i), before);
      }
      memoryPoint(b, "WebSocket", SOCKETS, withWs, before);
      memoryPoint(b, "SockJS", 0, withWs, withWs);
      memoryPoint(b, "SockJS", SOCKJS, withAll, withWs);
      b.row("5b", "resident memory per socket (heap share + RSS growth off the pre-touched heap)",
        f("%.1f KiB WebSocket (%.1f + %.1f); %.1f KiB SockJS (%.1f + %.1f)", residentWs, heapWs, rssWs, residentSj,
          heapSj, rssSj), "-", f("%.1f KiB", Math.max(residentWs, residentSj)), "<= 35 KiB",
        Math.max(residentWs, residentSj) <= 35, "-");

      Map<Integer, List<Sockets.Socket>> byUser = new HashMap<>();
      for (int i = 0; i < webSockets.size(); i++) {
        byUser.computeIfAbsent(i % USERS, k -> new ArrayList<>()).add(webSockets.get(i));
      }
      for (int i = 0; i < sockJs.size(); i++) {
        byUser.computeIfAbsent(i % USERS, k -> new ArrayList<>()).add(sockJs.get(i));
      }
      warmUp(api, accounts, byUser);
      Latencies latencies = measure(api, accounts, byUser, node, UPLOADS);
      log("upload -> avatar.changed with %,d sockets open, %d uploads, %d deliveries: from changedAt median %.2f ms,"
          + " p99 %.2f ms, max %.2f ms; last socket of the user median %.2f ms, p99 %.2f ms; from sending the upload"
          + " median %.1f ms, p99 %.1f ms; %d lost", SOCKETS + SOCKJS, UPLOADS, latencies.all.getTotalCount(),
        ms(latencies.all, 50), ms(latencies.all, 99), latencies.all.getMaxValue() / 1000.0, ms(latencies.last, 50),
        ms(latencies.last, 99), ms(latencies.fromSend, 50), ms(latencies.fromSend, 99), latencies.lost);
      latencyPoint(b, f("one node, %,d sockets (5c)", SOCKETS + SOCKJS), latencies.all);
      b.row("5c", f("upload -> avatar.changed at each of the owner's %d sockets, %,d sockets open (%d uploads)",
          (SOCKETS + SOCKJS) / USERS, SOCKETS + SOCKJS, UPLOADS),
        f("median %.2f ms, p99 %.2f ms (last socket p99 %.2f; from sending the upload p50 %.1f, p99 %.1f ms)",
          ms(latencies.all, 50), ms(latencies.all, 99), ms(latencies.last, 99), ms(latencies.fromSend, 50),
          ms(latencies.fromSend, 99)), "-", f("%.2f ms", ms(latencies.all, 99)), "p99 < 10 ms",
        ms(latencies.all, 99) < 10 && latencies.lost == 0, f("%.1f ms per upload", latencies.serverCpuMsPerUpload));
      client.close();
      api.close();
      controlClient.close();
    }
  }

  /**
   * The delays of every delivery, of the last of the sockets that one Latencies gets per upload
   * (the user's last socket, or in split mode the last on that node), and from sending the upload.
   */
  static final class Latencies {
    final Histogram all = Load.histogram();
    final Histogram last = Load.histogram();
    final Histogram fromSend = Load.histogram();
    long lost;
    double serverCpuMsPerUpload;

    /** The arrivals of one upload at the sockets this Latencies gets. */
    void add(List<Sockets.Arrival> arrivals, long sentMicros) {
      long max = 0;
      for (Sockets.Arrival arrival : arrivals) {
        all.recordValue(Math.max(0, arrival.delayMicros()));
        max = Math.max(max, arrival.delayMicros());
        fromSend.recordValue(Math.max(0, arrival.arrivedMicros() - sentMicros));
      }
      last.recordValue(Math.max(0, max));
    }
  }

  /**
   * Uploads before the measured ones, one at a time by a random user: until they are compiled, the
   * JIT competes for the one core. Their events are awaited (and lost ones counted towards
   * {@link #MAX_LOST}) but not recorded.
   */
  static void warmUp(Api api, List<JsonObject> accounts, Map<Integer, List<Sockets.Socket>> byUser) throws Exception {
    Buffer png = Buffer.buffer(smallPng());
    Random random = new Random(7);
    List<Integer> users = new ArrayList<>(byUser.keySet());
    int lost = 0;
    for (int i = 0; i < WARMUP_UPLOADS; i++) {
      lost += upload(api, accounts, byUser, users.get(random.nextInt(users.size())), png, socket -> null);
      checkLost(lost, "warm-up");
    }
  }

  /** One measured upload at a time by a random user, each waiting until every socket of that user has the event. */
  static Latencies measure(Api api, List<JsonObject> accounts, Map<Integer, List<Sockets.Socket>> byUser, Proc node,
                           int uploads) throws Exception {
    Latencies latencies = new Latencies();
    measure(api, accounts, byUser, node, uploads, socket -> latencies, latencies);
    return latencies;
  }

  /**
   * The same, the arrivals of each socket going to the Latencies that {@code split} picks for it
   * (same node / other node). The Latencies returned has the server CPU per upload of {@code node}
   * (read around the measured uploads only) and no latencies.
   */
  static Latencies measure(Api api, List<JsonObject> accounts, Map<Integer, List<Sockets.Socket>> byUser, Proc node,
                           int uploads, Function<Sockets.Socket, Latencies> split) throws Exception {
    Latencies total = new Latencies();
    measure(api, accounts, byUser, node, uploads, split, total);
    return total;
  }

  private static void measure(Api api, List<JsonObject> accounts, Map<Integer, List<Sockets.Socket>> byUser, Proc node,
                              int uploads, Function<Sockets.Socket, Latencies> split, Latencies total) throws Exception {
    Buffer png = Buffer.buffer(smallPng());
    Random random = new Random(42);
    List<Integer> users = new ArrayList<>(byUser.keySet());
    int lost = 0;
    long cpu0 = node.cpuNanos();
    long clientCpu0 = Proc.selfCpuNanos();
    long t0 = System.nanoTime();
    Map<String, Long> threads0 = Proc.threadCpuNanos(node.pid());
    for (int i = 0; i < uploads; i++) {
      lost += upload(api, accounts, byUser, users.get(random.nextInt(users.size())), png, split);
      checkLost(lost, "measured uploads");
    }
    total.serverCpuMsPerUpload = (node.cpuNanos() - cpu0) / 1e6 / uploads;
    log("server CPU per upload by thread (ms): %s; load generator CPU %.0f%% of its core",
      Proc.topThreads(threads0, Proc.threadCpuNanos(node.pid()), uploads, 8),
      100.0 * (Proc.selfCpuNanos() - clientCpu0) / (System.nanoTime() - t0));
  }

  /**
   * A broken event path would otherwise cost {@link #EVENT_WAIT_SECONDS} per upload, for hundreds
   * of uploads: a few lost events are reported (the row misses), more end the scenario.
   */
  private static void checkLost(int lost, String phase) {
    if (lost >= MAX_LOST) {
      throw new IllegalStateException(f("%d avatar.changed events lost during the %s (none within %d s of its upload):"
        + " the event path is broken, scenario aborted", lost, phase, EVENT_WAIT_SECONDS));
    }
  }

  /**
   * Uploads an avatar for {@code user} and waits, with one deadline for all of them, for the event at
   * each of the user's sockets; each arrival goes to the Latencies {@code into} picks for its socket
   * (none: not recorded), once per upload and Latencies. The number of events lost.
   */
  private static int upload(Api api, List<JsonObject> accounts, Map<Integer, List<Sockets.Socket>> byUser, int user,
                            Buffer png, Function<Sockets.Socket, Latencies> into) {
    List<Sockets.Socket> sockets = byUser.get(user);
    long sent = Sockets.micros(Instant.now());
    HttpResponse<Buffer> response = api.client.post("/api/user/avatar").timeout(Api.TIMEOUT_MS)
      .bearerTokenAuthentication(accounts.get(user).getString("accessToken")).putHeader("Content-Type", "image/png")
      .sendBuffer(png).await();
    // the event may have arrived already: the sockets keep it until it is expected
    String avatarUrl = Api.data(response, 200).getString("avatarUrl");
    List<Future<Sockets.Arrival>> arrivals = new ArrayList<>();
    for (Sockets.Socket socket : sockets) {
      arrivals.add(socket.expect(avatarUrl));
    }
    try {
      Future.join(arrivals).await(EVENT_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      // counted below, socket by socket
    }
    Map<Latencies, List<Sockets.Arrival>> got = new IdentityHashMap<>();
    int lost = 0;
    for (int i = 0; i < sockets.size(); i++) {
      Future<Sockets.Arrival> arrival = arrivals.get(i);
      Latencies target = into.apply(sockets.get(i));
      if (arrival.succeeded()) {
        if (target != null) {
          got.computeIfAbsent(target, k -> new ArrayList<>()).add(arrival.result());
        }
      } else {
        // its promise must not wait on: a late event is dropped, not taken for another upload's
        sockets.get(i).forget(avatarUrl);
        lost++;
        if (target != null) {
          target.lost++;
        }
      }
    }
    got.forEach((target, list) -> target.add(list, sent));
    return lost;
  }

  /** A small photo-like PNG: the upload's own processing stays short, the event is what is timed. */
  static byte[] smallPng() throws Exception {
    BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        image.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | 128);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  /** The node's heap after full collections and its RSS, from the control port. */
  static JsonObject memory(WebClient control) {
    HttpResponse<Buffer> response = control.get("/memory").timeout(Api.TIMEOUT_MS).send().await();
    if (response.statusCode() != 200) {
      throw new IllegalStateException("the node's /memory answered " + response.statusCode() + " " + response.bodyAsString());
    }
    return response.bodyAsJsonObject();
  }

  /** A point of socket-memory.png: heap and resident memory above {@code base} with {@code sockets} open. */
  private static void memoryPoint(Bench b, String kind, int sockets, JsonObject memory, JsonObject base) {
    double heap = (memory.getLong("heapAfterGc") - base.getLong("heapAfterGc")) / 1024.0 / 1024.0;
    double rss = (memory.getLong("rss") - base.getLong("rss")) / 1024.0 / 1024.0;
    b.chart("socketMemory", new JsonObject().put("kind", kind).put("sockets", sockets).put("heapMiB", heap)
      .put("residentMiB", heap + rss));
  }

  /** A series of event-latency.png: percentiles of one histogram of microseconds, in ms. */
  static void latencyPoint(Bench b, String name, Histogram histogram) {
    JsonObject percentiles = new JsonObject();
    for (double p : new double[] {50, 90, 99, 99.9}) {
      percentiles.put(p == 99.9 ? "99.9" : f("%.0f", p), ms(histogram, p));
    }
    percentiles.put("max", histogram.getMaxValue() / 1000.0);
    b.chart("eventLatency", new JsonObject().put("name", name).put("percentiles", percentiles));
  }

  private static double per(JsonObject after, JsonObject before, String key, int count) {
    return (after.getLong(key) - before.getLong(key)) / 1024.0 / count;
  }

  private static double mib(JsonObject memory, String key) {
    return memory.getLong(key) / 1024.0 / 1024.0;
  }
}
