package dev.avatarservice.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static dev.avatarservice.bench.Bench.f;
import static dev.avatarservice.bench.Bench.log;

/**
 * 8. What one published event costs a cluster of 1, 2 and 3 nodes (node 1: every role; the others
 * {@code http,notify}, as bench/cluster.sh starts them). Every event ({@code avatar.changed} here)
 * is published on the clustered event bus and reaches every node, sockets of its user there or not.
 * <p>
 * For each cluster size: an idle phase (the cluster's own background: Hazelcast heartbeats and
 * partition checks), then small uploads through node 1 for a fixed time with no socket open, then
 * the same with {@code bench.events.socketsPerUserPerNode} WebSockets per user on every node. Per
 * event, for each node: CPU (/proc, net of that node's idle rate and of its JIT compiler threads,
 * which are logged apart), event-bus meters from its {@code /metrics} ({@code vertx_eventbus_*}),
 * and the TCP segments and bytes sent to the other nodes ({@code ss}); and the deliveries counted
 * at the sockets. Uploads go through node 1, which
 * holds the store, so that the store's requests stay on that node and what crosses to the others
 * is the event alone. Node 1's CPU per upload includes the upload's own work (a 64x64 PNG: about 5
 * ms); the other nodes' CPU is the event's cost on a node that only receives it.
 */
final class EventCostScenario {

  static final int MAX_NODES = Integer.getInteger("bench.events.nodes", 3);
  static final int USERS = Integer.getInteger("bench.events.users", 60);
  static final int SOCKETS_PER_USER_PER_NODE = Integer.getInteger("bench.events.socketsPerUserPerNode", 2);
  static final double SECONDS = Double.parseDouble(System.getProperty("bench.events.seconds", "10"));
  static final int WARMUP_UPLOADS = Integer.getInteger("bench.events.warmupUploads", 1000);
  /** Uploads in flight, each lane with users of its own (one upload at a time per user). */
  static final int LANES = 4;
  private final Bench b;

  EventCostScenario(Bench bench) {
    this.b = bench;
  }

  /** One cluster node as the scenario started it. */
  record Node(Proc proc, int port) {
  }

  /** What one phase cost each node, per event (CPU net of the node's idle rate). */
  record Cost(int nodes, boolean sockets, long events, double seconds, double[] cpuMsPerEvent,
              NodeCounters[] delta, double deliveriesPerEvent) {

    /**
     * Messages written to another node's event-bus connection, per event. The nodes' meters carry
     * no address label (vertx-micrometer-metrics' defaults): with the uploads and the store on node
     * 1, what crosses is the event (and the idle phase shows nothing else does).
     */
    double busWrittenPerEvent() {
      return Arrays.stream(delta).mapToDouble(d -> d.sumOf("vertx_eventbus_bytes_written", "_count")).sum() / events;
    }

    double busBytesPerEvent() {
      return Arrays.stream(delta).mapToDouble(d -> d.sumOf("vertx_eventbus_bytes_written", "_sum")).sum() / events;
    }

    /** Messages received by the nodes' event buses from another node ({@code side="remote"}), per event. */
    double busReceivedPerEvent(String side) {
      return Arrays.stream(delta).mapToDouble(d -> d.sum("vertx_eventbus_received_total", "side=\"" + side + "\""))
        .sum() / events;
    }

    double segmentsPerEvent(double[] idleSegmentsPerSecond) {
      double segments = 0;
      for (int i = 0; i < delta.length; i++) {
        segments += delta[i].segmentsOut() - idleSegmentsPerSecond[i] * seconds;
      }
      return segments / events;
    }

    double tcpBytesPerEvent(double[] idleBytesPerSecond) {
      double bytes = 0;
      for (int i = 0; i < delta.length; i++) {
        bytes += delta[i].bytesOut() - idleBytesPerSecond[i] * seconds;
      }
      return bytes / events;
    }
  }

  void run() throws Exception {
    if (!NodeCounters.ssAvailable()) {
      log("ss (iproute2) is missing: TCP segments are not counted");
    }
    for (int n = 1; n <= MAX_NODES; n++) {
      runCluster(n);
    }
  }

  private void runCluster(int size) throws Exception {
    Path dir = b.freshDir("events-" + size);
    Map<String, String> cluster = Map.of("CLUSTER", "true",
      "CLUSTER_NAME", "avatar-service-bench-" + UUID.randomUUID().toString().substring(0, 8));
    List<Node> nodes = new ArrayList<>();
    try {
      for (int i = 1; i <= size; i++) {
        Map<String, String> env = new HashMap<>(cluster);
        env.put("ROLES", i == 1 ? "all" : "http,notify");
        int port = Proc.freePort();
        long t0 = System.nanoTime();
        Proc proc = b.startNode("node-" + i, dir, port, env, b.serverCpus);
        nodes.add(new Node(proc, port));
        proc.awaitStatus200(port, "/ready", 180_000);
        log("node %d of %d ready after %.1f s", i, size, (System.nanoTime() - t0) / 1e9);
      }
      measureCluster(size, nodes);
    } finally {
      // the store node last, as bench/cluster.sh stops them
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).proc().close();
      }
    }
  }

  private void measureCluster(int size, List<Node> nodes) throws Exception {
    Api api = new Api(b.vertx, nodes.get(0).port(), 16);
    List<JsonObject> accounts = api.register(USERS, 16);
    Buffer png = Buffer.buffer(RealtimeScenario.smallPng());
    uploads(api, accounts, png, WARMUP_UPLOADS, Double.MAX_VALUE);

    // the cluster's own background, to subtract from the phases
    List<NodeCounters> idle0 = readAll(nodes);
    List<Map<String, Long>> idleThreads0 = threads(nodes);
    long t0 = System.nanoTime();
    Proc.sleep((long) (SECONDS * 1000));
    double idleSeconds = (System.nanoTime() - t0) / 1e9;
    List<NodeCounters> idle = minus(readAll(nodes), idle0);
    List<Map<String, Long>> idleThreads = threads(nodes);
    double[] idleCpu = new double[size];
    double[] idleLoops = new double[size];
    double[] idleSegments = new double[size];
    double[] idleBytes = new double[size];
    for (int i = 0; i < size; i++) {
      // without the JIT's threads, which the phases leave out on their own
      idleCpu[i] = (idle.get(i).cpuNanos() - compilerNanos(idleThreads0.get(i), idleThreads.get(i))) / idleSeconds;
      idleLoops[i] = eventLoopNanos(idleThreads0.get(i), idleThreads.get(i)) / idleSeconds;
      idleSegments[i] = idle.get(i).segmentsOut() / idleSeconds;
      idleBytes[i] = idle.get(i).bytesOut() / idleSeconds;
    }
    log("%d node(s) idle over %.1f s: CPU %s ms/s; TCP to the other nodes %s segments/s, %s bytes/s", size, idleSeconds,
      list(idleCpu, 1e-6, "%.2f"), list(idleSegments, 1, "%.1f"), list(idleBytes, 1, "%.0f"));
    b.row("8a", f("idle cluster of %d node(s): background per node, JIT left out (Hazelcast heartbeats, timers)", size),
      f("CPU %s ms/s; sent to the other nodes %s TCP segments/s (%s bytes/s)", list(idleCpu, 1e-6, "%.2f"),
        list(idleSegments, 1, "%.1f"), list(idleBytes, 1, "%.0f")), "-", f("%.2f ms/s", idleCpu[size - 1] / 1e6),
      "-", null, "-");
    b.chart("eventIdle", new JsonObject().put("nodes", size).put("cpuMsPerSecond", array(idleCpu, 1e-6))
      .put("tcpSegmentsPerSecond", array(idleSegments, 1)).put("tcpBytesPerSecond", array(idleBytes, 1)));

    phase(size, nodes, api, accounts, png, false, List.of(), idleCpu, idleLoops, idleSegments, idleBytes);

    WebSocketClient client = b.vertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxConnections(size * USERS * SOCKETS_PER_USER_PER_NODE + 10).setConnectTimeout(30_000));
    io.vertx.core.Context context = b.vertx.getOrCreateContext();
    List<Sockets.Socket> sockets = new ArrayList<>();
    int perNode = USERS * SOCKETS_PER_USER_PER_NODE;
    for (Node node : nodes) {
      sockets.addAll(Sockets.open(context, perNode, 50, i ->
        Sockets.webSocket(client, node.port(), accounts.get(i % USERS).getString("accessToken"))));
    }
    log("opened %d WebSockets on each of %d node(s), %d per user on each", perNode, size, SOCKETS_PER_USER_PER_NODE);
    // the sockets' delivery path compiled before it is measured
    uploads(api, accounts, png, WARMUP_UPLOADS / 2, Double.MAX_VALUE);
    phase(size, nodes, api, accounts, png, true, sockets, idleCpu, idleLoops, idleSegments, idleBytes);
    for (Sockets.Socket socket : sockets) {
      socket.close();
    }
    client.close();
    api.close();
  }

  private void phase(int size, List<Node> nodes, Api api, List<JsonObject> accounts, Buffer png, boolean withSockets,
                     List<Sockets.Socket> sockets, double[] idleCpu, double[] idleLoops, double[] idleSegments,
                     double[] idleBytes) {
    long delivered0 = sockets.stream().mapToLong(Sockets.Socket::changesReceived).sum();
    List<Map<String, Long>> threads0 = threads(nodes);
    List<NodeCounters> before = readAll(nodes);
    long t0 = System.nanoTime();
    long events = uploads(api, accounts, png, Integer.MAX_VALUE, SECONDS);
    double seconds = (System.nanoTime() - t0) / 1e9;
    List<NodeCounters> delta = minus(readAll(nodes), before);
    // the last events may still be on their way to the sockets: up to 5 s for them, outside the measured time
    long expected = withSockets ? events * size * SOCKETS_PER_USER_PER_NODE : 0;
    long waitUntil = System.nanoTime() + 5_000_000_000L;
    long delivered = sockets.stream().mapToLong(Sockets.Socket::changesReceived).sum() - delivered0;
    while (delivered < expected && System.nanoTime() < waitUntil) {
      Proc.sleep(10);
      delivered = sockets.stream().mapToLong(Sockets.Socket::changesReceived).sum() - delivered0;
    }
    // the JIT compiler's share apart: on one shared core it still works minutes after a warm-up, and
    // what is extrapolated is the steady state
    double[] cpu = new double[size];
    double[] jit = new double[size];
    double[] loops = new double[size];
    for (int i = 0; i < size; i++) {
      Map<String, Long> threads = Proc.threadCpuNanos(nodes.get(i).proc().pid());
      jit[i] = compilerNanos(threads0.get(i), threads) / 1e6 / events;
      loops[i] = (eventLoopNanos(threads0.get(i), threads) - idleLoops[i] * seconds) / 1e6 / events;
      cpu[i] = (delta.get(i).cpuNanos() - idleCpu[i] * seconds) / 1e6 / events - jit[i];
    }
    Cost cost = new Cost(size, withSockets, events, seconds, cpu, delta.toArray(NodeCounters[]::new),
      (double) delivered / events);
    String what = withSockets ? f("%d socket(s) per user on every node", SOCKETS_PER_USER_PER_NODE) : "no socket open";
    for (int i = 0; i < size; i++) {
      log("  node %d: %s; TCP out %d segments, %d bytes", i + 1, busSummary(delta.get(i)), delta.get(i).segmentsOut(),
        delta.get(i).bytesOut());
    }
    if (size > 1) {
      log("  node %d's CPU per event by thread (ms): %s", size, Proc.topThreads(threads0.get(size - 1),
        Proc.threadCpuNanos(nodes.get(size - 1).proc().pid()), events, 6));
    }
    double others = 0;
    for (int i = 1; i < size; i++) {
      others += cpu[i];
    }
    String otherNodes = size == 1 ? "no other node" : f("each other node %s ms", list(java.util.Arrays.copyOfRange(cpu, 1,
      size), 1, "%.3f"));
    log("  JIT compiler threads per event (left out of the CPU per event): %s ms; event loops per event (net of"
      + " idle): %s ms", list(jit, 1, "%.3f"), list(loops, 1, "%.3f"));
    log("%d node(s), %s: %d events in %.1f s (%.0f/s); CPU per event: node 1 (the upload and the event) %.3f ms, %s;"
        + " event crossing the bus %.2f times per event (%.0f bytes), remote receptions %.2f; TCP %.2f segments"
        + " (%.0f bytes) per event; %.2f socket deliveries per event", size, what, events, seconds, events / seconds,
      cpu[0], otherNodes, cost.busWrittenPerEvent(), cost.busBytesPerEvent(), cost.busReceivedPerEvent("remote"),
      cost.segmentsPerEvent(idleSegments), cost.tcpBytesPerEvent(idleBytes), cost.deliveriesPerEvent());
    b.row(withSockets ? "8c" : "8b", f("cost of one avatar.changed, %d node(s), %s (%d uploads through node 1, %.0f/s)",
        size, what, events, events / seconds),
      f("CPU per event: node 1 %.2f ms (upload + event); %s. Bus: %.2f remote copies (%.0f B) per event;"
          + " TCP %.1f segments, %.0f B per event; %.2f socket deliveries per event", cpu[0], otherNodes,
        cost.busWrittenPerEvent(), cost.busBytesPerEvent(), cost.segmentsPerEvent(idleSegments),
        cost.tcpBytesPerEvent(idleBytes), cost.deliveriesPerEvent()), "-",
      f("%.3f ms on each receiving node", size == 1 ? 0 : others / (size - 1)), "-", null,
      f("%.2f ms (node 1), %.3f ms (sum of the others)", cpu[0], others));
    b.chart("eventCost", new JsonObject().put("nodes", size).put("sockets", withSockets).put("events", events)
      .put("seconds", seconds).put("cpuMsPerEvent", array(cpu, 1)).put("jitMsPerEvent", array(jit, 1))
      .put("eventLoopMsPerEvent", array(loops, 1))
      .put("busRemoteCopiesPerEvent", cost.busWrittenPerEvent()).put("busBytesPerEvent", cost.busBytesPerEvent())
      .put("tcpSegmentsPerEvent", cost.segmentsPerEvent(idleSegments))
      .put("tcpBytesPerEvent", cost.tcpBytesPerEvent(idleBytes))
      .put("deliveriesPerEvent", cost.deliveriesPerEvent()));
    if (delivered < expected) {
      log("  only %d of %d expected socket deliveries arrived", delivered, expected);
    }
  }

  /**
   * Uploads a small PNG through node 1, {@link #LANES} at a time, each lane with users of its own,
   * until {@code count} are done or {@code seconds} have passed; the number answered 200.
   */
  private static long uploads(Api api, List<JsonObject> accounts, Buffer png, int count, double seconds) {
    AtomicLong done = new AtomicLong();
    AtomicLong started = new AtomicLong();
    long deadline = seconds == Double.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + (long) (seconds * 1e9);
    List<Thread> lanes = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int lane = 0; lane < LANES; lane++) {
      int first = lane;
      Thread thread = new Thread(() -> {
        int user = first;
        while (System.nanoTime() < deadline && started.incrementAndGet() <= count && failures.isEmpty()) {
          try {
            HttpResponse<Buffer> response = api.client.post("/api/user/avatar").timeout(Api.TIMEOUT_MS)
              .bearerTokenAuthentication(accounts.get(user).getString("accessToken"))
              .putHeader("Content-Type", "image/png").sendBuffer(png).await();
            Api.data(response, 200);
            done.incrementAndGet();
          } catch (RuntimeException e) {
            failures.add(e);
          }
          user = (user + LANES) % accounts.size();
        }
      }, "upload-lane-" + lane);
      thread.start();
      lanes.add(thread);
    }
    for (Thread lane : lanes) {
      try {
        lane.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("an upload failed: " + failures.get(0), failures.get(0));
    }
    return done.get();
  }

  private static List<NodeCounters> readAll(List<Node> nodes) {
    return NodeCounters.readAll(nodes.stream().map(node -> node.proc().pid()).toList(),
      nodes.stream().map(Node::port).toList());
  }

  private static List<NodeCounters> minus(List<NodeCounters> after, List<NodeCounters> before) {
    List<NodeCounters> delta = new ArrayList<>();
    for (int i = 0; i < after.size(); i++) {
      delta.add(after.get(i).minus(before.get(i)));
    }
    return delta;
  }

  private static List<Map<String, Long>> threads(List<Node> nodes) {
    return nodes.stream().map(node -> Proc.threadCpuNanos(node.proc().pid())).toList();
  }

  /** CPU of the JIT compiler's threads between two readings of {@link Proc#threadCpuNanos}. */
  private static long compilerNanos(Map<String, Long> before, Map<String, Long> after) {
    return threadsNanos(before, after, "CompilerThre");
  }

  /** CPU of the Vert.x event loops (where the bus's reads, the notify verticle and the sockets' writes run). */
  private static long eventLoopNanos(Map<String, Long> before, Map<String, Long> after) {
    return threadsNanos(before, after, "vert.x-eventloo");
  }

  private static long threadsNanos(Map<String, Long> before, Map<String, Long> after, String name) {
    long total = 0;
    for (Map.Entry<String, Long> e : after.entrySet()) {
      if (e.getKey().contains(name)) {
        total += e.getValue() - before.getOrDefault(e.getKey(), 0L);
      }
    }
    return total;
  }

  /** The event-bus meters that moved, compact, for the log. */
  private static String busSummary(NodeCounters delta) {
    StringBuilder text = new StringBuilder();
    delta.bus().forEach((series, value) -> {
      if (!series.startsWith("vertx_eventbus_handlers") && !series.startsWith("vertx_eventbus_pending")) {
        text.append(series.replace("vertx_eventbus_", "")).append('=').append(f("%.0f", value)).append(' ');
      }
    });
    return text.toString().trim();
  }

  private static String list(double[] values, double scale, String format) {
    StringBuilder text = new StringBuilder();
    for (double v : values) {
      text.append(text.length() == 0 ? "" : " / ").append(f(format, v * scale));
    }
    return text.toString();
  }

  private static JsonArray array(double[] values, double scale) {
    JsonArray array = new JsonArray();
    for (double v : values) {
      array.add(Math.round(v * scale * 1000) / 1000.0);
    }
    return array;
  }
}
