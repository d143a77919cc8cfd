package dev.avatarservice.http;

import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** JSend on the failures no route writes itself, operations routes, and the documents. */
class EnvelopeApiTest {

  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static HttpResponse<Buffer> send(HttpMethod method, String path, String contentType, Buffer body) {
    var request = node.client().request(method, path);
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    return (body == null ? request.send() : request.sendBuffer(body)).await();
  }

  @Test
  void unknownPathsAre404() {
    JSendAssert.fail(send(HttpMethod.GET, "/no/such/thing", null, null), 404, "not_found");
  }

  @Test
  void wrongMethodsAre405() {
    JSendAssert.fail(send(HttpMethod.DELETE, "/health", null, null), 405, "method_not_allowed");
    JSendAssert.fail(send(HttpMethod.GET, "/api/register", null, null), 405, "method_not_allowed");
  }

  @Test
  void tooLargeJsonBodiesAre413() {
    Buffer big = new JsonObject().put("identifier", "x".repeat(20_000)).put("password", "y").toBuffer();
    JSendAssert.fail(send(HttpMethod.POST, "/api/register", "application/json", big), 413, "payload_too_large");
  }

  @Test
  void otherContentTypesAre415() {
    JSendAssert.fail(send(HttpMethod.POST, "/api/login", "text/plain", Buffer.buffer("identifier=a")),
      415, "unsupported_media_type");
    JSendAssert.fail(send(HttpMethod.POST, "/api/login", "application/x-www-form-urlencoded",
      Buffer.buffer("identifier=a&password=b")), 415, "unsupported_media_type");
  }

  @Test
  void malformedJsonIs400() {
    JSendAssert.fail(send(HttpMethod.POST, "/api/login", "application/json", Buffer.buffer("{\"identifier\":")),
      400, "bad_request");
    JSendAssert.fail(send(HttpMethod.POST, "/api/login", "application/json", Buffer.buffer("[1,2]")),
      400, "bad_request");
  }

  @Test
  void everyResponseSaysNoSniff() {
    assertThat(send(HttpMethod.GET, "/health", null, null).getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(send(HttpMethod.GET, "/nope", null, null).getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
  }

  @Test
  void aRequestIdIsEchoedOrMade() {
    HttpResponse<Buffer> given = node.client().get("/health").putHeader("X-Request-Id", "abc-123").send().await();
    assertThat(given.getHeader("X-Request-Id")).isEqualTo("abc-123");
    HttpResponse<Buffer> forged = node.client().get("/health").putHeader("X-Request-Id", "bad id; drop=1").send().await();
    assertThat(forged.getHeader("X-Request-Id")).matches("[0-9a-f-]{36}");
  }

  @Test
  void corsIsGrantedToTheConfiguredOriginsOnly() {
    String own = node.baseUrl();
    HttpResponse<Buffer> preflight = node.client().request(HttpMethod.OPTIONS, "/api/login")
      .putHeader("Origin", own).putHeader("Access-Control-Request-Method", "POST")
      .putHeader("Access-Control-Request-Headers", "content-type").send().await();
    assertThat(preflight.getHeader("Access-Control-Allow-Origin")).isEqualTo(own);

    HttpResponse<Buffer> foreign = node.client().get("/health").putHeader("Origin", "https://evil.example").send().await();
    JSendAssert.fail(foreign, 403, "forbidden");
    assertThat(foreign.getHeader("Access-Control-Allow-Origin")).isNull();
  }

  @Test
  void healthAndReadinessAnswer() {
    assertThat(JSendAssert.success(send(HttpMethod.GET, "/health", null, null)))
      .isEqualTo(new JsonObject().put("status", "UP"));
    JsonObject ready = JSendAssert.success(send(HttpMethod.GET, "/ready", null, null));
    assertThat(ready.getString("status")).isEqualTo("UP");
    assertThat(ready.getJsonArray("checks").getJsonObject(0).getString("id")).isEqualTo("store");
  }

  @Test
  void metricsArePrometheusText() {
    HttpResponse<Buffer> response = send(HttpMethod.GET, "/metrics", null, null);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("text/plain");
  }

  @Test
  void theDocumentsAndPagesAreServedLocallyWithAPolicy() {
    HttpResponse<Buffer> spec = send(HttpMethod.GET, "/openapi.yaml", null, null);
    assertThat(spec.statusCode()).isEqualTo(200);
    assertThat(spec.bodyAsString()).startsWith("openapi: 3");

    for (String page : new String[] {"/docs", "/docs/", "/demo", "/demo/"}) {
      HttpResponse<Buffer> response = send(HttpMethod.GET, page, null, null);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.getHeader("Content-Security-Policy")).contains("script-src 'self'");
      // every script and stylesheet the page names is served by this server
      java.util.regex.Matcher assets = java.util.regex.Pattern.compile("(?:<script[^>]* src|<link rel=\"stylesheet\" href)=\"(/[^\"]+)\"")
        .matcher(response.bodyAsString());
      int found = 0;
      while (assets.find()) {
        found++;
        assertThat(send(HttpMethod.GET, assets.group(1), null, null).statusCode()).as(assets.group(1)).isEqualTo(200);
      }
      assertThat(found).isGreaterThanOrEqualTo(2);
    }
  }
}
