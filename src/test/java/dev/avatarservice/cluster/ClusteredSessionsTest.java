package dev.avatarservice.cluster;

import dev.avatarservice.http.realtime.TestSocket;
import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.Jwts;
import dev.avatarservice.support.TestCluster;
import dev.avatarservice.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.avatarservice.http.realtime.TestSocket.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ended sessions in a cluster of three nodes in one JVM (A runs every role with JWT_SECRET, B and C
 * {@code http,notify} with the same key in JWT_SECRET_FILE): a session ended through one node is refused at once on the others (long
 * before its access token expires), and its sockets there have been told and closed when the
 * answer arrives; the other sessions go on everywhere.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusteredSessionsTest {

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
    // B and C read the same key from a file, as with a secret mounted into a container
    Path keyFile = avatars.getParent().resolve("cluster-" + UUID.randomUUID() + ".key");
    try {
      java.nio.file.Files.writeString(keyFile, TestNode.JWT_SECRET + "\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Map<String, Object> fromFile = new java.util.HashMap<>(node("http,notify"));
    fromFile.put("JWT_SECRET", "");
    fromFile.put("JWT_SECRET_FILE", keyFile.toString());
    b = TestNode.startClustered(cluster.member(1, fromFile));
    c = TestNode.startClustered(cluster.member(2, fromFile));
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

  /** A key being rotated out on every node: it still verifies, never signs. */
  private static final String PREVIOUS = "previous-cluster-key-previous-cluster-key-0";

  private static Map<String, Object> node(String roles) {
    return Map.of("ROLES", roles, "STORE_TIMEOUT_MS", 3_000, "AVATARS_DIR", avatars.toString(),
      "JWT_PREVIOUS_SECRETS", PREVIOUS);
  }

  private static TestSocket socketOn(TestNode node, JsonObject tokens) {
    TestSocket socket = TestSocket.open(sockets, node.port(), "/ws", TestSocket.Mode.PLAIN, bearer(tokens.getString("accessToken")));
    socket.next("ready");
    return socket;
  }

  /** Told and closed before {@code answeredAt}; refused everywhere afterwards, though far from expiry. */
  private static void assertEndedEverywhere(JsonObject tokens, TestSocket socket, long answeredAt) {
    assertThat(socket.next()).isEqualTo(new JsonObject().put("type", "session.ended"));
    assertThat(socket.lastArrivalNanos()).isLessThanOrEqualTo(answeredAt);
    TestSocket.Closed closed = socket.awaitClose();
    assertThat(closed.code()).isEqualTo(4401);
    assertThat(closed.atNanos()).as("closed before the answer arrived").isLessThanOrEqualTo(answeredAt);
    long expiresAt = ((Number) Jwts.claim(tokens.getString("accessToken"), "exp")).longValue();
    assertThat(expiresAt - System.currentTimeMillis() / 1000).as("the token is far from its expiry").isGreaterThan(600);
    for (TestNode node : List.of(a, b, c)) {
      JSendAssert.fail(node.api().get("/api/user", tokens.getString("accessToken")), 401, "unauthorized");
      assertThat(TestSocket.refused(sockets, node.port(), "/ws", bearer(tokens.getString("accessToken"))).getStatus()).isEqualTo(401);
      TestSocket late = TestSocket.open(sockets, node.port(), "/ws");
      late.send(new JsonObject().put("type", "auth").put("token", tokens.getString("accessToken")));
      assertThat(late.awaitClose().code()).isEqualTo(4401);
    }
    JSendAssert.fail(c.api().post("/api/refresh", new JsonObject().put("refreshToken", tokens.getString("refreshToken"))),
      401, "invalid_token");
  }

  private static void assertLiveEverywhere(JsonObject tokens, TestSocket socket) {
    for (TestNode node : List.of(a, b, c)) {
      JSendAssert.success(node.api().get("/api/user", tokens.getString("accessToken")));
    }
    socket.assertNothingElseArrived();
  }

  @Test
  void aSessionEndedThroughOneNodeIsRefusedAndItsSocketsClosedOnEveryOther() {
    JsonObject kept = a.api().register("cluster-sessions-ann");
    JsonObject ended = b.api().login("cluster-sessions-ann", ApiClient.PASSWORD);
    // the ended session's tokens have been used (and cached) on every node before
    for (TestNode node : List.of(a, b, c)) {
      JSendAssert.success(node.api().get("/api/user", ended.getString("accessToken")));
    }
    TestSocket endedOnC = socketOn(c, ended);
    TestSocket endedOnA = TestSocket.open(sockets, a.port(),
      "/sockjs/000/" + UUID.randomUUID().toString().replace("-", "") + "/websocket");
    endedOnA.authenticate(ended.getString("accessToken"));
    TestSocket keptOnC = socketOn(c, kept);

    HttpResponse<Buffer> answer = b.client().request(HttpMethod.DELETE, "/api/user/sessions/" + Jwts.claim(ended.getString("accessToken"), "sid"))
      .bearerTokenAuthentication(kept.getString("accessToken")).send().await();
    long answeredAt = System.nanoTime();

    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    assertEndedEverywhere(ended, endedOnC, answeredAt);
    assertThat(endedOnA.next()).isEqualTo(new JsonObject().put("type", "session.ended"));
    assertThat(endedOnA.awaitClose().code()).isEqualTo(4401);
    assertLiveEverywhere(kept, keptOnC);
  }

  @Test
  void refreshTokenReuseOnOneNodeEndsTheWholeSessionOnEveryNode() {
    JsonObject registered = a.api().register("cluster-sessions-bo");
    JsonObject rotated = JSendAssert.success(b.api().post("/api/refresh",
      new JsonObject().put("refreshToken", registered.getString("refreshToken"))));
    TestSocket onA = socketOn(a, rotated);
    JsonObject other = c.api().login("cluster-sessions-bo", ApiClient.PASSWORD);
    TestSocket otherOnB = socketOn(b, other);

    HttpResponse<Buffer> reuse = c.api().post("/api/refresh", new JsonObject().put("refreshToken", registered.getString("refreshToken")));
    long answeredAt = System.nanoTime();

    JSendAssert.fail(reuse, 401, "invalid_token");
    assertEndedEverywhere(rotated, onA, answeredAt);
    assertLiveEverywhere(other, otherOnB);
  }

  @Test
  void aPasswordChangeOnOneNodeEndsTheOtherSessionsOnEveryNode() {
    JsonObject caller = b.api().register("cluster-sessions-cy");
    JsonObject other = c.api().login("cluster-sessions-cy", ApiClient.PASSWORD);
    TestSocket otherOnA = socketOn(a, other);
    TestSocket callerOnC = socketOn(c, caller);

    HttpResponse<Buffer> answer = b.client().request(HttpMethod.PUT, "/api/user/password")
      .bearerTokenAuthentication(caller.getString("accessToken"))
      .sendJsonObject(new JsonObject().put("currentPassword", ApiClient.PASSWORD)
        .put("newPassword", "another long and unusual passphrase")).await();
    long answeredAt = System.nanoTime();

    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    assertEndedEverywhere(other, otherOnA, answeredAt);
    assertLiveEverywhere(caller, callerOnC);
    JSendAssert.success(a.api().post("/api/refresh",
      new JsonObject().put("refreshToken", JSendAssert.success(answer).getString("refreshToken"))));
  }

  @Test
  void logOutEverywhereThroughOneNodeEndsEverySessionOnEveryNode() {
    JsonObject first = c.api().register("cluster-sessions-di");
    JsonObject second = a.api().login("cluster-sessions-di", ApiClient.PASSWORD);
    TestSocket firstOnB = socketOn(b, first);
    TestSocket secondOnA = socketOn(a, second);

    HttpResponse<Buffer> answer = c.client().request(HttpMethod.DELETE, "/api/user/sessions")
      .bearerTokenAuthentication(first.getString("accessToken")).send().await();
    long answeredAt = System.nanoTime();

    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    assertEndedEverywhere(first, firstOnB, answeredAt);
    assertEndedEverywhere(second, secondOnA, answeredAt);
  }

  @Test
  void everyNodeSignsWithTheSameKidAndTakesTheTokensOfThePreviousKey() {
    JsonObject onB = b.api().register("cluster-sessions-fay");
    JsonObject onC = c.api().login("cluster-sessions-fay", ApiClient.PASSWORD);
    String kid = dev.avatarservice.account.SigningKey.kid(TestNode.JWT_SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(Jwts.header(onB.getString("accessToken"), "kid")).isEqualTo(kid);
    assertThat(Jwts.header(onC.getString("accessToken"), "kid")).isEqualTo(kid);
    byte[] previous = PREVIOUS.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    String signedBefore = Jwts.hs256("{\"alg\":\"HS256\",\"kid\":\"" + dev.avatarservice.account.SigningKey.kid(previous) + "\"}",
      Jwts.claims(onB.getJsonObject("user").getString("id"), (String) Jwts.claim(onB.getString("accessToken"), "sid"),
        java.time.Instant.now().getEpochSecond()), previous);
    for (TestNode node : List.of(a, b, c)) {
      JSendAssert.success(node.api().get("/api/user", onC.getString("accessToken")));
      JSendAssert.success(node.api().get("/api/user", signedBefore));
    }
  }

  @Test
  void logoutThroughOneNodeEndsTheSessionOnEveryNode() {
    JsonObject session = a.api().register("cluster-sessions-ed");
    TestSocket onB = socketOn(b, session);

    HttpResponse<Buffer> answer = c.client().request(HttpMethod.POST, "/api/logout")
      .bearerTokenAuthentication(session.getString("accessToken"))
      .sendJsonObject(new JsonObject().put("refreshToken", session.getString("refreshToken"))).await();
    long answeredAt = System.nanoTime();

    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    assertEndedEverywhere(session, onB, answeredAt);
  }
}
