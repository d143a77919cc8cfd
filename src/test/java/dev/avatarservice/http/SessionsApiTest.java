package dev.avatarservice.http;

import dev.avatarservice.bus.EventAddress;
import dev.avatarservice.http.realtime.TestSocket;
import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.Jwts;
import dev.avatarservice.support.OpenApiContract;
import dev.avatarservice.support.TestNode;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.avatarservice.http.realtime.TestSocket.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions through the real server, on one node: the list, and every way a session ends (logout,
 * {@code /oauth/revoke}, {@code DELETE /api/user/sessions[/{id}]}, a password change, refresh-token
 * reuse, SESSION_MAX_AGE). Each end is checked as a user sees it: the session's access and refresh
 * tokens answered 401 at once, its sockets sent {@code session.ended} and closed with 4401 before
 * the answer arrived, the other sessions untouched.
 */
@Timeout(60)
class SessionsApiTest {

  private static TestNode node;
  private static ApiClient api;
  private static Vertx clientVertx;
  private static WebSocketClient sockets;
  private static OpenApiContract contract;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("LOGIN_FAILURES_LIMIT", 3));
    api = node.api();
    clientVertx = Vertx.vertx();
    sockets = clientVertx.createWebSocketClient();
    contract = OpenApiContract.get();
  }

  @AfterAll
  static void stop() {
    clientVertx.close().await();
    node.close();
  }

  private static HttpRequest<Buffer> request(TestNode on, HttpMethod method, String path, String token) {
    return on.client().request(method, path).bearerTokenAuthentication(token);
  }

  private static JsonObject login(String identifier, String userAgent) {
    HttpResponse<Buffer> response = node.client().post("/api/login").putHeader("User-Agent", userAgent)
      .sendJsonObject(new JsonObject().put("identifier", identifier).put("password", ApiClient.PASSWORD)).await();
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return JSendAssert.success(response);
  }

  private static String sid(JsonObject tokens) {
    return (String) Jwts.claim(tokens.getString("accessToken"), "sid");
  }

  private static JsonArray sessions(String accessToken) {
    HttpResponse<Buffer> response = request(node, HttpMethod.GET, "/api/user/sessions", accessToken).send().await();
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    contract.assertConforms("listSessions", response);
    return JSendAssert.success(response).getJsonArray("sessions");
  }

  private static TestSocket socket(JsonObject tokens) {
    TestSocket socket = TestSocket.open(sockets, node.port(), "/ws", TestSocket.Mode.PLAIN, bearer(tokens.getString("accessToken")));
    socket.next("ready");
    return socket;
  }

  /** The session's tokens are refused, its socket was told and closed before {@code answeredAt}. */
  private static void assertEnded(JsonObject tokens, TestSocket socket, long answeredAt) {
    if (socket != null) {
      assertThat(socket.next()).isEqualTo(new JsonObject().put("type", "session.ended"));
      assertThat(socket.lastArrivalNanos()).isLessThanOrEqualTo(answeredAt);
      TestSocket.Closed closed = socket.awaitClose();
      assertThat(closed.code()).isEqualTo(4401);
      assertThat(closed.atNanos()).as("closed before the answer arrived").isLessThanOrEqualTo(answeredAt);
    }
    JSendAssert.fail(api.get("/api/user", tokens.getString("accessToken")), 401, "unauthorized");
    JSendAssert.fail(api.post("/api/refresh", new JsonObject().put("refreshToken", tokens.getString("refreshToken"))),
      401, "invalid_token");
    assertThat(TestSocket.refused(sockets, node.port(), "/ws", bearer(tokens.getString("accessToken"))).getStatus())
      .isEqualTo(401);
  }

  private static void assertLive(JsonObject tokens, TestSocket socket) {
    JSendAssert.success(api.get("/api/user", tokens.getString("accessToken")));
    if (socket != null) {
      socket.assertNothingElseArrived();
    }
  }

  @Test
  void theSessionsAreListedNewestFirstWithTheCallersMarked() {
    JsonObject registered = node.client().post("/api/register").putHeader("User-Agent", "First browser/1.0")
      .sendJsonObject(new JsonObject().put("identifier", "sessions-list").put("password", ApiClient.PASSWORD)).await()
      .bodyAsJsonObject().getJsonObject("data");
    String longAgent = "Ü".repeat(150) + "x".repeat(150);
    JsonObject second = login("sessions-list", longAgent);
    JsonObject third = login("sessions-list", "Third/3");
    assertThat(List.of(sid(registered), sid(second), sid(third))).doesNotHaveDuplicates()
      .allSatisfy(sid -> assertThat(UUID.fromString(sid).toString()).isEqualTo(sid));

    JsonArray listed = sessions(second.getString("accessToken"));

    assertThat(listed).hasSize(3);
    assertThat(listed.stream().map(s -> ((JsonObject) s).getString("id")).toList())
      .containsExactly(sid(third), sid(second), sid(registered));
    assertThat(listed.stream().map(s -> ((JsonObject) s).getBoolean("current")).toList()).containsExactly(false, true, false);
    JsonObject secondListed = listed.getJsonObject(1);
    assertThat(secondListed.getString("userAgent")).isEqualTo(longAgent.substring(0, 200));
    assertThat(listed.getJsonObject(2).getString("userAgent")).isEqualTo("First browser/1.0");
    assertThat(secondListed.fieldNames()).containsExactlyInAnyOrder("id", "createdAt", "lastUsedAt", "userAgent", "current");
    assertThat(Instant.parse(secondListed.getString("lastUsedAt"))).isEqualTo(Instant.parse(secondListed.getString("createdAt")));

    // a refresh keeps the session (same sid), and moves its lastUsedAt; a plain request does not
    JsonObject refreshed = JSendAssert.success(api.post("/api/refresh",
      new JsonObject().put("refreshToken", registered.getString("refreshToken"))));
    assertThat(sid(refreshed)).isEqualTo(sid(registered));
    JsonObject first = sessions(third.getString("accessToken")).getJsonObject(2);
    assertThat(first.getString("id")).isEqualTo(sid(registered));
    assertThat(Instant.parse(first.getString("lastUsedAt"))).isAfter(Instant.parse(first.getString("createdAt")));
    assertThat(sessions(refreshed.getString("accessToken")).getJsonObject(2).getBoolean("current")).isTrue();

    JSendAssert.fail(api.get("/api/user/sessions", "not-a-token"), 401, "unauthorized");
  }

  @Test
  void endingOneSessionEndsItAtOnceAndLeavesTheOthers() {
    JsonObject kept = api.register("sessions-one");
    JsonObject ended = login("sessions-one", "Other/1");
    TestSocket keptSocket = socket(kept);
    TestSocket endedSocket = socket(ended);
    JsonObject stranger = api.register("sessions-stranger");

    HttpResponse<Buffer> answer = request(node, HttpMethod.DELETE, "/api/user/sessions/" + sid(ended),
      kept.getString("accessToken")).send().await();
    long answeredAt = System.nanoTime();

    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    assertThat(JSendAssert.success(answer)).isNull();
    contract.assertConforms("endSession", answer);
    assertEnded(ended, endedSocket, answeredAt);
    assertLive(kept, keptSocket);
    assertThat(sessions(kept.getString("accessToken"))).hasSize(1);

    for (String id : List.of(sid(ended), UUID.randomUUID().toString(), sid(stranger), "not-a-uuid")) {
      HttpResponse<Buffer> missing = request(node, HttpMethod.DELETE, "/api/user/sessions/" + id,
        kept.getString("accessToken")).send().await();
      JSendAssert.fail(missing, 404, "not_found");
      contract.assertConforms("endSession", missing);
    }
    assertLive(stranger, null);
  }

  @Test
  void logoutAndOAuthRevocationEndTheirSessionEverywhereAtOnce() {
    JsonObject kept = api.register("sessions-logout");
    JsonObject loggedOut = login("sessions-logout", "Other/1");
    JsonObject revoked = login("sessions-logout", "Other/2");
    TestSocket loggedOutSocket = socket(loggedOut);
    TestSocket revokedSocket = socket(revoked);

    HttpResponse<Buffer> logout = request(node, HttpMethod.POST, "/api/logout", loggedOut.getString("accessToken"))
      .sendJsonObject(new JsonObject().put("refreshToken", loggedOut.getString("refreshToken"))).await();
    assertThat(logout.statusCode()).as(logout.bodyAsString()).isEqualTo(200);
    assertEnded(loggedOut, loggedOutSocket, System.nanoTime());

    HttpResponse<Buffer> revocation = node.client().post("/oauth/revoke")
      .sendForm(MultiMap.caseInsensitiveMultiMap().add("token", revoked.getString("refreshToken"))).await();
    assertThat(revocation.statusCode()).isEqualTo(200);
    assertEnded(revoked, revokedSocket, System.nanoTime());

    assertLive(kept, null);
  }

  @Test
  void logOutEverywhereEndsEverySessionThisOneIncluded() {
    JsonObject first = api.register("sessions-everywhere");
    JsonObject second = login("sessions-everywhere", "Other/1");
    TestSocket firstSocket = socket(first);
    TestSocket secondSocket = socket(second);
    JsonObject stranger = api.register("sessions-everywhere-other");
    TestSocket strangerSocket = socket(stranger);

    HttpResponse<Buffer> answer = request(node, HttpMethod.DELETE, "/api/user/sessions", first.getString("accessToken"))
      .send().await();
    long answeredAt = System.nanoTime();

    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    contract.assertConforms("endAllSessions", answer);
    assertEnded(first, firstSocket, answeredAt);
    assertEnded(second, secondSocket, answeredAt);
    assertLive(stranger, strangerSocket);
    // the account is still there: a new login opens a new session
    assertThat(sessions(login("sessions-everywhere", "Again/1").getString("accessToken"))).hasSize(1);
  }

  @Test
  void aReusedRefreshTokenEndsItsWholeSessionWithoutGrace() {
    JsonObject stolen = api.register("sessions-reuse");
    JsonObject other = login("sessions-reuse", "Other/1");
    JsonObject rotated = JSendAssert.success(api.post("/api/refresh",
      new JsonObject().put("refreshToken", stolen.getString("refreshToken"))));
    TestSocket socket = socket(rotated);

    // the old token again, at once: no grace period
    HttpResponse<Buffer> reuse = api.post("/api/refresh", new JsonObject().put("refreshToken", stolen.getString("refreshToken")));
    long answeredAt = System.nanoTime();

    JSendAssert.fail(reuse, 401, "invalid_token");
    assertEnded(rotated, socket, answeredAt);
    JSendAssert.fail(api.get("/api/user", stolen.getString("accessToken")), 401, "unauthorized");
    assertLive(other, null);
  }

  @Test
  void aPasswordChangeEndsEveryOtherSessionAndGivesTheCallerFreshTokens() {
    JsonObject caller = api.register("sessions-password");
    JsonObject other = login("sessions-password", "Other/1");
    TestSocket callerSocket = socket(caller);
    TestSocket otherSocket = socket(other);
    String newPassword = "another long and unusual passphrase";

    HttpResponse<Buffer> answer = request(node, HttpMethod.PUT, "/api/user/password", caller.getString("accessToken"))
      .sendJsonObject(new JsonObject().put("currentPassword", ApiClient.PASSWORD).put("newPassword", newPassword)).await();
    long answeredAt = System.nanoTime();

    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    assertThat(answer.getHeader("Cache-Control")).isEqualTo("no-store");
    contract.assertConforms("changePassword", answer);
    JsonObject fresh = JSendAssert.success(answer);
    assertThat(fresh.getJsonObject("user").getString("id")).isEqualTo(caller.getJsonObject("user").getString("id"));
    assertThat(sid(fresh)).isEqualTo(sid(caller));
    assertEnded(other, otherSocket, answeredAt);
    // the caller's session goes on: its socket and access token, and the fresh pair; its old refresh token is replaced
    assertLive(caller, callerSocket);
    assertLive(fresh, null);
    JSendAssert.fail(api.post("/api/refresh", new JsonObject().put("refreshToken", caller.getString("refreshToken"))),
      401, "invalid_token");
    JSendAssert.success(api.post("/api/refresh", new JsonObject().put("refreshToken", fresh.getString("refreshToken"))));
    JSendAssert.fail(api.post("/api/login", new JsonObject().put("identifier", "sessions-password")
      .put("password", ApiClient.PASSWORD)), 401, "invalid_credentials");
    api.login("sessions-password", newPassword);
  }

  @Test
  void aPasswordChangeChecksTheCurrentPasswordLikeALoginAndTheRulesOnTheNewOne() {
    JsonObject caller = api.register("sessions-password-rules");
    JsonObject other = login("sessions-password-rules", "Other/1");
    String token = caller.getString("accessToken");

    HttpResponse<Buffer> weak = request(node, HttpMethod.PUT, "/api/user/password", token)
      .sendJsonObject(new JsonObject().put("currentPassword", ApiClient.PASSWORD).put("newPassword", "12345678")).await();
    JSendAssert.failFields(weak, "newPassword");
    contract.assertConforms("changePassword", weak);
    HttpResponse<Buffer> missing = request(node, HttpMethod.PUT, "/api/user/password", token)
      .sendJsonObject(new JsonObject().put("newPassword", "another long and unusual passphrase")).await();
    assertThat(missing.statusCode()).isEqualTo(400);
    HttpResponse<Buffer> anonymous = node.client().put("/api/user/password")
      .sendJsonObject(new JsonObject().put("currentPassword", ApiClient.PASSWORD).put("newPassword", "x")).await();
    JSendAssert.fail(anonymous, 401, "unauthorized");

    for (int attempt = 0; attempt < 3; attempt++) {
      HttpResponse<Buffer> wrong = request(node, HttpMethod.PUT, "/api/user/password", token)
        .sendJsonObject(new JsonObject().put("currentPassword", "not the password at all")
          .put("newPassword", "another long and unusual passphrase")).await();
      JSendAssert.fail(wrong, 403, "wrong_password");
      contract.assertConforms("changePassword", wrong);
    }
    // locked out like failed logins, of the same identifier from the same address: even the right one
    HttpResponse<Buffer> locked = request(node, HttpMethod.PUT, "/api/user/password", token)
      .sendJsonObject(new JsonObject().put("currentPassword", ApiClient.PASSWORD)
        .put("newPassword", "another long and unusual passphrase")).await();
    JSendAssert.fail(locked, 429, "rate_limited");
    assertThat(locked.getHeader("Retry-After")).isNotBlank();
    contract.assertConforms("changePassword", locked);
    JSendAssert.fail(api.post("/api/login", new JsonObject().put("identifier", "sessions-password-rules")
      .put("password", ApiClient.PASSWORD)), 429, "rate_limited");
    // nothing changed: the other session lives, the password is the old one
    assertLive(other, null);
  }

  @Test
  void aSessionEndsSessionMaxAgeAfterItsLoginHoweverOftenItIsRefreshed() throws InterruptedException {
    try (TestNode shortLived = TestNode.start(Map.of("SESSION_MAX_AGE", 2))) {
      JsonObject registered = shortLived.api().register("sessions-max-age");
      long loggedInAt = System.nanoTime();
      JsonObject refreshed = JSendAssert.success(shortLived.api().post("/api/refresh",
        new JsonObject().put("refreshToken", registered.getString("refreshToken"))));
      JSendAssert.success(shortLived.api().get("/api/user", refreshed.getString("accessToken")));

      // time has to pass here: nothing happens at the end of a session but the clock
      Thread.sleep(Math.max(0, 2_200 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loggedInAt)));

      JSendAssert.fail(shortLived.api().post("/api/refresh", new JsonObject().put("refreshToken", refreshed.getString("refreshToken"))),
        401, "invalid_token");
      JSendAssert.fail(shortLived.api().get("/api/user", refreshed.getString("accessToken")), 401, "unauthorized");
    }
  }

  @Test
  void anEndThatANodeDoesNotConfirmInTimeIsAnswered202() {
    long timeout = 400;
    try (TestNode small = TestNode.start(Map.of("DELETION_CONFIRM_TIMEOUT_MS", timeout))) {
      String silent = EventAddress.notifyNode();
      MessageConsumer<JsonObject> mute = small.vertx().eventBus().consumer(silent, message -> { });
      mute.completion().await();
      small.vertx().sharedData().<String, Boolean>getAsyncMap(EventAddress.NOTIFY_NODES).await().put(silent, Boolean.TRUE).await();
      JsonObject registered = small.api().register("sessions-unconfirmed");

      HttpResponse<Buffer> answer = request(small, HttpMethod.DELETE, "/api/user/sessions",
        registered.getString("accessToken")).send().await();

      assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(202);
      contract.assertConforms("endAllSessions", answer);
      JSendAssert.fail(small.api().get("/api/user", registered.getString("accessToken")), 401, "unauthorized");
    }
  }
}
