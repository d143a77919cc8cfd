package dev.avatarservice.bench;

import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.avatarservice.bench.Bench.f;
import static dev.avatarservice.bench.Bench.log;
import static dev.avatarservice.bench.Load.ms;

/**
 * 6. Two clustered nodes as bench/cluster.sh starts them (A: every role; B: http,notify; Hazelcast
 * on 127.0.0.1 with a cluster name of this run). Every user has sockets on both nodes; uploads go
 * through A, and each event is timed at the sockets A holds (same node) and at those B holds (the
 * event crossed the clustered event bus): the same events, so the two figures are comparable.
 */
final class ClusterScenario {

  static final int USERS = Integer.getInteger("bench.cluster.users", 100);
  static final int SOCKETS_PER_NODE = Integer.getInteger("bench.cluster.socketsPerUserPerNode", 5);
  static final int UPLOADS = Integer.getInteger("bench.cluster.uploads", 300);
  private final Bench b;

  ClusterScenario(Bench bench) {
    this.b = bench;
  }

  void run() throws Exception {
    Path dir = b.freshDir("cluster");
    int portA = Proc.freePort();
    int portB = Proc.freePort();
    Map<String, String> cluster = new HashMap<>(Map.of("CLUSTER", "true",
      "CLUSTER_NAME", "avatar-service-bench-" + UUID.randomUUID().toString().substring(0, 8)));
    Map<String, String> envA = new HashMap<>(cluster);
    envA.put("ROLES", "all");
    Map<String, String> envB = new HashMap<>(cluster);
    envB.put("ROLES", "http,notify");
    long t0 = System.nanoTime();
    try (Proc a = b.startNode("node-a", dir, portA, envA, b.serverCpus)) {
      a.awaitStatus200(portA, "/ready", 180_000);
      log("node A ready after %.1f s", (System.nanoTime() - t0) / 1e9);
      t0 = System.nanoTime();
      try (Proc nodeB = b.startNode("node-b", dir, portB, envB, b.serverCpus)) {
        nodeB.awaitStatus200(portB, "/ready", 180_000);
        log("node B ready after %.1f s", (System.nanoTime() - t0) / 1e9);
        Api api = new Api(b.vertx, portA, 16);
        List<JsonObject> accounts = api.register(USERS, 16);
        io.vertx.core.Context sockets = b.vertx.getOrCreateContext();
        WebSocketClient client = b.vertx.createWebSocketClient(new WebSocketClientOptions()
          .setMaxConnections(2 * USERS * SOCKETS_PER_NODE + 10).setConnectTimeout(30_000));
        int perNode = USERS * SOCKETS_PER_NODE;
        List<Sockets.Socket> onA = Sockets.open(sockets, perNode, 100, i ->
          Sockets.webSocket(client, portA, accounts.get(i % USERS).getString("accessToken")));
        List<Sockets.Socket> onB = Sockets.open(sockets, perNode, 100, i ->
          Sockets.webSocket(client, portB, accounts.get(i % USERS).getString("accessToken")));
        log("opened %d sockets on node A and %d on node B (%d per user on each)", perNode, perNode, SOCKETS_PER_NODE);
        Map<Integer, List<Sockets.Socket>> byUser = new HashMap<>();
        Map<Sockets.Socket, RealtimeScenario.Latencies> split = new IdentityHashMap<>();
        RealtimeScenario.Latencies sameNode = new RealtimeScenario.Latencies();
        RealtimeScenario.Latencies otherNode = new RealtimeScenario.Latencies();
        for (int i = 0; i < perNode; i++) {
          byUser.computeIfAbsent(i % USERS, k -> new ArrayList<>()).add(onA.get(i));
          byUser.get(i % USERS).add(onB.get(i));
          split.put(onA.get(i), sameNode);
          split.put(onB.get(i), otherNode);
        }
        RealtimeScenario.warmUp(api, accounts, byUser);
        // B's CPU around the measured uploads only, as A's: the warm-up is mostly the JIT's
        long cpuB0 = nodeB.cpuNanos();
        RealtimeScenario.Latencies total = RealtimeScenario.measure(api, accounts, byUser, a, UPLOADS, split::get);
        double cpuB = (nodeB.cpuNanos() - cpuB0) / 1e6 / UPLOADS;
        log("cluster, %d uploads through A: sockets on A median %.2f ms, p99 %.2f ms, max %.2f ms (%d lost) | sockets on B"
            + " median %.2f ms, p99 %.2f ms, max %.2f ms (%d lost)", UPLOADS, ms(sameNode.all, 50), ms(sameNode.all, 99),
          sameNode.all.getMaxValue() / 1000.0, sameNode.lost, ms(otherNode.all, 50), ms(otherNode.all, 99),
          otherNode.all.getMaxValue() / 1000.0, otherNode.lost);
        double extra = ms(otherNode.all, 99) - ms(sameNode.all, 99);
        RealtimeScenario.latencyPoint(b, "two nodes: sockets on A, the uploading node (6)", sameNode.all);
        RealtimeScenario.latencyPoint(b, "two nodes: sockets on B, across the bus (6)", otherNode.all);
        b.row("6", f("upload through node A -> avatar.changed at sockets on node B (%d uploads, %d sockets per node)",
            UPLOADS, perNode),
          f("median %.2f ms, p99 %.2f ms", ms(otherNode.all, 50), ms(otherNode.all, 99)),
          f("same event on node A: median %.2f, p99 %.2f ms", ms(sameNode.all, 50), ms(sameNode.all, 99)),
          f("p99 %+.2f ms", extra), "p99 <= same node + 5 ms",
          extra <= 5 && sameNode.lost == 0 && otherNode.lost == 0,
          f("A %.1f ms per upload; B %.2f ms per event", total.serverCpuMsPerUpload, cpuB));
        client.close();
        api.close();
      }
    }
  }
}
