package dev.avatarservice.http.realtime;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-instance registry and the metrics it keeps, as Prometheus shows them. */
class SocketRegistryTest {

  /** Sessions are only identities here: the registry never calls them. */
  private static SocketSession session() {
    return new SocketSession(null, null);
  }

  @Test
  void theRegistryForgetsClosedSessionsAndTheGaugeFollows() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RealtimeMetrics.OpenSockets open = new RealtimeMetrics.OpenSockets();
    SocketRegistry registry = new SocketRegistry(new RealtimeMetrics(open, prometheus));
    SocketSession first = session();
    SocketSession second = session();
    SocketSession anonymous = session();

    registry.opened(first);
    registry.opened(second);
    registry.opened(anonymous);
    registry.opened(first);
    registry.authenticated("u1", first);
    registry.authenticated("u1", second);
    assertThat(registry.size()).isEqualTo(3);
    assertThat(registry.sessionsOf("u1")).containsExactly(first, second);
    assertThat(prometheus.scrape()).contains("avatar_sockets_open 3.0");

    registry.closed(first, "u1");
    registry.closed(first, "u1");
    registry.closed(anonymous, null);
    assertThat(registry.sessionsOf("u1")).containsExactly(second);
    registry.closed(second, "u1");
    assertThat(registry.sessionsOf("u1")).isEmpty();
    assertThat(registry.users()).isZero();
    assertThat(registry.size()).isZero();
    assertThat(open.get()).isZero();
    assertThat(prometheus.scrape()).contains("avatar_sockets_open 0.0");
  }

  @Test
  void deliveriesAreCountedByType() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RealtimeMetrics metrics = new RealtimeMetrics(new RealtimeMetrics.OpenSockets(), prometheus);
    metrics.delivered("avatar.changed");
    metrics.delivered("avatar.changed");
    metrics.delivered("user.deleted");
    metrics.delivered("something.else");

    assertThat(prometheus.scrape())
      .contains("avatar_events_delivered_total{type=\"avatar.changed\"} 2.0")
      .contains("avatar_events_delivered_total{type=\"avatar.removed\"} 0.0")
      .contains("avatar_events_delivered_total{type=\"user.deleted\"} 1.0");
  }

  @Test
  void withoutMicrometerOnlyTheCountIsKept() {
    RealtimeMetrics.OpenSockets open = new RealtimeMetrics.OpenSockets();
    RealtimeMetrics metrics = new RealtimeMetrics(open, null);
    metrics.socketOpened();
    metrics.delivered("avatar.changed");
    assertThat(open.get()).isEqualTo(1);
  }
}
