package dev.avatarservice.http;

import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Refresh-token rotation, reuse detection, logout and the OAuth endpoints, through the real server. */
class TokenApiTest {

  private static TestNode node;
  private static ApiClient api;

  @BeforeAll
  static void start() {
    node = TestNode.start();
    api = node.api();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static HttpResponse<Buffer> refresh(String refreshToken) {
    return api.post("/api/refresh", new JsonObject().put("refreshToken", refreshToken));
  }

  @Test
  void aRefreshRotatesThePair() {
    JsonObject first = api.register("rotor@example.com");
    HttpResponse<Buffer> response = refresh(first.getString("refreshToken"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
    JsonObject second = JSendAssert.success(response);
    assertThat(second.getString("refreshToken")).isNotEqualTo(first.getString("refreshToken"));
    assertThat(second.getJsonObject("user")).isEqualTo(first.getJsonObject("user"));
    assertThat(JSendAssert.success(api.get("/api/user", second.getString("accessToken"))).getString("identifier"))
      .isEqualTo("rotor@example.com");
    assertThat(JSendAssert.success(refresh(second.getString("refreshToken"))).getString("refreshToken")).isNotBlank();
  }

  @Test
  void reusingARotatedTokenRevokesTheWholeLogin() {
    JsonObject first = api.register("reuse@example.com");
    JsonObject second = JSendAssert.success(refresh(first.getString("refreshToken")));

    JSendAssert.fail(refresh(first.getString("refreshToken")), 401, "invalid_token");
    // the descendant issued before the reuse is dead too
    JSendAssert.fail(refresh(second.getString("refreshToken")), 401, "invalid_token");
  }

  @Test
  void reuseRevokesOnlyThatLogin() {
    JsonObject registered = api.register("two-logins@example.com");
    JsonObject otherLogin = api.login("two-logins@example.com", ApiClient.PASSWORD);
    refresh(registered.getString("refreshToken"));
    refresh(registered.getString("refreshToken"));

    assertThat(refresh(otherLogin.getString("refreshToken")).statusCode()).isEqualTo(200);
  }

  @Test
  void concurrentRefreshesWithOneTokenYieldAtMostOnePair() {
    String token = api.register("concurrent@example.com").getString("refreshToken");
    List<Future<HttpResponse<Buffer>>> attempts = IntStream.range(0, 10)
      .mapToObj(i -> node.client().post("/api/refresh").sendJsonObject(new JsonObject().put("refreshToken", token)))
      .toList();
    Future.join(attempts).await();

    List<Integer> statuses = attempts.stream().map(f -> f.result().statusCode()).toList();
    assertThat(statuses).filteredOn(s -> s == 200).hasSizeLessThanOrEqualTo(1);
    assertThat(statuses).filteredOn(s -> s != 200).allMatch(s -> s == 401);
  }

  @Test
  void unknownAndMalformedRefreshTokensAreRefused() {
    JSendAssert.fail(refresh("no-such-token"), 401, "invalid_token");
    JSendAssert.fail(refresh(""), 401, "invalid_token");
    JSendAssert.failFields(api.post("/api/refresh", new JsonObject()), "refreshToken");
  }

  @Test
  void logoutRevokesThatLoginsRefreshTokens() {
    JsonObject registered = api.register("leaver@example.com");
    HttpResponse<Buffer> response = node.client().post("/api/logout")
      .bearerTokenAuthentication(registered.getString("accessToken"))
      .sendJsonObject(new JsonObject().put("refreshToken", registered.getString("refreshToken"))).await();

    assertThat(JSendAssert.success(response)).isNull();
    JSendAssert.fail(refresh(registered.getString("refreshToken")), 401, "invalid_token");
  }

  @Test
  void logoutNeedsABearerTokenAndCannotRevokeSomeoneElsesLogin() {
    JsonObject victim = api.register("victim@example.com");
    JsonObject attacker = api.register("attacker@example.com");

    HttpResponse<Buffer> anonymous = node.client().post("/api/logout")
      .sendJsonObject(new JsonObject().put("refreshToken", victim.getString("refreshToken"))).await();
    JSendAssert.fail(anonymous, 401, "unauthorized");

    HttpResponse<Buffer> foreign = node.client().post("/api/logout")
      .bearerTokenAuthentication(attacker.getString("accessToken"))
      .sendJsonObject(new JsonObject().put("refreshToken", victim.getString("refreshToken"))).await();
    assertThat(foreign.statusCode()).isEqualTo(200);
    assertThat(refresh(victim.getString("refreshToken")).statusCode()).isEqualTo(200);
  }

  @Test
  void theOAuthRefreshGrantAnswersInRfcForm() {
    JsonObject registered = api.register("oauth@example.com");
    HttpResponse<Buffer> response = node.client().post("/oauth/token").sendForm(MultiMap.caseInsensitiveMultiMap()
      .add("grant_type", "refresh_token").add("refresh_token", registered.getString("refreshToken"))).await();

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("access_token", "token_type", "expires_in", "refresh_token");
    assertThat(body.getString("token_type")).isEqualTo("Bearer");
    assertThat(body.getInteger("expires_in")).isEqualTo(900);
    assertThat(api.get("/api/user", body.getString("access_token")).statusCode()).isEqualTo(200);

    HttpResponse<Buffer> replay = node.client().post("/oauth/token").sendForm(MultiMap.caseInsensitiveMultiMap()
      .add("grant_type", "refresh_token").add("refresh_token", registered.getString("refreshToken"))).await();
    assertThat(replay.statusCode()).isEqualTo(400);
    assertThat(replay.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void thePasswordGrantIsNotOffered() {
    HttpResponse<Buffer> response = node.client().post("/oauth/token").sendForm(MultiMap.caseInsensitiveMultiMap()
      .add("grant_type", "password").add("username", "x").add("password", "y")).await();
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("unsupported_grant_type");

    HttpResponse<Buffer> missing = node.client().post("/oauth/token").sendForm(MultiMap.caseInsensitiveMultiMap()).await();
    assertThat(missing.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
  }

  @Test
  void revocationEndsTheLoginAndAcceptsUnknownTokens() {
    JsonObject registered = api.register("revoked@example.com");
    HttpResponse<Buffer> response = node.client().post("/oauth/revoke")
      .sendForm(MultiMap.caseInsensitiveMultiMap().add("token", registered.getString("refreshToken"))).await();
    assertThat(response.statusCode()).isEqualTo(200);
    JSendAssert.fail(refresh(registered.getString("refreshToken")), 401, "invalid_token");

    HttpResponse<Buffer> unknown = node.client().post("/oauth/revoke")
      .sendForm(MultiMap.caseInsensitiveMultiMap().add("token", "whatever")).await();
    assertThat(unknown.statusCode()).isEqualTo(200);
    HttpResponse<Buffer> missing = node.client().post("/oauth/revoke").sendForm(MultiMap.caseInsensitiveMultiMap()).await();
    assertThat(missing.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
  }
}
