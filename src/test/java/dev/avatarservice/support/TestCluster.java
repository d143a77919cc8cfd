package dev.avatarservice.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The Hazelcast settings of one test cluster: a unique name (clusters of concurrent runs never
 * merge), TCP/IP join on 127.0.0.1 with a free port per member slot, multicast off, event bus on
 * 127.0.0.1. {@link #member(int, Map)} gives the configuration overrides of slot {@code i}, for
 * {@link TestNode#startClustered(Map)}.
 */
public final class TestCluster {

  private final String name = "avatar-service-test-" + UUID.randomUUID();
  private final int[] ports;
  /** Slots whose configuration was handed out: their port is a member's (or about to be), never changed. */
  private final boolean[] given;

  public TestCluster(int slots) {
    this.ports = IntStream.range(0, slots).map(slot -> {
      try {
        return TestNode.freePort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }).toArray();
    this.given = new boolean[slots];
  }

  public String name() {
    return name;
  }

  /**
   * The configuration keys of member slot {@code slot}, then {@code overrides}. A slot's port was free
   * when the cluster was made, but free ports come from the ephemeral range, which any outgoing
   * connection of the machine may have taken since (a slot used late in a test class): then the slot
   * gets another when it is first asked for; the members already running need not know it, since a
   * new member joins through them.
   */
  public synchronized Map<String, Object> member(int slot, Map<String, Object> overrides) {
    if (!given[slot] && !bindable(ports[slot])) {
      try {
        ports[slot] = TestNode.freePort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    given[slot] = true;
    Map<String, Object> config = new HashMap<>();
    config.put("CLUSTER", true);
    config.put("CLUSTER_NAME", name);
    config.put("CLUSTER_HOST", "127.0.0.1");
    config.put("CLUSTER_PORT", ports[slot]);
    config.put("CLUSTER_MEMBERS", IntStream.of(ports).mapToObj(port -> "127.0.0.1:" + port)
      .collect(Collectors.joining(",")));
    config.put("HAZELCAST_CONFIG", "classpath:hazelcast-test.xml");
    config.putAll(overrides);
    return config;
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException taken) {
      return false;
    }
  }
}
