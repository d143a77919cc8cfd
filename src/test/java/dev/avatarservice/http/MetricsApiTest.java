package dev.avatarservice.http;

import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** /metrics carries Vert.x's and the JVM's meters and the service's own, which move with the traffic. */
class MetricsApiTest {

  @Test
  void theServicesMetersAppearAtZeroAndCountEachOutcome() throws Exception {
    try (TestNode node = TestNode.start(Map.of("LOGIN_FAILURES_LIMIT", 2, "AVATAR_UPLOADS_PER_MINUTE", 2))) {
      String before = scrape(node);
      for (String meter : new String[] {
        "avatar_registrations_total{outcome=\"success\"}", "avatar_registrations_total{outcome=\"identifier_taken\"}",
        "avatar_logins_total{outcome=\"success\"}", "avatar_logins_total{outcome=\"invalid_credentials\"}",
        "avatar_logins_total{outcome=\"rate_limited\"}", "avatar_refreshes_total{outcome=\"invalid_token\"}",
        "avatar_uploads_total{outcome=\"unsupported_media_type\"}", "avatar_uploads_total{outcome=\"payload_too_large\"}",
        "avatar_rate_limit_refusals_total{limiter=\"auth_requests\"}",
        "avatar_rate_limit_refusals_total{limiter=\"login_failures\"}",
        "avatar_rate_limit_refusals_total{limiter=\"avatar_uploads\"}"}) {
        assertThat(value(before, meter)).as(meter).isEqualTo(0.0);
      }
      assertThat(before).contains("jvm_memory_used_bytes", "vertx_eventbus_handlers", "vertx_http_server_active_connections");

      ApiClient api = node.api();
      JsonObject alice = api.register("metrics-alice");
      api.post("/api/register", credentials("metrics-alice", ApiClient.PASSWORD));
      api.post("/api/register", credentials("metrics-bob", "password123"));
      api.login("metrics-alice", ApiClient.PASSWORD);
      api.post("/api/login", credentials("metrics-alice", "wrong password one"));
      api.post("/api/login", credentials("metrics-alice", "wrong password two"));
      assertThat(api.post("/api/login", credentials("metrics-alice", ApiClient.PASSWORD)).statusCode()).isEqualTo(429);
      api.post("/api/refresh", new JsonObject().put("refreshToken", alice.getString("refreshToken")));
      api.post("/api/refresh", new JsonObject().put("refreshToken", "not-a-token"));
      node.client().post("/oauth/token").putHeader("Content-Type", "application/x-www-form-urlencoded")
        .sendBuffer(Buffer.buffer("grant_type=refresh_token&refresh_token=not-a-token")).await();

      String token = alice.getString("accessToken");
      Vertx client = Vertx.vertx();
      try {
        WebSocket socket = client.createWebSocketClient().connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(node.port()).setURI("/ws").addHeader("Authorization", "Bearer " + token)).await();
        eventually(node, "avatar_sockets_open", 1.0);

        assertThat(upload(node, token, png()).statusCode()).isEqualTo(200);
        assertThat(upload(node, token, "not an image".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(415);
        assertThat(upload(node, token, png()).statusCode()).isEqualTo(429);
        assertThat(upload(node, "no-token", png()).statusCode()).isEqualTo(401);

        eventually(node, "avatar_events_delivered_total{type=\"avatar.changed\"}", 1.0);
        String after = scrape(node);
        assertThat(value(after, "avatar_registrations_total{outcome=\"success\"}")).isEqualTo(1.0);
        assertThat(value(after, "avatar_registrations_total{outcome=\"identifier_taken\"}")).isEqualTo(1.0);
        assertThat(value(after, "avatar_registrations_total{outcome=\"invalid_fields\"}")).isEqualTo(1.0);
        assertThat(value(after, "avatar_logins_total{outcome=\"success\"}")).isEqualTo(1.0);
        assertThat(value(after, "avatar_logins_total{outcome=\"invalid_credentials\"}")).isEqualTo(2.0);
        assertThat(value(after, "avatar_logins_total{outcome=\"rate_limited\"}")).isEqualTo(1.0);
        assertThat(value(after, "avatar_refreshes_total{outcome=\"success\"}")).isEqualTo(1.0);
        assertThat(value(after, "avatar_refreshes_total{outcome=\"invalid_token\"}")).isEqualTo(2.0);
        assertThat(value(after, "avatar_uploads_total{outcome=\"success\"}")).isEqualTo(1.0);
        assertThat(value(after, "avatar_uploads_total{outcome=\"unsupported_media_type\"}")).isEqualTo(1.0);
        assertThat(value(after, "avatar_uploads_total{outcome=\"rate_limited\"}")).isEqualTo(1.0);
        assertThat(value(after, "avatar_uploads_total{outcome=\"unauthorized\"}")).isEqualTo(1.0);
        assertThat(value(after, "avatar_rate_limit_refusals_total{limiter=\"login_failures\"}")).isEqualTo(1.0);
        assertThat(value(after, "avatar_rate_limit_refusals_total{limiter=\"avatar_uploads\"}")).isEqualTo(1.0);
        assertThat(after).containsPattern("vertx_http_server_requests_total\\{[^}]*\\} [1-9]");
        assertThat(after).containsPattern("vertx_eventbus_processed_total\\{[^}]*\\} [1-9]");

        socket.close().await();
      } finally {
        client.close().await();
      }
    }
  }

  @Test
  void burstRefusalsAreCountedByTheirLimiter() {
    try (TestNode node = TestNode.start(Map.of("AUTH_REQUESTS_PER_MINUTE", 2))) {
      for (int i = 0; i < 3; i++) {
        node.api().post("/api/refresh", new JsonObject().put("refreshToken", "x"));
      }
      String after = scrape(node);
      assertThat(value(after, "avatar_rate_limit_refusals_total{limiter=\"auth_requests\"}")).isEqualTo(1.0);
      assertThat(value(after, "avatar_refreshes_total{outcome=\"rate_limited\"}")).isEqualTo(1.0);
      assertThat(value(after, "avatar_refreshes_total{outcome=\"invalid_token\"}")).isEqualTo(2.0);
    }
  }

  /**
   * Every static answer (pages, webjars, a 304) used to leave vertx_http_server_active_requests one
   * higher for good (see DocsRoutes.RESUME_AFTER_ANSWER). On one keep-alive connection, after many
   * of them, the only active request left is the scrape itself.
   */
  @Test
  void staticAnswersDoNotStayActive() {
    try (TestNode node = TestNode.start()) {
      for (int i = 0; i < 5; i++) {
        for (String path : new String[] {"/docs/", "/demo/", "/docs", "/demo/demo.js",
          "/webjars/sockjs-client/1.6.1/dist/sockjs.min.js"}) {
          assertThat(node.client().get(path).send().await().statusCode()).as(path).isEqualTo(200);
        }
        HttpResponse<Buffer> cached = node.client().get("/webjars/sockjs-client/1.6.1/dist/sockjs.min.js")
          .putHeader("If-Modified-Since", "Sat, 01 Jan 2000 00:00:00 GMT").send().await();
        assertThat(cached.statusCode()).isIn(200, 304);
      }
      assertThat(activeRequests(scrape(node))).isEqualTo(1.0);
    }
  }

  /** The request meters say which route answered, by its pattern, and never carry a raw path. */
  @Test
  void requestMetersAreLabelledByRoutePattern() {
    try (TestNode node = TestNode.start()) {
      String token = node.api().register("metrics-route").getString("accessToken");
      node.client().get("/api/user").bearerTokenAuthentication(token).send().await();
      node.client().get("/avatars/AAAAAAAAAAAAAAAAAAAAAA.png").send().await();
      node.client().get("/no-such-page-xyz").send().await();
      String after = scrape(node);
      assertThat(after).containsPattern("vertx_http_server_requests_total\\{[^}]*route=\"/api/user\"[^}]*\\} 1");
      assertThat(after).containsPattern("vertx_http_server_requests_total\\{[^}]*code=\"404\",method=\"GET\",route=\"/avatars/:file\"");
      assertThat(after).doesNotContain("AAAAAAAAAAAAAAAAAAAAAA").doesNotContain("no-such-page-xyz");
      assertThat(after).doesNotContainPattern("vertx_http_server_[a-z_]+\\{[^}]*path=");
    }
  }

  private static double activeRequests(String text) {
    Matcher matcher = Pattern.compile("(?m)^vertx_http_server_active_requests\\{[^}]*\\} (\\S+)$").matcher(text);
    double sum = 0;
    while (matcher.find()) {
      sum += Double.parseDouble(matcher.group(1));
    }
    return sum;
  }

  /** Sockets and events are counted a moment after the client sees its answer. */
  private static void eventually(TestNode node, String sample, double expected) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (value(scrape(node), sample) != expected && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(value(scrape(node), sample)).as(sample).isEqualTo(expected);
  }

  private static HttpResponse<Buffer> upload(TestNode node, String token, byte[] bytes) {
    return node.client().post("/api/user/avatar").bearerTokenAuthentication(token)
      .putHeader("Content-Type", "image/png").sendBuffer(Buffer.buffer(bytes)).await();
  }

  private static String scrape(TestNode node) {
    HttpResponse<Buffer> response = node.client().get("/metrics").send().await();
    assertThat(response.statusCode()).isEqualTo(200);
    return response.bodyAsString();
  }

  /** The value of one sample, given as its name and labels exactly as Prometheus text shows them. */
  private static double value(String text, String sample) {
    Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text);
    assertThat(matcher.find()).as("%s in /metrics", sample).isTrue();
    return Double.parseDouble(matcher.group(1));
  }

  private static JsonObject credentials(String identifier, String password) {
    return new JsonObject().put("identifier", identifier).put("password", password);
  }

  private static byte[] png() throws IOException {
    BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
