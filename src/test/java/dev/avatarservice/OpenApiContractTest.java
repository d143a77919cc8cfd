package dev.avatarservice;

import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.OpenApiContract;
import dev.avatarservice.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps openapi.yaml true: every implemented operation is driven through a real node, in its
 * success case and in each documented failure that can be reached, and every answer is validated
 * against the document (status, documented headers, content type, JSON body). Every operationId
 * of the document must be driven here or be listed in {@link #NOT_YET_IMPLEMENTED}.
 */
class OpenApiContractTest {

  /**
   * Documented operations whose routes do not exist yet. Each must still answer 404 or 405 (see
   * {@link #everyDocumentedRouteAnswers()}); once one lands, take it out of here and add its
   * success case to {@link #successCases()} and its failures to a test below.
   */
  private static final Set<String> NOT_YET_IMPLEMENTED = Set.of();

  /** The operations that take a JSON body. */
  private static final List<String> JSON_OPERATIONS = List.of("register", "registerLegacy", "login", "loginLegacy",
    "refresh", "logout");

  private static final String JSON = "application/json";
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private static final String ADMIN_TOKEN = "contract-admin-token-contract-admin-token-01";

  private static OpenApiContract contract;
  private static TestNode node;
  /** The node's management listener, where the admin routes are (the document's server of the admin tag). */
  private static io.vertx.ext.web.client.WebClient management;

  @BeforeAll
  static void start() {
    contract = OpenApiContract.get();
    try {
      node = TestNode.start(Map.of("MANAGEMENT_PORT", TestNode.freePort(), "ADMIN_TOKEN", ADMIN_TOKEN,
        "BACKUP_DIR", java.nio.file.Files.createTempDirectory("contract-backups").toString()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    management = io.vertx.ext.web.client.WebClient.create(node.vertx(), new io.vertx.ext.web.client.WebClientOptions()
      .setDefaultHost("127.0.0.1").setDefaultPort(node.settings().management().port()));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** The success case of every implemented operation. */
  private static Map<String, Supplier<HttpResponse<Buffer>>> successCases() {
    Map<String, Supplier<HttpResponse<Buffer>>> cases = new LinkedHashMap<>();
    cases.put("register", () -> post("/api/register", credentials(unique("reg"))));
    cases.put("registerLegacy", () -> post("/register", credentials(unique("legacy"))));
    cases.put("login", () -> post("/api/login", credentials(registered().getJsonObject("user").getString("identifier"))));
    cases.put("loginLegacy", () -> post("/login", credentials(registered().getJsonObject("user").getString("identifier"))));
    cases.put("refresh", () -> post("/api/refresh", refreshBody(registered())));
    cases.put("logout", () -> {
      JsonObject tokens = registered();
      return send(HttpMethod.POST, "/api/logout", tokens.getString("accessToken"), JSON, refreshBody(tokens).toBuffer());
    });
    cases.put("getUser", () -> send(HttpMethod.GET, "/api/user", registered().getString("accessToken"), null, null));
    cases.put("getUserLegacy", () -> send(HttpMethod.GET, "/user", registered().getString("accessToken"), null, null));
    cases.put("deleteUser", () -> withAvatar((token, url) -> send(HttpMethod.DELETE, "/api/user", token, null, null)));
    cases.put("deleteUserLegacy", () -> send(HttpMethod.DELETE, "/user", registered().getString("accessToken"), null, null));
    cases.put("oauthToken", () -> form("/oauth/token", form()
      .add("grant_type", "refresh_token").add("refresh_token", registered().getString("refreshToken"))));
    cases.put("oauthRevoke", () -> form("/oauth/revoke", form()
      .add("token", registered().getString("refreshToken")).add("token_type_hint", "refresh_token")));
    cases.put("uploadAvatar", () -> upload("/api/user/avatar", registered().getString("accessToken"), png()));
    cases.put("uploadAvatarLegacy", () -> upload("/avatar", registered().getString("accessToken"), png()));
    cases.put("deleteAvatar", () -> withAvatar((token, url) -> send(HttpMethod.DELETE, "/api/user/avatar", token, null, null)));
    cases.put("deleteAvatarLegacy", () -> withAvatar((token, url) -> send(HttpMethod.DELETE, "/avatar", token, null, null)));
    cases.put("getAvatarFile", () -> withAvatar((token, url) -> get(java.net.URI.create(url).getPath() + "?size=64")));
    cases.put("headAvatarFile", () -> withAvatar((token, url) -> send(HttpMethod.HEAD, java.net.URI.create(url).getPath(),
      null, null, null)));
    cases.put("health", () -> get("/health"));
    cases.put("ready", () -> get("/ready"));
    cases.put("metrics", () -> get("/metrics"));
    cases.put("openApiDocument", () -> get("/openapi.yaml"));
    cases.put("asyncApiDocument", () -> get("/asyncapi.yaml"));
    cases.put("docs", () -> get("/docs"));
    cases.put("demo", () -> get("/demo"));
    cases.put("changePassword", () -> send(HttpMethod.PUT, "/api/user/password", registered().getString("accessToken"), JSON,
      new JsonObject().put("currentPassword", ApiClient.PASSWORD).put("newPassword", "another long and unusual passphrase").toBuffer()));
    cases.put("listSessions", () -> send(HttpMethod.GET, "/api/user/sessions", registered().getString("accessToken"), null, null));
    cases.put("endAllSessions", () -> send(HttpMethod.DELETE, "/api/user/sessions", registered().getString("accessToken"), null, null));
    cases.put("endSession", () -> {
      String token = registered().getString("accessToken");
      return send(HttpMethod.DELETE, "/api/user/sessions/" + dev.avatarservice.support.Jwts.claim(token, "sid"), token, null, null);
    });
    cases.put("jwks", () -> get("/.well-known/jwks.json"));
    cases.put("info", () -> get("/info"));
    cases.put("adminListUsers", () -> {
      registered();
      return send(HttpMethod.GET, "/admin/users?q=user&limit=2", ADMIN_TOKEN, null, null);
    });
    cases.put("adminGetUser", () -> send(HttpMethod.GET, "/admin/users/" + registeredId(), ADMIN_TOKEN, null, null));
    cases.put("adminDeleteUser", () -> send(HttpMethod.DELETE, "/admin/users/" + registeredId(), ADMIN_TOKEN, null, null));
    cases.put("adminLogoutUser", () -> send(HttpMethod.DELETE, "/admin/users/" + registeredId() + "/sessions",
      ADMIN_TOKEN, null, null));
    cases.put("adminBackup", () -> send(HttpMethod.POST, "/admin/backup", ADMIN_TOKEN, null, null));
    return cases;
  }

  @TestFactory
  Stream<DynamicTest> everyImplementedOperationSucceedsAsDocumented() {
    return successCases().entrySet().stream().map(entry -> DynamicTest.dynamicTest(entry.getKey(), () -> {
      HttpResponse<Buffer> response = entry.getValue().get();
      assertThat(response.statusCode()).as(response.bodyAsString()).isBetween(200, 299);
      contract.assertConforms(entry.getKey(), response);
    }));
  }

  @Test
  void everyOperationIdIsDrivenOrKnownNotToExistYet() {
    Set<String> driven = successCases().keySet();
    assertThat(driven).filteredOn(NOT_YET_IMPLEMENTED::contains).isEmpty();
    Set<String> accountedFor = new TreeSet<>(driven);
    accountedFor.addAll(NOT_YET_IMPLEMENTED);
    assertThat(accountedFor).as("operationIds driven by this test or listed as not yet implemented")
      .isEqualTo(new TreeSet<>(contract.operations().keySet()));
  }

  /** The oracle itself: drift in a real response (a header, a field, a type, a status) is caught. */
  @Test
  void theDocumentCatchesDrift() {
    HttpResponse<Buffer> tokens = post("/api/register", credentials(unique("drift")));
    JsonObject body = tokens.bodyAsJsonObject();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(tokens.headers());
    assertThat(contract.violations("register", 201, headers, body.toBuffer())).isEmpty();

    assertThat(contract.violations("register", 200, headers, body.toBuffer())).as("undocumented status").isNotEmpty();
    assertThat(contract.violations("register", 201, MultiMap.caseInsensitiveMultiMap().addAll(headers).remove("Cache-Control"),
      body.toBuffer())).as("required header missing").isNotEmpty();
    assertThat(contract.violations("register", 201, headers, body.copy().put("extra", 1).toBuffer()))
      .as("undocumented field").isNotEmpty();
    JsonObject user = body.getJsonObject("data").getJsonObject("user");
    assertThat(user.getValue("avatarUrl")).as("nullable avatarUrl, null today").isNull();
    JsonObject withAvatar = body.copy();
    withAvatar.getJsonObject("data").getJsonObject("user").put("avatarUrl", "https://example.com/avatars/a.png");
    assertThat(contract.violations("register", 201, headers, withAvatar.toBuffer())).isEmpty();
    withAvatar.getJsonObject("data").getJsonObject("user").put("avatarUrl", 5);
    assertThat(contract.violations("register", 201, headers, withAvatar.toBuffer())).as("wrong type").isNotEmpty();
    JsonObject withoutExpiry = body.copy();
    withoutExpiry.getJsonObject("data").remove("expiresIn");
    assertThat(contract.violations("register", 201, headers, withoutExpiry.toBuffer())).as("required field").isNotEmpty();

    HttpResponse<Buffer> refused = send(HttpMethod.GET, "/api/user", null, null, null);
    MultiMap basic = MultiMap.caseInsensitiveMultiMap().addAll(refused.headers()).set("WWW-Authenticate", "Basic");
    assertThat(contract.violations("getUser", 401, basic, refused.body())).as("challenge not Bearer").isNotEmpty();
    JsonObject unknownCode = refused.bodyAsJsonObject();
    unknownCode.getJsonObject("data").put("code", "no_such_code");
    assertThat(contract.violations("getUser", 401, refused.headers(), unknownCode.toBuffer())).as("code").isNotEmpty();
    HttpResponse<Buffer> malformed = send(HttpMethod.POST, "/api/login", null, JSON, Buffer.buffer("{"));
    assertThat(contract.violations("login", 400, malformed.headers(), malformed.body())).isEmpty();
    JsonObject notAField = malformed.bodyAsJsonObject();
    notAField.getJsonObject("data").put("code", "no_such_code");
    assertThat(contract.violations("login", 400, malformed.headers(), notAField.toBuffer())).as("400 code").isNotEmpty();
  }

  /** The reverse: every documented route exists (or, if not yet implemented, still does not). */
  @Test
  void everyDocumentedRouteAnswers() {
    for (OpenApiContract.Operation operation : contract.operations().values()) {
      String path = operation.path().replace("{file}", "AAAAAAAAAAAAAAAAAAAAAA.png")
        .replace("{id}", "00000000-0000-4000-8000-000000000000");
      int status = send(operation.method(), path, null, null, null).statusCode();
      if (NOT_YET_IMPLEMENTED.contains(operation.id())) {
        // an avatar file that does not exist answers 404 even once the route exists
        assertThat(status).as("%s %s (%s) answers %d: it exists now, so drive it and take it out of NOT_YET_IMPLEMENTED",
          operation.method(), path, operation.id(), status).isIn(404, 405);
      } else if ("getAvatarFile".equals(operation.id()) || "headAvatarFile".equals(operation.id())) {
        // a made-up file name is a documented 404; the success case above serves a real one
        assertThat(status).as("%s %s (%s)", operation.method(), path, operation.id()).isEqualTo(404);
      } else {
        // and a request without a body or a token is a client error at worst, never a crash
        assertThat(status).as("%s %s (%s)", operation.method(), path, operation.id()).isNotIn(404, 405).isLessThan(500);
      }
    }
  }

  @Test
  void invalidFieldsAndMalformedBodiesAre400() {
    String token = registered().getString("accessToken");
    for (String operationId : JSON_OPERATIONS) {
      String path = contract.operation(operationId).path();
      for (String body : List.of("{}", "{\"identifier\":5,\"password\":[],\"refreshToken\":false}", "{\"identifier\":",
        "[1,2]", "null")) {
        HttpResponse<Buffer> response = send(HttpMethod.POST, path, token, JSON, Buffer.buffer(body));
        assertThat(response.statusCode()).as("%s %s", path, body).isEqualTo(400);
        contract.assertConforms(operationId, response);
      }
      // no body and no Content-Type at all
      HttpResponse<Buffer> response = send(HttpMethod.POST, path, token, null, null);
      assertThat(response.statusCode()).as(path).isEqualTo(400);
      contract.assertConforms(operationId, response);
    }
    // the rules of identifiers and passwords, every broken one at once
    for (String path : List.of("/api/register", "/register")) {
      HttpResponse<Buffer> response = post(path, new JsonObject().put("identifier", "a b").put("password", "password123"));
      assertThat(response.bodyAsJsonObject().getJsonObject("data").fieldNames()).containsExactlyInAnyOrder("identifier", "password");
      contract.assertConforms(path.equals("/register") ? "registerLegacy" : "register", response);
    }
    for (String path : List.of("/api/login", "/login")) {
      HttpResponse<Buffer> response = post(path, new JsonObject().put("identifier", "ab").put("password", ApiClient.PASSWORD));
      assertThat(response.statusCode()).isEqualTo(400);
      contract.assertConforms(path.equals("/login") ? "loginLegacy" : "login", response);
    }
  }

  @Test
  void failedAuthenticationIs401WithABearerChallenge() {
    JsonObject tokens = registered();
    String identifier = tokens.getJsonObject("user").getString("identifier");
    List<Map.Entry<String, HttpResponse<Buffer>>> responses = List.of(
      Map.entry("login", post("/api/login", credentials(identifier).put("password", "wrong-password-1"))),
      Map.entry("login", post("/api/login", credentials("nobody-" + identifier))),
      // a password that breaks the registration rules is simply wrong
      Map.entry("loginLegacy", post("/login", credentials(identifier).put("password", "short"))),
      Map.entry("refresh", post("/api/refresh", new JsonObject().put("refreshToken", "not-a-refresh-token"))),
      Map.entry("logout", send(HttpMethod.POST, "/api/logout", null, JSON, refreshBody(tokens).toBuffer())),
      Map.entry("getUser", send(HttpMethod.GET, "/api/user", null, null, null)),
      Map.entry("getUserLegacy", send(HttpMethod.GET, "/user", "not.a.jwt", null, null)),
      Map.entry("deleteUser", send(HttpMethod.DELETE, "/api/user", null, null, null)),
      Map.entry("deleteUserLegacy", send(HttpMethod.DELETE, "/user", "not.a.jwt", null, null)),
      Map.entry("changePassword", send(HttpMethod.PUT, "/api/user/password", null, JSON,
        new JsonObject().put("currentPassword", "x").put("newPassword", "y").toBuffer())),
      Map.entry("listSessions", send(HttpMethod.GET, "/api/user/sessions", "not.a.jwt", null, null)),
      Map.entry("endAllSessions", send(HttpMethod.DELETE, "/api/user/sessions", null, null, null)),
      Map.entry("endSession", send(HttpMethod.DELETE, "/api/user/sessions/" + java.util.UUID.randomUUID(), null, null, null)),
      // a deleted account's token
      Map.entry("deleteUser", deletedTwice("/api/user")),
      Map.entry("deleteUserLegacy", deletedTwice("/user")));
    responses.forEach(entry -> {
      assertThat(entry.getValue().statusCode()).as(entry.getKey()).isEqualTo(401);
      contract.assertConforms(entry.getKey(), entry.getValue());
    });
  }

  @Test
  void avatarFailuresAreDocumented() {
    String token = registered().getString("accessToken");
    contract.assertConforms("uploadAvatar", expect(400, send(HttpMethod.POST, "/api/user/avatar", token,
      "multipart/form-data; boundary=b", Buffer.buffer("--b--\r\n"))));
    contract.assertConforms("uploadAvatar", expect(401, upload("/api/user/avatar", null, png())));
    contract.assertConforms("uploadAvatar", expect(415, upload("/api/user/avatar", token, Buffer.buffer("<svg/>"))));
    contract.assertConforms("uploadAvatar", expect(415, send(HttpMethod.POST, "/api/user/avatar", token,
      "text/plain", Buffer.buffer("hello"))));
    contract.assertConforms("uploadAvatar", expect(422, upload("/api/user/avatar", token,
      png().getBuffer(0, 40))));
    contract.assertConforms("uploadAvatar", expect(413, upload("/api/user/avatar", token,
      Buffer.buffer(new byte[(int) node.settings().avatars().maxBytes() + 1]))));
    contract.assertConforms("deleteAvatar", expect(401, send(HttpMethod.DELETE, "/api/user/avatar", "nope", null, null)));
    contract.assertConforms("getAvatarFile", expect(404, get("/avatars/AAAAAAAAAAAAAAAAAAAAAA.png")));
    withAvatar((owner, url) -> {
      String path = java.net.URI.create(url).getPath();
      contract.assertConforms("getAvatarFile", expect(400, get(path + "?size=513")));
      HttpResponse<Buffer> served = get(path);
      contract.assertConforms("getAvatarFile", expect(304, node.client().get(path)
        .putHeader("If-None-Match", served.getHeader("ETag")).send().await()));
      return served;
    });
  }

  /** The second deletion with one token: its account is gone. */
  private static HttpResponse<Buffer> deletedTwice(String path) {
    String token = registered().getString("accessToken");
    expect(200, send(HttpMethod.DELETE, path, token, null, null));
    return send(HttpMethod.DELETE, path, token, null, null);
  }

  private static HttpResponse<Buffer> expect(int status, HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    return response;
  }

  @Test
  void aTakenIdentifierIs409() {
    String identifier = registered().getJsonObject("user").getString("identifier");
    for (String path : List.of("/api/register", "/register")) {
      HttpResponse<Buffer> response = post(path, credentials(identifier.toUpperCase(Locale.ROOT)));
      assertThat(response.statusCode()).isEqualTo(409);
      contract.assertConforms(path.equals("/register") ? "registerLegacy" : "register", response);
    }
  }

  @Test
  void tooLargeBodiesAre413() {
    Buffer big = new JsonObject().put("identifier", "x".repeat(20_000)).put("password", "y").toBuffer();
    String token = registered().getString("accessToken");
    for (String operationId : JSON_OPERATIONS) {
      HttpResponse<Buffer> response = send(HttpMethod.POST, contract.operation(operationId).path(), token, JSON, big);
      assertThat(response.statusCode()).as(operationId).isEqualTo(413);
      contract.assertConforms(operationId, response);
    }
    Buffer bigForm = Buffer.buffer("grant_type=refresh_token&refresh_token=" + "x".repeat(20_000));
    for (String operationId : List.of("oauthToken", "oauthRevoke")) {
      HttpResponse<Buffer> response = send(HttpMethod.POST, contract.operation(operationId).path(), null,
        "application/x-www-form-urlencoded", bigForm);
      assertThat(response.statusCode()).as(operationId).isEqualTo(413);
      contract.assertConforms(operationId, response);
    }
  }

  @Test
  void otherContentTypesAre415() {
    String token = registered().getString("accessToken");
    for (String operationId : JSON_OPERATIONS) {
      String path = contract.operation(operationId).path();
      for (String type : List.of("text/plain", "application/x-www-form-urlencoded")) {
        HttpResponse<Buffer> response = send(HttpMethod.POST, path, token, type, Buffer.buffer("identifier=a&password=b"));
        assertThat(response.statusCode()).as("%s %s", path, type).isEqualTo(415);
        contract.assertConforms(operationId, response);
      }
      HttpResponse<Buffer> untyped = send(HttpMethod.POST, path, token, null, credentials("untyped").toBuffer());
      assertThat(untyped.statusCode()).as("%s without Content-Type", path).isEqualTo(415);
      contract.assertConforms(operationId, untyped);
    }
  }

  @Test
  void unknownPathsAndWrongMethodsAreJSendFails() {
    HttpResponse<Buffer> unknown = get("/no/such/route");
    assertThat(unknown.statusCode()).isEqualTo(404);
    contract.assertConformsToSchema("ReasonFail", unknown);
    assertThat(unknown.bodyAsJsonObject().getJsonObject("data").getString("code")).isEqualTo("not_found");

    for (OpenApiContract.Operation operation : contract.operations().values()) {
      if (NOT_YET_IMPLEMENTED.contains(operation.id())) {
        continue;
      }
      HttpMethod wrong = operation.method() == HttpMethod.GET ? HttpMethod.PUT : HttpMethod.GET;
      if (contract.operations().values().stream().anyMatch(o -> o.path().equals(operation.path()) && o.method() == wrong)) {
        continue;
      }
      // the admin routes authenticate before anything else: without the token a caller learns nothing, not even methods
      HttpResponse<Buffer> response = send(wrong, operation.path(), operation.path().startsWith("/admin") ? ADMIN_TOKEN : null,
        null, null);
      assertThat(response.statusCode()).as("%s %s", wrong, operation.path()).isEqualTo(405);
      contract.assertConformsToSchema("ReasonFail", response);
      assertThat(response.bodyAsJsonObject().getJsonObject("data").getString("code")).isEqualTo("method_not_allowed");
    }
  }

  @Test
  void oauthErrorsAreRfc6749Bodies() {
    List<Map.Entry<String, MultiMap>> tokenErrors = List.of(
      Map.entry("invalid_grant", form().add("grant_type", "refresh_token").add("refresh_token", "nope")),
      Map.entry("unsupported_grant_type", form().add("grant_type", "password").add("username", "someone")
        .add("password", ApiClient.PASSWORD)),
      Map.entry("invalid_request", form().add("grant_type", "refresh_token")),
      Map.entry("invalid_request", form().add("grant_type", "refresh_token").add("refresh_token", "one")
        .add("refresh_token", "two")));
    tokenErrors.forEach(entry -> {
      HttpResponse<Buffer> response = form("/oauth/token", entry.getValue());
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.bodyAsJsonObject().getString("error")).as(entry.getValue().toString()).isEqualTo(entry.getKey());
      contract.assertConforms("oauthToken", response);
    });
    HttpResponse<Buffer> notAForm = send(HttpMethod.POST, "/oauth/token", null, JSON, Buffer.buffer("{}"));
    assertThat(notAForm.statusCode()).isEqualTo(400);
    contract.assertConforms("oauthToken", notAForm);

    HttpResponse<Buffer> noToken = form("/oauth/revoke", form());
    assertThat(noToken.statusCode()).isEqualTo(400);
    contract.assertConforms("oauthRevoke", noToken);
    HttpResponse<Buffer> unknownToken = form("/oauth/revoke", form().add("token", "unknown"));
    assertThat(unknownToken.statusCode()).isEqualTo(200);
    contract.assertConforms("oauthRevoke", unknownToken);
  }

  @Test
  void theDocumentMetricsAndPagesAreServedAsDocumented() {
    HttpResponse<Buffer> document = get("/openapi.yaml");
    assertThat(document.bodyAsString()).as("/openapi.yaml serves the document under test").isEqualTo(contract.text());

    HttpResponse<Buffer> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.getHeader("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");

    for (String page : List.of("/docs", "/demo")) {
      assertThat(get(page).bodyAsString()).as(page).isEqualTo(get(page + "/").bodyAsString()).contains("<script");
    }
  }

  @Test
  void limitsAre429WithRetryAfter() {
    try (TestNode limited = TestNode.start(Map.of("AUTH_REQUESTS_PER_MINUTE", 4, "LOGIN_FAILURES_LIMIT", 1))) {
      ApiClient api = limited.api();
      api.register("throttled");                                                  // request 1
      assertThat(api.post("/api/login", credentials("throttled").put("password", "wrong-password-1")).statusCode())
        .isEqualTo(401);                                                          // 2: one failure locks the login
      Map<String, HttpResponse<Buffer>> responses = new LinkedHashMap<>();
      responses.put("login", api.post("/api/login", credentials("throttled")));   // 3: locked
      responses.put("loginLegacy", api.post("/login", credentials("throttled"))); // 4: locked
      responses.put("register", api.post("/api/register", credentials("burst-1"))); // 5 and on: over the burst limit
      responses.put("registerLegacy", api.post("/register", credentials("burst-2")));
      responses.put("refresh", api.post("/api/refresh", new JsonObject().put("refreshToken", "x")));
      responses.forEach((operationId, response) -> {
        assertThat(response.statusCode()).as(operationId).isEqualTo(429);
        contract.assertConforms(operationId, response);
      });
    }
  }

  @Test
  void aFullHashingQueueIs503WithRetryAfter() {
    try (TestNode small = TestNode.start(Map.of("HASH_THREADS", 1, "HASH_QUEUE", 0))) {
      for (String operationId : List.of("login", "registerLegacy")) {
        String path = contract.operation(operationId).path();
        List<Future<HttpResponse<Buffer>>> attempts = IntStream.range(0, 8)
          .mapToObj(i -> small.client().post(path).sendJsonObject(credentials(unique("flood"))))
          .toList();
        Future.join(attempts).await();
        List<HttpResponse<Buffer>> refused = attempts.stream().map(Future::result).filter(r -> r.statusCode() == 503).toList();
        assertThat(refused).as(operationId).isNotEmpty();
        refused.forEach(response -> contract.assertConforms(operationId, response));
      }
    }
  }

  @Test
  void anUnreachableStoreIs503WithRetryAfter() {
    try (TestNode storeless = TestNode.start(Map.of("ROLES", "http"))) {
      Map<String, HttpResponse<Buffer>> responses = new LinkedHashMap<>();
      responses.put("ready", storeless.client().get("/ready").send().await());
      responses.put("refresh", storeless.api().post("/api/refresh", new JsonObject().put("refreshToken", "x")));
      responses.put("register", storeless.api().post("/api/register", credentials("storeless")));
      responses.put("login", storeless.api().post("/api/login", credentials("storeless")));
      String token = new dev.avatarservice.account.AccessTokens(storeless.vertx(), storeless.settings().tokens().withKeys(
        dev.avatarservice.account.SigningKeys.of(TestNode.JWT_SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8),
          java.util.List.of())), java.time.Clock.systemUTC())
        .issue(java.util.UUID.randomUUID().toString(), java.util.UUID.randomUUID().toString());
      responses.put("deleteUser", storeless.client().delete("/api/user").bearerTokenAuthentication(token).send().await());
      responses.forEach((operationId, response) -> {
        assertThat(response.statusCode()).as(operationId).isEqualTo(503);
        contract.assertConforms(operationId, response);
      });
    }
  }

  // --- requests

  private static String unique(String prefix) {
    return prefix + "-" + SEQUENCE.incrementAndGet() + "@example.com";
  }

  private static JsonObject credentials(String identifier) {
    return new JsonObject().put("identifier", identifier).put("password", ApiClient.PASSWORD);
  }

  private static JsonObject refreshBody(JsonObject tokens) {
    return new JsonObject().put("refreshToken", tokens.getString("refreshToken"));
  }

  /** A new account's token response {@code data}. */
  /** A small PNG, made here. */
  private static Buffer png() {
    java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(40, 30, java.awt.image.BufferedImage.TYPE_INT_RGB);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      javax.imageio.ImageIO.write(image, "png", out);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return Buffer.buffer(out.toByteArray());
  }

  private static HttpResponse<Buffer> upload(String path, String token, Buffer body) {
    return send(HttpMethod.POST, path, token, "image/png", body);
  }

  /** Runs a request for a new user who has an avatar: (access token, avatar URL). */
  private static HttpResponse<Buffer> withAvatar(
    java.util.function.BiFunction<String, String, HttpResponse<Buffer>> request) {
    String token = registered().getString("accessToken");
    HttpResponse<Buffer> uploaded = upload("/api/user/avatar", token, png());
    assertThat(uploaded.statusCode()).as(uploaded.bodyAsString()).isEqualTo(200);
    return request.apply(token, uploaded.bodyAsJsonObject().getJsonObject("data").getString("avatarUrl"));
  }

  private static JsonObject registered() {
    return node.api().register(unique("user"));
  }

  private static HttpResponse<Buffer> get(String path) {
    return send(HttpMethod.GET, path, null, null, null);
  }

  private static HttpResponse<Buffer> post(String path, JsonObject body) {
    return send(HttpMethod.POST, path, null, JSON, body.toBuffer());
  }

  private static MultiMap form() {
    return MultiMap.caseInsensitiveMultiMap();
  }

  private static HttpResponse<Buffer> form(String path, MultiMap form) {
    return node.client().post(path).sendForm(form).await();
  }

  /** The admin API's failures, each as documented. */
  @Test
  void adminFailuresAreDocumented() {
    contract.assertConforms("adminListUsers", expect(401, send(HttpMethod.GET, "/admin/users", null, null, null)));
    contract.assertConforms("adminListUsers", expect(401, send(HttpMethod.GET, "/admin/users", "wrong", null, null)));
    contract.assertConforms("adminListUsers", expect(400, send(HttpMethod.GET, "/admin/users?limit=500&after=%2B",
      ADMIN_TOKEN, null, null)));
    String unknown = "/admin/users/00000000-0000-4000-8000-000000000000";
    contract.assertConforms("adminGetUser", expect(404, send(HttpMethod.GET, unknown, ADMIN_TOKEN, null, null)));
    contract.assertConforms("adminDeleteUser", expect(404, send(HttpMethod.DELETE, unknown, ADMIN_TOKEN, null, null)));
    contract.assertConforms("adminLogoutUser", expect(404, send(HttpMethod.DELETE, unknown + "/sessions", ADMIN_TOKEN,
      null, null)));
    contract.assertConforms("adminBackup", expect(401, send(HttpMethod.POST, "/admin/backup", null, null, null)));
    // and never on the public port
    assertThat(node.client().get("/admin/users").bearerTokenAuthentication(ADMIN_TOKEN).send().await().statusCode())
      .isEqualTo(404);
  }

  /** A new account's id. */
  private static String registeredId() {
    return registered().getJsonObject("user").getString("id");
  }

  private static HttpResponse<Buffer> send(HttpMethod method, String path, String bearer, String contentType, Buffer body) {
    // the admin routes are on the management listener, as the document's server for them says
    HttpRequest<Buffer> request = (path.startsWith("/admin") ? management : node.client()).request(method, path);
    if (bearer != null) {
      request.bearerTokenAuthentication(bearer);
    }
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    return (body == null ? request.send() : request.sendBuffer(body)).await();
  }
}
