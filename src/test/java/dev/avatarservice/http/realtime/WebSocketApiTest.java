package dev.avatarservice.http.realtime;

import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.avatarservice.http.realtime.TestSocket.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** The WebSocket endpoints {@code /ws} and {@code /ws/avatar}, with a real client against a real node. */
class WebSocketApiTest {

  private static TestNode node;
  private static Vertx clientVertx;
  private static WebSocketClient client;

  @BeforeAll
  static void start() {
    node = TestNode.start();
    clientVertx = Vertx.vertx();
    client = clientVertx.createWebSocketClient();
  }

  @AfterAll
  static void stop() {
    clientVertx.close().await();
    node.close();
  }

  private static JsonObject register(String identifier) {
    return node.api().register(identifier);
  }

  private static String token(JsonObject tokens) {
    return tokens.getString("accessToken");
  }

  private static String userId(JsonObject tokens) {
    return tokens.getJsonObject("user").getString("id");
  }

  @Test
  void authorizationHeaderAuthenticatesAtTheHandshake() {
    JsonObject alice = register("ws-header-alice");
    TestSocket socket = TestSocket.open(client, node.port(), "/ws", TestSocket.Mode.PLAIN, bearer(token(alice)));

    JsonObject ready = socket.next("ready");
    assertThat(ready.fieldNames()).containsExactlyInAnyOrder("type", "userId", "avatarUrl");
    assertThat(ready.getString("userId")).isEqualTo(userId(alice));
    assertThat(ready.getValue("avatarUrl")).isNull();
    socket.send(new JsonObject().put("type", "ping"));
    socket.next("pong");
    socket.close();
  }

  @Test
  void tokenHeaderAuthenticatesOnTheFastApiAlias() {
    JsonObject bob = register("ws-token-bob");
    TestSocket socket = TestSocket.open(client, node.port(), "/ws/avatar", TestSocket.Mode.PLAIN,
      Map.of("token", token(bob)));

    assertThat(socket.next("ready").getString("userId")).isEqualTo(userId(bob));
    socket.close();
  }

  @Test
  void firstMessageAuthenticates() {
    JsonObject carol = register("ws-message-carol");
    for (String path : new String[] {"/ws", "/ws/avatar", "/sockjs/websocket"}) {
      TestSocket socket = TestSocket.open(client, node.port(), path);
      assertThat(socket.authenticate(token(carol)).getString("userId")).isEqualTo(userId(carol));
      socket.assertNothingElseArrived();
      socket.close();
    }
  }

  @Test
  void everyAuthIsAnsweredWithReadyIncludingRenewals() {
    JsonObject dave = register("ws-renew-dave");
    TestSocket socket = TestSocket.open(client, node.port(), "/ws");
    socket.authenticate(token(dave));
    String fresh = token(node.api().login("ws-renew-dave", ApiClient.PASSWORD));

    assertThat(socket.authenticate(fresh).getString("userId")).isEqualTo(userId(dave));
    socket.assertNothingElseArrived();
    socket.close();
  }

  @Test
  void aRenewalWithAnotherUsersTokenCloses4401() {
    JsonObject erin = register("ws-erin");
    JsonObject frank = register("ws-frank");
    TestSocket socket = TestSocket.open(client, node.port(), "/ws", TestSocket.Mode.PLAIN, bearer(token(erin)));
    socket.next("ready");

    socket.send(new JsonObject().put("type", "auth").put("token", token(frank)));
    assertThat(socket.awaitClose().code()).isEqualTo(4401);
  }

  @Test
  void aBadTokenInTheAuthMessageCloses4401() {
    TestSocket socket = TestSocket.open(client, node.port(), "/ws");
    socket.send(new JsonObject().put("type", "auth").put("token", "not-a-jwt"));
    TestSocket.Closed closed = socket.awaitClose();
    assertThat(closed.code()).isEqualTo(4401);
    assertThat(closed.reason()).isEqualTo("invalid token");
  }

  @Test
  void aBadTokenAtTheHandshakeIsRefusedWith401AndNoUpgrade() {
    for (Map<String, String> headers : List.of(bearer("not-a-jwt"), Map.of("token", "not-a-jwt"),
      Map.of("Authorization", "Basic dXNlcjpwYXNz"))) {
      UpgradeRejectedException refused = TestSocket.refused(client, node.port(), "/ws", headers);
      assertThat(refused.getStatus()).as(headers.toString()).isEqualTo(401);
      assertThat(refused.getHeaders().get("WWW-Authenticate")).startsWith("Bearer");
      JsonObject body = refused.getBody().toJsonObject();
      assertThat(body.getString("status")).isEqualTo("fail");
      assertThat(body.getJsonObject("data").getString("code")).isEqualTo("unauthorized");
    }
  }

  /** User ids are never reused: a token of an account that is gone authenticates no one. */
  @Test
  void aValidTokenOfAnAccountThatDoesNotExistIsRefused() {
    String orphan = TestSocket.token(clientVertx, node.settings().tokens(), UUID.randomUUID().toString(),
      UUID.randomUUID().toString(), 60);
    UpgradeRejectedException refused = TestSocket.refused(client, node.port(), "/ws", bearer(orphan));
    assertThat(refused.getStatus()).isEqualTo(401);
    assertThat(refused.getBody().toJsonObject().getJsonObject("data").getString("code")).isEqualTo("unauthorized");

    TestSocket socket = TestSocket.open(client, node.port(), "/ws");
    socket.send(new JsonObject().put("type", "auth").put("token", orphan));
    assertThat(socket.awaitClose().code()).isEqualTo(4401);
  }

  @Test
  void aForeignOriginIsRefusedWith403() {
    JsonObject gina = register("ws-origin-gina");
    UpgradeRejectedException refused = TestSocket.refused(client, node.port(), "/ws",
      Map.of("Origin", "https://evil.example", "Authorization", "Bearer " + token(gina)));
    assertThat(refused.getStatus()).isEqualTo(403);
    JsonObject body = refused.getBody().toJsonObject();
    assertThat(body.getString("status")).isEqualTo("fail");
    assertThat(body.getJsonObject("data").getString("code")).isEqualTo("forbidden");

    TestSocket allowed = TestSocket.open(client, node.port(), "/ws", TestSocket.Mode.PLAIN,
      Map.of("Origin", "http://localhost:" + node.port()));
    allowed.authenticate(token(gina));
    allowed.close();
  }

  @Test
  void aTokenInTheUrlIsIgnoredAndOnlyAuthIsTakenBeforeAuthentication() {
    JsonObject hank = register("ws-url-hank");
    TestSocket socket = TestSocket.open(client, node.port(), "/ws?token=" + token(hank) + "&access_token=" + token(hank));

    socket.send(new JsonObject().put("type", "ping"));
    assertThat(socket.next("error").getString("message")).startsWith("authenticate first");
    socket.authenticate(token(hank));
    socket.close();
  }

  @Test
  void malformedMessagesAreAnsweredWithAnErrorAndTheSocketStaysUsable() {
    JsonObject ivy = register("ws-malformed-ivy");
    TestSocket socket = TestSocket.open(client, node.port(), "/ws", TestSocket.Mode.PLAIN, bearer(token(ivy)));
    socket.next("ready");

    for (String text : new String[] {"not json", "[1,2]", "null", "{\"type\":5}", "{\"type\":\"nope\"}",
      "{\"type\":\"auth\"}"}) {
      socket.sendText(text);
      JsonObject error = socket.next("error");
      assertThat(error.fieldNames()).as(text).containsExactlyInAnyOrder("type", "message");
    }
    socket.sendBinary(Buffer.buffer(new byte[] {1, 2, 3}));
    socket.next("error");
    socket.assertNothingElseArrived();
    socket.close();
  }

  @Test
  void messagesOverTheLimitClose1009() {
    JsonObject jack = register("ws-big-jack");
    int limit = node.settings().realtime().maxMessageBytes();
    // Exactly at the limit: taken. The client splits it into several frames.
    TestSocket socket = TestSocket.open(client, node.port(), "/ws", TestSocket.Mode.PLAIN, bearer(token(jack)));
    socket.next("ready");
    socket.sendText(padded(limit));
    socket.next("pong");
    // One byte over, in several frames.
    socket.sendText(padded(limit + 1));
    assertThat(socket.awaitClose().code()).isEqualTo(1009);

    // One byte over, in a single frame.
    WebSocketClient bigFrames = clientVertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20));
    TestSocket single = TestSocket.open(bigFrames, node.port(), "/ws");
    single.sendText(padded(limit + 1));
    assertThat(single.awaitClose().code()).isEqualTo(1009);
    bigFrames.close().await();
  }

  @Test
  void aFrameOverTheFrameLimitCloses1009InsteadOfDroppingTheConnection() {
    // over the server's WebSocket frame limit (room for one maximal message in SockJS framing, about
    // 384 KiB): Netty refuses it before reading it, and the client used to see 1006
    int overFrameLimit = node.settings().realtime().maxMessageBytes() * 6 + 1024;
    WebSocketClient bigFrames = clientVertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20));
    try {
      TestSocket socket = TestSocket.open(bigFrames, node.port(), "/ws");
      socket.sendFrame(padded(overFrameLimit));
      TestSocket.Closed closed = socket.awaitClose();
      assertThat(closed.code()).isEqualTo(1009);
      assertThat(closed.reason()).isEqualTo("message too big");
    } finally {
      bigFrames.close().await();
    }
  }

  @Test
  void aPingRightBehindTheAuthIsAnsweredAfterIt() {
    JsonObject kim = register("ws-eager-kim");
    TestSocket socket = TestSocket.open(client, node.port(), "/ws");
    // both at once, without waiting for ready
    socket.send(new JsonObject().put("type", "auth").put("token", token(kim)));
    socket.send(new JsonObject().put("type", "ping"));

    assertThat(socket.next().getString("type")).isEqualTo("ready");
    assertThat(socket.next().getString("type")).isEqualTo("pong");
    socket.assertNothingElseArrived();
    socket.close();
  }

  /** A ping of exactly {@code size} bytes. */
  private static String padded(int size) {
    String head = "{\"type\":\"ping\",\"pad\":\"";
    String tail = "\"}";
    return head + "x".repeat(size - head.length() - tail.length()) + tail;
  }

  @Test
  void aPlainRequestIsAskedToUpgrade() {
    HttpResponse<Buffer> response = node.client().get("/ws").send().await();
    JSendAssert.fail(response, 426, "upgrade_required");
  }
}
