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

  /** The Access-Control-Allow-Origin a preflight of the avatar upload gets from that origin. */
  private static String corsOrigin(TestNode node, String origin) {
    HttpResponse<Buffer> preflight = node.client().request(io.vertx.core.http.HttpMethod.OPTIONS, "/api/user/avatar")
      .putHeader("Origin", origin).putHeader("Access-Control-Request-Method", "POST")
      .putHeader("Access-Control-Request-Headers", "authorization").send().await();
    return preflight.getHeader("Access-Control-Allow-Origin");
  }
}
