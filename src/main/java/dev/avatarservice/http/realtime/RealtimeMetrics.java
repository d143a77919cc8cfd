package dev.avatarservice.http.realtime;

import dev.avatarservice.bus.Events;
import dev.avatarservice.http.NodeShared;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import io.vertx.micrometer.backends.BackendRegistries;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Realtime metrics, in Prometheus as {@code avatar_sockets_open} (the node's open sockets, every
 * transport, authenticated or not) and {@code avatar_events_delivered_total{type}} (event messages
 * written to sockets, one per socket). The open-socket count is one node-wide counter shared by the
 * HTTP verticle instances; it is kept even when Micrometer is not set up.
 */
final class RealtimeMetrics {

  static final String SOCKETS_OPEN = "avatar.sockets.open";
  static final String EVENTS_DELIVERED = "avatar.events.delivered";
  private static final String OPEN_SOCKETS_KEY = "realtime.open-sockets";

  private final OpenSockets open;
  private final Map<String, Counter> delivered = new HashMap<>();

  RealtimeMetrics(OpenSockets open, MeterRegistry registry) {
    this.open = open;
    if (registry != null) {
      Gauge.builder(SOCKETS_OPEN, open, OpenSockets::get)
        .description("Open WebSocket and SockJS sockets on this node")
        .strongReference(true)
        .register(registry);
      for (String type : List.of(Events.TYPE_AVATAR_CHANGED, Events.TYPE_AVATAR_REMOVED, Events.TYPE_USER_DELETED, Events.TYPE_SESSION_ENDED)) {
        delivered.put(type, Counter.builder(EVENTS_DELIVERED)
          .description("Event messages written to sockets, one per socket")
          .tag("type", type)
          .register(registry));
      }
    }
  }

  /** The metrics of this node: the shared socket count, and the node's registry if metrics are on. */
  static RealtimeMetrics of(Vertx vertx, String metricsRegistryName) {
    return new RealtimeMetrics(NodeShared.get(vertx, OPEN_SOCKETS_KEY, OpenSockets::new),
      BackendRegistries.getNow(metricsRegistryName));
  }

  /** The open sockets of this node, every HTTP verticle instance together. */
  static int openSockets(Vertx vertx) {
    return NodeShared.get(vertx, OPEN_SOCKETS_KEY, OpenSockets::new).get();
  }

  void socketOpened() {
    open.count.incrementAndGet();
  }

  void socketClosed() {
    open.count.decrementAndGet();
  }

  void delivered(String type) {
    Counter counter = delivered.get(type);
    if (counter != null) {
      counter.increment();
    }
  }

  /** The node-wide count, shared through Vert.x's local map (hence {@link Shareable}). */
  static final class OpenSockets implements Shareable {
    private final AtomicInteger count = new AtomicInteger();

    int get() {
      return count.get();
    }
  }
}
