package dev.avatarservice.http.realtime;

import dev.avatarservice.support.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default origins of WS_ORIGINS and CORS_ORIGINS: a developer's machine (no PUBLIC_BASE_URL)
 * allows its own origin and loopback on any port, a deployment (PUBLIC_BASE_URL set) its origin only.
 */
class OriginDefaultsApiTest {

  @Test
  void withoutAPublicUrlLoopbackOriginsOnAnyPortAreAllowed() {
    try (TestNode node = TestNode.start(Map.of())) {
      WebSocketClient client = node.vertx().createWebSocketClient();
      for (String origin : new String[] {"http://localhost:5173", "http://127.0.0.1:8081", "http://localhost",
        "http://localhost:" + node.port()}) {
        assertThat(corsOrigin(node, origin)).as(origin).isEqualTo(origin);
        TestSocket.open(client, node.port(), "/ws", TestSocket.Mode.PLAIN, Map.of("Origin", origin)).close();
      }
      for (String origin : new String[] {"http://localhost.evil.example", "http://127.0.0.1.evil.example:5173",
        "https://evil.example", "null"}) {
        assertThat(corsOrigin(node, origin)).as(origin).isNull();
        assertThat(TestSocket.refused(client, node.port(), "/ws", Map.of("Origin", origin)).getStatus()).as(origin)
          .isEqualTo(403);
      }
      client.close().await();
    }
  }

  @Test
  void withAPublicUrlOnlyItsOriginIsAllowed() {
    try (TestNode node = TestNode.start(Map.of("PUBLIC_BASE_URL", "https://avatars.example.com"))) {
      WebSocketClient client = node.vertx().createWebSocketClient();
      assertThat(corsOrigin(node, "https://avatars.example.com")).isEqualTo("https://avatars.example.com");
      TestSocket.open(client, node.port(), "/ws", TestSocket.Mode.PLAIN, Map.of("Origin", "https://avatars.example.com"))
        .close();
      for (String origin : new String[] {"http://localhost", "http://localhost:5173", "http://127.0.0.1",
        "http://localhost:" + node.port()}) {
        assertThat(corsOrigin(node, origin)).as(origin).isNull();
        assertThat(TestSocket.refused(client, node.port(), "/ws", Map.of("Origin", origin)).getStatus()).as(origin)
          .isEqualTo(403);
      }
      client.close().await();
    }
  }

  /**
   * Socket handshakes follow WS_ORIGINS alone, on /ws as on /sockjs: an app origin allowed for
   * sockets but not for CORS (or the other way round) is treated as each setting says. The CORS
   * handler used to see /ws first and refuse, with its own 403, an origin WS_ORIGINS allows.
   */
  @Test
  void socketHandshakesFollowWsOriginsAndRestCallsCorsOrigins() {
    try (TestNode node = TestNode.start(Map.of("WS_ORIGINS", "https://app.example.com",
      "CORS_ORIGINS", "https://rest.example.com"))) {
      WebSocketClient client = node.vertx().createWebSocketClient();
      for (String path : new String[] {"/ws", "/ws/avatar", "/sockjs/websocket"}) {
        TestSocket.open(client, node.port(), path, TestSocket.Mode.PLAIN, Map.of("Origin", "https://app.example.com"))
          .close();
        assertThat(TestSocket.refused(client, node.port(), path, Map.of("Origin", "https://rest.example.com"))
          .getStatus()).as(path).isEqualTo(403);
      }
      assertThat(corsOrigin(node, "https://rest.example.com")).isEqualTo("https://rest.example.com");
      assertThat(corsOrigin(node, "https://app.example.com")).isNull();
      client.close().await();
    }
  }

  /** The Access-Control-Allow-Origin a preflight of the avatar upload gets from that origin. */
  private static String corsOrigin(TestNode node, String origin) {
    HttpResponse<Buffer> preflight = node.client().request(io.vertx.core.http.HttpMethod.OPTIONS, "/api/user/avatar")
      .putHeader("Origin", origin).putHeader("Access-Control-Request-Method", "POST")
      .putHeader("Access-Control-Request-Headers", "authorization").send().await();
    return preflight.getHeader("Access-Control-Allow-Origin");
  }
}
