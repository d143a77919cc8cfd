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

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The headers that keep browsers and caches from misusing the API's answers, and CORS from the
 * configured allow-list only, preflights of the avatar and deletion routes included.
 */
class SecurityHeadersApiTest {

  private static final String APP = "https://app.example.com";
  private static TestNode node;
  private static JsonObject alice;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("CORS_ORIGINS", APP + ",http://localhost:3000"));
    alice = node.api().register("headers-alice");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void everyJsonAnswerIsNeitherCachedNorFramedNorSniffed() {
    String token = alice.getString("accessToken");
    List<HttpResponse<Buffer>> answers = List.of(
      node.client().get("/api/user").bearerTokenAuthentication(token).send().await(),
      node.client().get("/user").bearerTokenAuthentication(token).send().await(),
      node.client().get("/api/user").send().await(),
      node.client().post("/api/login").sendJsonObject(new JsonObject().put("identifier", "headers-alice")
        .put("password", "correct-horse-battery-staple-42")).await(),
      node.client().delete("/api/user/avatar").bearerTokenAuthentication(token).send().await(),
      node.client().get("/no/such/thing").send().await(),
      node.client().get("/health").send().await());
    for (HttpResponse<Buffer> answer : answers) {
      JSendAssert.json(answer);
      assertThat(answer.getHeader("Cache-Control")).as("Cache-Control of %d", answer.statusCode()).isEqualTo("no-store");
      assertThat(answer.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(answer.getHeader("Referrer-Policy")).isEqualTo("no-referrer");
      assertThat(answer.getHeader("Content-Security-Policy")).isEqualTo("default-src 'none'; frame-ancestors 'none'");
    }
  }

  @Test
  void pagesAndFilesKeepTheirOwnPolicies() {
    HttpResponse<Buffer> docs = node.client().get("/docs/").send().await();
    assertThat(docs.statusCode()).isEqualTo(200);
    assertThat(docs.getHeader("Content-Security-Policy")).contains("default-src 'self'").contains("frame-ancestors 'none'");
    assertThat(docs.getHeader("Referrer-Policy")).isEqualTo("no-referrer");
    HttpResponse<Buffer> demo = node.client().get("/demo/").send().await();
    assertThat(demo.getHeader("Content-Security-Policy")).contains("script-src 'self'").contains("object-src 'none'");
  }

  @Test
  void preflightsOfTheAvatarAndDeletionRoutesAreGrantedToAllowedOriginsOnly() {
    for (String[] route : new String[][] {{"/api/user/avatar", "POST"}, {"/api/user/avatar", "DELETE"},
      {"/api/user", "DELETE"}, {"/avatar", "POST"}, {"/user", "DELETE"}}) {
      HttpResponse<Buffer> granted = preflight(route[0], route[1], APP);
      assertThat(granted.statusCode()).as("%s %s", route[1], route[0]).isBetween(200, 204);
      assertThat(granted.getHeader("Access-Control-Allow-Origin")).isEqualTo(APP);
      assertThat(granted.getHeader("Access-Control-Allow-Methods")).contains(route[1]);
      assertThat(granted.getHeader("Access-Control-Allow-Headers").toLowerCase()).contains("authorization");
      assertThat(granted.getHeader("Access-Control-Allow-Credentials")).isNull();

      HttpResponse<Buffer> refused = preflight(route[0], route[1], "https://evil.example");
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.getHeader("Access-Control-Allow-Origin")).isNull();
    }
    // not on the list: the service's own origin is allowed only by default, when CORS_ORIGINS is empty
    assertThat(preflight("/api/user/avatar", "POST", "http://localhost:3001").getHeader("Access-Control-Allow-Origin"))
      .isNull();
  }

  @Test
  void anAllowedOriginGetsItsActualResponseWithTheExposedHeaders() {
    HttpResponse<Buffer> answer = node.client().delete("/api/user/avatar").putHeader("Origin", APP)
      .bearerTokenAuthentication(alice.getString("accessToken")).send().await();
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.getHeader("Access-Control-Allow-Origin")).isEqualTo(APP);
    assertThat(answer.getHeader("Access-Control-Expose-Headers")).contains("Retry-After");
    assertThat(answer.getHeader("Vary")).containsIgnoringCase("origin");
  }

  private static HttpResponse<Buffer> preflight(String path, String method, String origin) {
    return node.client().request(HttpMethod.OPTIONS, path).putHeader("Origin", origin)
      .putHeader("Access-Control-Request-Method", method)
      .putHeader("Access-Control-Request-Headers", "authorization,content-type").send().await();
  }
}
