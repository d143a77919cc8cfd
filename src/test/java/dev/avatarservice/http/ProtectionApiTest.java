package dev.avatarservice.http;

import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Brute-force throttling, burst limits and the bounded hashing queue. */
class ProtectionApiTest {

  private static JsonObject credentials(String identifier, String password) {
    return new JsonObject().put("identifier", identifier).put("password", password);
  }

  @Test
  void repeatedFailedLoginsAreRefusedWithRetryAfterAndSuccessClearsThem() {
    try (TestNode node = TestNode.start(Map.of("LOGIN_FAILURES_LIMIT", 3, "LOGIN_FAILURES_WINDOW", 600))) {
      ApiClient api = node.api();
      api.register("target@example.com");
      api.register("bystander@example.com");
      api.login("target@example.com", ApiClient.PASSWORD);

      for (int i = 0; i < 3; i++) {
        JSendAssert.fail(api.post("/api/login", credentials("target@example.com", "wrong-password-" + i)), 401,
          "invalid_credentials");
      }
      HttpResponse<Buffer> locked = api.post("/api/login", credentials("TARGET@example.com", ApiClient.PASSWORD));
      JSendAssert.fail(locked, 429, "rate_limited");
      assertThat(Integer.parseInt(locked.getHeader("Retry-After"))).isBetween(1, 600);

      // another account from the same address is not locked out
      assertThat(api.post("/api/login", credentials("bystander@example.com", ApiClient.PASSWORD)).statusCode())
        .isEqualTo(200);
    }
  }

  @Test
  void wrongPasswordsSentAtOnceAreCountedOneByOne() {
    try (TestNode node = TestNode.start(Map.of("LOGIN_FAILURES_LIMIT", 5, "HASH_QUEUE", 64))) {
      node.api().register("concurrent@example.com");

      // twelve guesses on the wire together: only five passwords may be checked
      List<Future<HttpResponse<Buffer>>> guesses = IntStream.range(0, 12)
        .mapToObj(i -> node.client().post("/api/login")
          .sendJsonObject(credentials("concurrent@example.com", "wrong-guess-" + i)))
        .toList();
      Future.join(guesses).await();

      List<HttpResponse<Buffer>> answers = guesses.stream().map(Future::result).toList();
      assertThat(answers).filteredOn(r -> r.statusCode() == 401).hasSize(5);
      assertThat(answers).filteredOn(r -> r.statusCode() == 429).hasSize(7)
        .allSatisfy(r -> assertThat(r.getHeader("Retry-After")).isNotBlank());
      // and the right password, now, is not checked either
      JSendAssert.fail(node.api().post("/api/login", credentials("concurrent@example.com", ApiClient.PASSWORD)),
        429, "rate_limited");
    }
  }

  @Test
  void successfulLoginsAreNotThrottled() {
    try (TestNode node = TestNode.start(Map.of("LOGIN_FAILURES_LIMIT", 2))) {
      ApiClient api = node.api();
      api.register("regular@example.com");
      for (int i = 0; i < 4; i++) {
        api.login("regular@example.com", ApiClient.PASSWORD);
      }
      JSendAssert.fail(api.post("/api/login", credentials("regular@example.com", "wrong-password")), 401,
        "invalid_credentials");
      api.login("regular@example.com", ApiClient.PASSWORD);
      JSendAssert.fail(api.post("/api/login", credentials("regular@example.com", "wrong-password")), 401,
        "invalid_credentials");
      api.login("regular@example.com", ApiClient.PASSWORD);
    }
  }

  @Test
  void burstsFromOneAddressAreRefused() {
    try (TestNode node = TestNode.start(Map.of("AUTH_REQUESTS_PER_MINUTE", 3))) {
      for (int i = 0; i < 3; i++) {
        assertThat(node.api().post("/api/refresh", new JsonObject().put("refreshToken", "x")).statusCode()).isEqualTo(401);
      }
      HttpResponse<Buffer> refused = node.api().post("/api/refresh", new JsonObject().put("refreshToken", "x"));
      JSendAssert.fail(refused, 429, "rate_limited");
      assertThat(refused.getHeader("Retry-After")).isNotBlank();
    }
  }

  @Test
  void theOAuthRoutesShareTheLimitOfRefresh() {
    try (TestNode node = TestNode.start(Map.of("AUTH_REQUESTS_PER_MINUTE", 4))) {
      assertThat(node.api().post("/api/refresh", new JsonObject().put("refreshToken", "x")).statusCode()).isEqualTo(401);
      assertThat(oauth(node, "/oauth/token", "grant_type=refresh_token&refresh_token=x").statusCode()).isEqualTo(400);
      assertThat(oauth(node, "/oauth/revoke", "token=x").statusCode()).isEqualTo(200);
      assertThat(oauth(node, "/oauth/token", "grant_type=refresh_token&refresh_token=y").statusCode()).isEqualTo(400);

      // the four requests spent the one limit, whichever route they took
      for (HttpResponse<Buffer> refused : List.of(
        oauth(node, "/oauth/token", "grant_type=refresh_token&refresh_token=z"),
        oauth(node, "/oauth/revoke", "token=z"),
        node.api().post("/api/refresh", new JsonObject().put("refreshToken", "z")))) {
        JSendAssert.fail(refused, 429, "rate_limited");
        assertThat(Long.parseLong(refused.getHeader("Retry-After"))).isBetween(1L, 60L);
      }
    }
  }

  private static HttpResponse<Buffer> oauth(TestNode node, String path, String form) {
    return node.client().post(path).putHeader("Content-Type", "application/x-www-form-urlencoded")
      .sendBuffer(Buffer.buffer(form)).await();
  }

  @Test
  void hashesBeyondTheQueueAreRefusedWith503() {
    try (TestNode node = TestNode.start(Map.of("HASH_THREADS", 1, "HASH_QUEUE", 0))) {
      List<Future<HttpResponse<Buffer>>> logins = IntStream.range(0, 8)
        .mapToObj(i -> node.client().post("/api/login").sendJsonObject(credentials("flood-" + i, "whatever-password")))
        .toList();
      Future.join(logins).await();

      List<HttpResponse<Buffer>> responses = logins.stream().map(Future::result).toList();
      assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isIn(401, 503));
      HttpResponse<Buffer> refused = responses.stream().filter(r -> r.statusCode() == 503).findFirst().orElseThrow();
      JSendAssert.error(refused, 503);
      assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
    }
  }
}
