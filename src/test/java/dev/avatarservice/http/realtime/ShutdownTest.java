package dev.avatarservice.http.realtime;

import dev.avatarservice.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static dev.avatarservice.http.realtime.TestSocket.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** A node that shuts down tells its sockets so, with 1001, before it closes their connections. */
class ShutdownTest {

  @Test
  void closingTheNodeClosesEverySocketWith1001() {
    TestNode node = TestNode.start();
    Vertx clientVertx = Vertx.vertx();
    try {
      WebSocketClient client = clientVertx.createWebSocketClient();
      JsonObject alice = node.api().register("shutdown-alice");
      TestSocket authenticated = TestSocket.open(client, node.port(), "/ws", TestSocket.Mode.PLAIN,
        bearer(alice.getString("accessToken")));
      authenticated.next("ready");
      TestSocket anonymous = TestSocket.open(client, node.port(), "/ws/avatar");
      TestSocket sockJs = TestSocket.open(client, node.port(),
        "/sockjs/000/" + UUID.randomUUID().toString().replace("-", "") + "/websocket");
      sockJs.authenticate(alice.getString("accessToken"));

      node.close();

      for (TestSocket socket : List.of(authenticated, anonymous, sockJs)) {
        TestSocket.Closed closed = socket.awaitClose();
        assertThat(closed.code()).isEqualTo(1001);
        assertThat(closed.reason()).isEqualTo("server shutting down");
      }
    } finally {
      clientVertx.close().await();
    }
  }
}
