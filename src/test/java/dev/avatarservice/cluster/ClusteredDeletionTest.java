package dev.avatarservice.cluster;

import dev.avatarservice.bus.EventAddress;
import dev.avatarservice.bus.Events;
import dev.avatarservice.http.realtime.TestSocket;
import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.TestCluster;
import dev.avatarservice.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.avatarservice.http.realtime.TestSocket.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Account deletion in a cluster of three nodes in one JVM (A runs every role, B and C
 * {@code http,notify}): a deletion made through one node has closed the user's sockets on every
 * node when it answers, and the user's tokens fail everywhere. The last test takes C away.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusteredDeletionTest {

  @TempDir
  static Path avatars;

  private static TestNode a;
  private static TestNode b;
  private static TestNode c;
  private static Vertx clientVertx;
  private static WebSocketClient sockets;

  @BeforeAll
  static void start() {
    TestCluster cluster = new TestCluster(3);
    a = TestNode.startClustered(cluster.member(0, node("all")));
    b = TestNode.startClustered(cluster.member(1, node("http,notify")));
    c = TestNode.startClustered(cluster.member(2, node("http,notify")));
    clientVertx = Vertx.vertx();
    sockets = clientVertx.createWebSocketClient();
  }

  @AfterAll
  static void stop() {
    if (clientVertx != null) {
      clientVertx.close().await();
    }
    for (TestNode node : new TestNode[] {c, b, a}) {
      if (node != null) {
        node.close();
      }
    }
  }

  private static Map<String, Object> node(String roles) {
    return Map.of("ROLES", roles, "STORE_TIMEOUT_MS", 3_000, "AVATARS_DIR", avatars.toString());
  }

  @Test
  @Order(1)
  void aDeletionThroughOneNodeHasClosedTheSocketsOfEveryNodeWhenItAnswers() {
    JsonObject registered = a.api().register("cluster-del-alice");
    String userId = registered.getJsonObject("user").getString("id");
    String token = registered.getString("accessToken");
    JsonObject other = b.api().login("cluster-del-alice", ApiClient.PASSWORD);
    TestSocket onB = TestSocket.open(sockets, b.port(), "/ws", TestSocket.Mode.PLAIN, bearer(token));
    onB.next("ready");
    TestSocket onC = TestSocket.open(sockets, c.port(),
      "/sockjs/000/" + UUID.randomUUID().toString().replace("-", "") + "/websocket");
    onC.authenticate(other.getString("accessToken"));
    TestSocket onA = TestSocket.open(sockets, a.port(), "/ws/avatar", TestSocket.Mode.PLAIN, Map.of("token", token));
    onA.next("ready");

    HttpResponse<Buffer> deleted = a.client().delete("/api/user").bearerTokenAuthentication(token).send().await();
    long answeredAt = System.nanoTime();

    assertThat(deleted.statusCode()).as(deleted.bodyAsString()).isEqualTo(200);
    assertThat(JSendAssert.success(deleted)).isNull();
    for (TestSocket socket : List.of(onB, onC, onA)) {
      assertThat(socket.next()).isEqualTo(Events.userDeleted(userId));
      assertThat(socket.lastArrivalNanos()).isLessThanOrEqualTo(answeredAt);
      TestSocket.Closed closed = socket.awaitClose();
      assertThat(closed.code()).isEqualTo(4410);
      assertThat(closed.atNanos()).as("closed before the 200 arrived").isLessThanOrEqualTo(answeredAt);
    }

    for (TestNode node : List.of(b, c, a)) {
      for (String accessToken : List.of(token, other.getString("accessToken"))) {
        JSendAssert.fail(node.api().get("/api/user", accessToken), 401, "unauthorized");
        assertThat(TestSocket.refused(sockets, node.port(), "/ws", bearer(accessToken)).getStatus()).isEqualTo(401);
        TestSocket late = TestSocket.open(sockets, node.port(), "/ws");
        late.send(new JsonObject().put("type", "auth").put("token", accessToken));
        assertThat(late.awaitClose().code()).isEqualTo(4401);
      }
      JSendAssert.fail(node.api().post("/api/refresh", new JsonObject().put("refreshToken", other.getString("refreshToken"))),
        401, "invalid_token");
    }
    JSendAssert.fail(c.client().delete("/user").bearerTokenAuthentication(token).send().await(), 401, "unauthorized");
  }

  @Test
  @Order(2)
  void everyNotifyNodeIsListedWhileItRunsAndALeavingNodeTakesItselfOut() {
    assertThat(notifyNodes()).hasSize(3);

    c.close();
    c = null;

    assertThat(notifyNodes()).hasSize(2);
    // and the address of a node that died without taking itself out answers NO_HANDLERS at once
    a.vertx().sharedData().<String, Boolean>getAsyncMap(EventAddress.NOTIFY_NODES).await()
      .put(EventAddress.notifyNode(), Boolean.TRUE).await();
    JsonObject registered = b.api().register("cluster-del-bob");
    TestSocket onA = TestSocket.open(sockets, a.port(), "/ws", TestSocket.Mode.PLAIN,
      bearer(registered.getString("accessToken")));
    onA.next("ready");
    long started = System.nanoTime();
    HttpResponse<Buffer> deleted = b.client().delete("/api/user")
      .bearerTokenAuthentication(registered.getString("accessToken")).send().await();
    assertThat(deleted.statusCode()).as(deleted.bodyAsString()).isEqualTo(200);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
      .isLessThan(b.settings().deletionConfirmTimeoutMs());
    assertThat(onA.next("user.deleted")).isNotNull();
    assertThat(onA.awaitClose().code()).isEqualTo(4410);
  }

  private static Set<String> notifyNodes() {
    return a.vertx().sharedData().<String, Boolean>getAsyncMap(EventAddress.NOTIFY_NODES).await().keys().await();
  }
}
