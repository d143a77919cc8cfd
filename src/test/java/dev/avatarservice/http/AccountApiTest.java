package dev.avatarservice.http;

import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Registration, login and the current user, through the real server. */
class AccountApiTest {

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

  @Test
  void registrationAnswersATokenResponse() {
    HttpResponse<Buffer> response = api.post("/api/register",
      new JsonObject().put("identifier", "  Alice@Example.com ").put("password", ApiClient.PASSWORD));

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
    JsonObject data = JSendAssert.success(response);
    assertThat(data.getString("tokenType")).isEqualTo("Bearer");
    assertThat(data.getInteger("expiresIn")).isEqualTo(900);
    assertThat(data.getInteger("refreshExpiresIn")).isEqualTo(2_592_000);
    assertThat(data.getString("token")).isEqualTo(data.getString("accessToken"));
    assertThat(data.getString("identifier")).isEqualTo("Alice@Example.com");
    assertThat(data.getString("refreshToken")).hasSizeGreaterThanOrEqualTo(43);
    JsonObject user = data.getJsonObject("user");
    assertThat(user.fieldNames()).containsExactlyInAnyOrder("id", "identifier", "avatarUrl", "registeredAt");
    assertThat(user.getString("id")).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(user.getString("identifier")).isEqualTo("Alice@Example.com");
    assertThat(user.getValue("avatarUrl")).isNull();
    assertThat(user.getString("registeredAt")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
  }

  @Test
  void theFastApiAliasRegistersToo() {
    HttpResponse<Buffer> response = api.post("/register",
      new JsonObject().put("identifier", "+371 2000 0000".replace(" ", "")).put("password", ApiClient.PASSWORD));
    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(JSendAssert.success(response).getString("identifier")).isEqualTo("+37120000000");
  }

  @Test
  void identifiersAreUniqueCaseInsensitively() {
    api.register("Carol@Example.com");
    HttpResponse<Buffer> response = api.post("/api/register",
      new JsonObject().put("identifier", "carol@EXAMPLE.com").put("password", ApiClient.PASSWORD));
    JSendAssert.fail(response, 409, "identifier_taken");
  }

  @Test
  void concurrentRegistrationsOfOneIdentifierCreateOneAccount() {
    List<Future<HttpResponse<Buffer>>> attempts = IntStream.range(0, 10)
      .mapToObj(i -> node.client().post("/api/register").sendJsonObject(new JsonObject()
        .put("identifier", i % 2 == 0 ? "race@example.com" : "RACE@example.com").put("password", ApiClient.PASSWORD)))
      .toList();
    Future.join(attempts).await();

    List<Integer> statuses = attempts.stream().map(f -> f.result().statusCode()).toList();
    assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
    assertThat(statuses).filteredOn(s -> s == 409).hasSize(9);
  }

  @Test
  void eitherSpellingLogsInAndTheRegisteredSpellingIsShown() {
    JsonObject registered = api.register("Dave@Example.com");
    JsonObject loggedIn = api.login("dave@example.COM", ApiClient.PASSWORD);

    assertThat(loggedIn.getJsonObject("user").getString("id")).isEqualTo(registered.getJsonObject("user").getString("id"));
    assertThat(loggedIn.getString("identifier")).isEqualTo("Dave@Example.com");
    assertThat(loggedIn.getString("refreshToken")).isNotEqualTo(registered.getString("refreshToken"));
  }

  @Test
  void theLoginAliasWorks() {
    api.register("erin");
    HttpResponse<Buffer> response = api.post("/login",
      new JsonObject().put("identifier", "ERIN").put("password", ApiClient.PASSWORD));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSendAssert.success(response).getString("accessToken")).isNotBlank();
  }

  @Test
  void aWrongPasswordAndAnUnknownIdentifierGetTheSameAnswer() {
    api.register("frank");
    HttpResponse<Buffer> wrong = api.post("/api/login",
      new JsonObject().put("identifier", "frank").put("password", "not-the-password"));
    HttpResponse<Buffer> unknown = api.post("/api/login",
      new JsonObject().put("identifier", "nobody-here").put("password", "not-the-password"));

    JSendAssert.fail(wrong, 401, "invalid_credentials");
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(unknown.bodyAsString()).isEqualTo(wrong.bodyAsString());
    // not a bearer token that failed: the challenge without an error code (RFC 6750, 3.1)
    assertThat(wrong.getHeader("WWW-Authenticate")).isEqualTo("Bearer realm=\"avatar-service\"");
    assertThat(unknown.getHeader("WWW-Authenticate")).isEqualTo(wrong.getHeader("WWW-Authenticate"));
  }

  @Test
  void theCurrentUserIsShownWithABearerToken() {
    JsonObject registered = api.register("grace@example.com");
    String token = registered.getString("accessToken");

    for (String path : List.of("/api/user", "/user")) {
      HttpResponse<Buffer> response = api.get(path, token);
      assertThat(JSendAssert.success(response)).isEqualTo(registered.getJsonObject("user"));
    }
  }

  @Test
  void theCurrentUserNeedsAValidBearerToken() {
    HttpResponse<Buffer> none = node.client().get("/api/user").send().await();
    JSendAssert.fail(none, 401, "unauthorized");
    // no token sent: the challenge without an error code (RFC 6750, 3.1); a refused token: invalid_token
    assertThat(none.getHeader("WWW-Authenticate")).isEqualTo("Bearer realm=\"avatar-service\"");

    HttpResponse<Buffer> refused = api.get("/api/user", "not.a.token");
    JSendAssert.fail(refused, 401, "unauthorized");
    assertThat(refused.getHeader("WWW-Authenticate"))
      .isEqualTo("Bearer realm=\"avatar-service\", error=\"invalid_token\"");
    HttpResponse<Buffer> basic = node.client().get("/api/user").putHeader("Authorization", "Basic Zm9vOmJhcg==").send().await();
    JSendAssert.fail(basic, 401, "unauthorized");
    assertThat(basic.getHeader("WWW-Authenticate")).isEqualTo("Bearer realm=\"avatar-service\"");
  }

  @Test
  void aTokenInTheUrlIsIgnored() {
    String token = api.register("heidi").getString("accessToken");
    HttpResponse<Buffer> response = node.client().get("/api/user?access_token=" + token).send().await();
    JSendAssert.fail(response, 401, "unauthorized");
  }

  @Test
  void missingFieldsAreReportedByField() {
    HttpResponse<Buffer> response = api.post("/api/register", new JsonObject().put("identifier", "bob"));
    assertThat(JSendAssert.failFields(response, "password").getString("password")).isEqualTo("is required");
  }

  @Test
  void wrongTypesAreReportedByField() {
    HttpResponse<Buffer> response = api.post("/api/register", new JsonObject().put("identifier", 5).put("password", "x"));
    assertThat(JSendAssert.failFields(response, "identifier").getString("identifier")).isEqualTo("must be a string");
  }

  @Test
  void everyBrokenRuleIsReportedAtOnce() {
    HttpResponse<Buffer> response = api.post("/api/register",
      new JsonObject().put("identifier", "has space").put("password", "password123"));
    JsonObject data = JSendAssert.failFields(response, "identifier", "password");
    assertThat(data.getString("password")).contains("too common");
    assertThat(response.bodyAsString()).doesNotContain("has space").doesNotContain("password123");
  }

  @Test
  void passwordsOutsideTheLengthLimitsAreRefused() {
    JSendAssert.failFields(api.post("/api/register",
      new JsonObject().put("identifier", "ivan").put("password", "Ab1!xyz")), "password");
    JSendAssert.failFields(api.post("/api/register",
      new JsonObject().put("identifier", "ivan").put("password", "k".repeat(1025))), "password");
    // 1024 characters: a passphrase, then filler (its first characters are what the strength estimate reads)
    String longest = "purple monkey dishwasher ";
    longest += "k".repeat(1024 - longest.length());
    assertThat(api.post("/api/register",
      new JsonObject().put("identifier", "ivan").put("password", longest)).statusCode()).isEqualTo(201);
  }

  @Test
  void passwordsEstimatedEasyToGuessAreRefusedWithTheReason() {
    // none is on the common-password list; each is guessed in fewer than 10^6 attempts
    Map<String, String> weak = Map.of(
      " ".repeat(8), "Repeats like",
      "zzzzzzzzzzzz", "Repeats like",
      "ponmlkjihgfe", "Sequences like",
      "asdfghjklqwerty", "common password");
    weak.forEach((password, reason) -> {
      HttpResponse<Buffer> response = api.post("/api/register",
        new JsonObject().put("identifier", "weak-" + password.hashCode()).put("password", password));
      String message = JSendAssert.failFields(response, "password").getString("password");
      assertThat(message).as("%s", password).startsWith("is too easy to guess").contains(reason);
    });
    // a passphrase of three ordinary words passes; no composition rules
    for (String passphrase : List.of("purple monkey dishwasher", "sunny rainy day", "house cat tree")) {
      assertThat(api.post("/api/register", new JsonObject().put("identifier", "phrase-" + passphrase.hashCode())
        .put("password", passphrase)).statusCode()).as(passphrase).isEqualTo(201);
    }
  }

  @Test
  void identifiersOutsideTheRulesAreRefused() {
    for (String identifier : List.of("ab", "x".repeat(255), "tab\there", "zero\u200Bwidth", "line\nbreak")) {
      HttpResponse<Buffer> response = api.post("/api/register",
        new JsonObject().put("identifier", identifier).put("password", ApiClient.PASSWORD));
      JSendAssert.failFields(response, "identifier");
    }
  }
}
