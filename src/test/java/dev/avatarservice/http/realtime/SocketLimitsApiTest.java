package dev.avatarservice.http.realtime;

import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.avatarservice.http.realtime.TestSocket.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * WS_MAX_PER_USER and WS_MAX_PER_ADDRESS: one socket too many is refused (429 at the handshake,
 * or close 4429 after a first-message auth) and the older sockets stay. Before, 200 sockets of one
 * user were all accepted.
 */
class SocketLimitsApiTest {

  private static Vertx clientVertx;
  private static WebSocketClient client;

  @BeforeAll
  static void start() {
    clientVertx = Vertx.vertx();
    client = clientVertx.createWebSocketClient();
  }

  @AfterAll
  static void stop() {
    clientVertx.close().await();
  }

  @Test
  void oneSocketOverTheAccountCapIsRefusedAndTheOlderOnesStay() {
    try (TestNode node = TestNode.start(Map.of("WS_MAX_PER_USER", 2, "WS_MAX_PER_ADDRESS", 100))) {
      String token = node.api().register("capped-user").getString("accessToken");
      String other = node.api().register("uncapped-user").getString("accessToken");
      TestSocket first = TestSocket.open(client, node.port(), "/ws", TestSocket.Mode.PLAIN, bearer(token));
      first.next("ready");
      TestSocket second = TestSocket.open(client, node.port(), "/ws/avatar", TestSocket.Mode.PLAIN, bearer(token));
      second.next("ready");

      // at the handshake: 429, no upgrade
      UpgradeRejectedException refused = TestSocket.refused(client, node.port(), "/ws", bearer(token));
      assertThat(refused.getStatus()).isEqualTo(429);
      assertThat(new JsonObject(refused.getBody()).getJsonObject("data").getString("code")).isEqualTo("too_many_sockets");
      // with the first message: closed 4429
      TestSocket third = TestSocket.open(client, node.port(), "/ws");
      third.send(new JsonObject().put("type", "auth").put("token", token));
      assertThat(third.awaitClose().code()).isEqualTo(4429);
      // over SockJS's WebSocket transport too
      TestSocket sockJs = TestSocket.open(client, node.port(), "/sockjs/000/" + UUID.randomUUID().toString().replace("-", "")
        + "/websocket");
      sockJs.send(new JsonObject().put("type", "auth").put("token", token));
      assertThat(sockJs.awaitClose().code()).isEqualTo(4429);

      // the older ones stay, and another account is not affected
      for (TestSocket older : List.of(first, second)) {
        older.send(new JsonObject().put("type", "ping"));
        older.next("pong");
      }
      TestSocket someoneElse = TestSocket.open(client, node.port(), "/ws", TestSocket.Mode.PLAIN, bearer(other));
      someoneElse.next("ready");

      // a closed socket frees its place
      first.close();
      TestSocket.awaitCondition("a place for a new socket", () -> {
        try {
          TestSocket.open(client, node.port(), "/ws", TestSocket.Mode.PLAIN, bearer(token)).next("ready");
          return true;
        } catch (Exception | AssertionError e) {
          return false;
        }
      });
    }
  }

  @Test
  void oneHandshakeOverTheAddressCapIsRefusedWith429() {
    try (TestNode node = TestNode.start(Map.of("WS_MAX_PER_ADDRESS", 3))) {
      List<TestSocket> open = new ArrayList<>();
      open.add(TestSocket.open(client, node.port(), "/ws"));
      open.add(TestSocket.open(client, node.port(), "/ws/avatar"));
      open.add(TestSocket.open(client, node.port(), "/sockjs/000/" + UUID.randomUUID().toString().replace("-", "")
        + "/websocket"));

      UpgradeRejectedException refused = TestSocket.refused(client, node.port(), "/ws", Map.of());
      assertThat(refused.getStatus()).isEqualTo(429);
      assertThat(new JsonObject(refused.getBody()).getJsonObject("data").getString("code")).isEqualTo("too_many_sockets");
      WebClient http = WebClient.create(clientVertx, new WebClientOptions().setKeepAlive(false)
        .setDefaultHost("127.0.0.1").setDefaultPort(node.port()));
      JSendAssert.fail(http.post("/sockjs/000/" + UUID.randomUUID().toString().replace("-", "") + "/xhr").send().await(),
        429, "too_many_sockets");

      for (TestSocket older : open) {
        older.send(new JsonObject().put("type", "ping"));
        assertThat(older.next().getString("type")).isEqualTo("error"); // alive: "authenticate first"
      }
      http.close();
    }
  }
}
