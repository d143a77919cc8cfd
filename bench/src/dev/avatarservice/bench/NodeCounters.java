package dev.avatarservice.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What a node has done so far, read from outside it: its CPU time (/proc), its event-bus meters
 * (the {@code vertx_eventbus_*} series of its {@code /metrics}), and the TCP segments and bytes
 * sent on each of its connections to the other nodes of the run (Hazelcast and the clustered event
 * bus, from {@code ss -tinp}). Two readings subtract.
 */
record NodeCounters(long cpuNanos, Map<String, Double> bus, Map<String, long[]> tcp) {

  /** Reads every node now: {@code pids} and {@code httpPorts} (also /metrics) in the same order. */
  static List<NodeCounters> readAll(List<Long> pids, List<Integer> httpPorts) {
    Map<Long, Map<String, long[]>> tcp = tcpBetween(pids);
    List<NodeCounters> all = new ArrayList<>();
    for (int i = 0; i < pids.size(); i++) {
      long pid = pids.get(i);
      all.add(new NodeCounters(Proc.cpuNanos(pid), busMeters(httpPorts.get(i)), tcp.getOrDefault(pid, Map.of())));
    }
    return all;
  }

  /**
   * The change since {@code before}; a connection opened meanwhile counts whole, one closed
   * meanwhile is left out (the cluster's connections stay open for its lifetime).
   */
  NodeCounters minus(NodeCounters before) {
    Map<String, Double> delta = new TreeMap<>();
    bus.forEach((series, value) -> {
      double d = value - before.bus.getOrDefault(series, 0.0);
      if (d != 0) {
        delta.put(series, d);
      }
    });
    Map<String, long[]> tcpDelta = new HashMap<>();
    tcp.forEach((connection, counts) -> {
      long[] was = before.tcp.getOrDefault(connection, new long[2]);
      tcpDelta.put(connection, new long[] {counts[0] - was[0], counts[1] - was[1]});
    });
    return new NodeCounters(cpuNanos - before.cpuNanos, delta, tcpDelta);
  }

  /** TCP segments sent (data and ACKs) on the connections to the other nodes. */
  long segmentsOut() {
    return tcp.values().stream().mapToLong(counts -> counts[0]).sum();
  }

  /** TCP payload bytes sent on the connections to the other nodes. */
  long bytesOut() {
    return tcp.values().stream().mapToLong(counts -> counts[1]).sum();
  }

  /**
   * The sum of the series of one meter (e.g. {@code vertx_eventbus_received_total}) whose labels
   * contain every one of {@code labels} (e.g. {@code side="remote"}).
   */
  double sum(String meter, String... labels) {
    double total = 0;
    for (Map.Entry<String, Double> e : bus.entrySet()) {
      String series = e.getKey();
      if (!series.startsWith(meter + "{") && !series.equals(meter)) {
        continue;
      }
      boolean all = true;
      for (String label : labels) {
        all &= series.contains(label);
      }
      if (all) {
        total += e.getValue();
      }
    }
    return total;
  }

  /** The sum of the series whose meter name starts with {@code prefix} and ends with {@code suffix}. */
  double sumOf(String prefix, String suffix) {
    double total = 0;
    for (Map.Entry<String, Double> e : bus.entrySet()) {
      int brace = e.getKey().indexOf('{');
      String name = brace < 0 ? e.getKey() : e.getKey().substring(0, brace);
      if (name.startsWith(prefix) && name.endsWith(suffix)) {
        total += e.getValue();
      }
    }
    return total;
  }

  /** The event-bus series of a node's Prometheus text (internal {@code __vertx.*} addresses are not metered). */
  static Map<String, Double> busMeters(int httpPort) {
    Map<String, Double> meters = new HashMap<>();
    for (String line : httpGet(httpPort, "/metrics").split("\n")) {
      if (!line.startsWith("vertx_eventbus_")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      try {
        meters.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      } catch (NumberFormatException e) {
        // a sample with a timestamp or an odd value: not one of ours
      }
    }
    return meters;
  }

  /**
   * For each of {@code pids}, its TCP connections whose other end is a socket of another of
   * {@code pids} (the cluster's own connections: Hazelcast members and the event bus), by
   * "local peer" address: segments sent (with ACKs) and bytes sent so far. Connections to anything
   * else (clients, members of other clusters on this machine probing the Hazelcast ports) are left
   * out. Empty where {@code ss} is missing.
   */
  static Map<Long, Map<String, long[]>> tcpBetween(List<Long> pids) {
    if (!ssAvailable()) {
      return Map.of();
    }
    String[] lines = run("ss", "-tinpH", "state", "established").split("\n");
    record Connection(long pid, String local, String peer, long segments, long bytes) {
    }
    List<Connection> ours = new ArrayList<>();
    Map<String, Long> ownerOfLocal = new HashMap<>();
    // ss prints each socket on one line and its TCP info on the next (indented)
    for (int i = 0; i + 1 < lines.length; i++) {
      String head = lines[i];
      for (long pid : pids) {
        if (head.contains("pid=" + pid + ",")) {
          // Recv-Q Send-Q Local:Port Peer:Port users:...
          String[] cols = head.trim().split("\\s+");
          if (cols.length > 3) {
            ours.add(new Connection(pid, cols[2], cols[3], field(lines[i + 1], "segs_out:"),
              field(lines[i + 1], "bytes_sent:")));
            ownerOfLocal.put(cols[2], pid);
          }
        }
      }
    }
    Map<Long, Map<String, long[]>> byPid = new HashMap<>();
    for (Connection c : ours) {
      Long peerOwner = ownerOfLocal.get(c.peer());
      if (peerOwner != null && peerOwner != c.pid()) {
        byPid.computeIfAbsent(c.pid(), p -> new HashMap<>()).put(c.local() + " " + c.peer(),
          new long[] {c.segments(), c.bytes()});
      }
    }
    return byPid;
  }

  private static long field(String info, String name) {
    int at = info.indexOf(name);
    if (at < 0) {
      return 0;
    }
    int end = at + name.length();
    while (end < info.length() && Character.isDigit(info.charAt(end))) {
      end++;
    }
    return Long.parseLong(info.substring(at + name.length(), end));
  }

  /** Whether {@code ss} is there to count TCP segments. */
  static boolean ssAvailable() {
    try {
      run("ss", "-V");
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  private static String run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed");
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A blocking HTTP/1.0 GET on 127.0.0.1: the body, or an exception. */
  static String httpGet(int port, String path) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int body = response.indexOf("\r\n\r\n");
      if (!response.startsWith("HTTP/1.1 200") && !response.startsWith("HTTP/1.0 200") || body < 0) {
        throw new IllegalStateException("GET " + path + " on port " + port + ": "
          + response.substring(0, Math.min(80, response.length())));
      }
      return response.substring(body + 4);
    } catch (IOException e) {
      throw new IllegalStateException("GET " + path + " on port " + port + ": " + e.getMessage(), e);
    }
  }
}
