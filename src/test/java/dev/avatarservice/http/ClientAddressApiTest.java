package dev.avatarservice.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client address behind reverse proxies (TRUSTED_PROXIES): the test client, on 127.0.0.1, plays
 * the proxy and sends the X-Forwarded-For / Forwarded headers a proxy would.
 */
class ClientAddressApiTest {

  private static final String VICTIM = "victim@example.com";

  private static HttpResponse<Buffer> login(TestNode node, String password, String header, String value) {
    return node.client().post("/api/login").putHeader(header, value)
      .sendJsonObject(new JsonObject().put("identifier", VICTIM).put("password", password)).await();
  }

  @Test
  void behindATrustedProxyOneClientsFailuresDoNotLockOutAnother() {
    try (TestNode node = TestNode.start(Map.of("TRUSTED_PROXIES", "127.0.0.1", "LOGIN_FAILURES_LIMIT", 2))) {
      node.api().register(VICTIM);
      for (int i = 0; i < 2; i++) {
        JSendAssert.fail(login(node, "wrong-" + i, "X-Forwarded-For", "203.0.113.9"), 401, "invalid_credentials");
      }
      JSendAssert.fail(login(node, ApiClient.PASSWORD, "X-Forwarded-For", "203.0.113.9"), 429, "rate_limited");

      // the victim, behind the same proxy, logs in
      assertThat(login(node, ApiClient.PASSWORD, "X-Forwarded-For", "198.51.100.7").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void theAddressIsTheRightMostOneNotTrustedSoTheClientCannotChooseIt() {
    try (TestNode node = TestNode.start(Map.of("TRUSTED_PROXIES", "127.0.0.0/8, 10.0.0.0/8", "LOGIN_FAILURES_LIMIT", 2))) {
      node.api().register(VICTIM);
      // the client sends any X-Forwarded-For it likes; its proxies append 203.0.113.9, then 10.1.2.3
      JSendAssert.fail(login(node, "wrong-1", "X-Forwarded-For", "198.51.100.1, 203.0.113.9, 10.1.2.3"),
        401, "invalid_credentials");
      JSendAssert.fail(login(node, "wrong-2", "X-Forwarded-For", "198.51.100.2, 203.0.113.9, 10.1.2.3"),
        401, "invalid_credentials");
      JSendAssert.fail(login(node, ApiClient.PASSWORD, "X-Forwarded-For", "198.51.100.3,203.0.113.9,10.1.2.3"),
        429, "rate_limited");
      // Forwarded (RFC 7239) when there is no X-Forwarded-For, read the same way
      JSendAssert.fail(login(node, ApiClient.PASSWORD, "Forwarded",
        "for=198.51.100.4, for=\"203.0.113.9:4711\";proto=https, for=10.1.2.3"), 429, "rate_limited");
      assertThat(login(node, ApiClient.PASSWORD, "Forwarded", "for=\"[2001:db8::17]:4711\"").statusCode())
        .isEqualTo(200);
    }
  }

  @Test
  void withoutTrustedProxiesTheHeadersAreIgnored() {
    try (TestNode node = TestNode.start(Map.of("LOGIN_FAILURES_LIMIT", 2))) {
      node.api().register(VICTIM);
      JSendAssert.fail(login(node, "wrong-1", "X-Forwarded-For", "198.51.100.1"), 401, "invalid_credentials");
      JSendAssert.fail(login(node, "wrong-2", "X-Forwarded-For", "198.51.100.2"), 401, "invalid_credentials");
      JSendAssert.fail(login(node, ApiClient.PASSWORD, "Forwarded", "for=198.51.100.3"), 429, "rate_limited");
    }
  }

  @Test
  void theBurstLimitCountsTheForwardedClient() {
    try (TestNode node = TestNode.start(Map.of("TRUSTED_PROXIES", "127.0.0.1", "AUTH_REQUESTS_PER_MINUTE", 2))) {
      for (int i = 0; i < 2; i++) {
        assertThat(refresh(node, "203.0.113.9").statusCode()).isEqualTo(401);
      }
      JSendAssert.fail(refresh(node, "203.0.113.9"), 429, "rate_limited");
      assertThat(refresh(node, "198.51.100.7").statusCode()).isEqualTo(401);
    }
  }

  @Test
  void theAccessLogShowsTheAddressUsedAndTheProxy() {
    Logger access = (Logger) LoggerFactory.getLogger("access");
    Level level = access.getLevel();
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    access.setLevel(Level.INFO);
    access.addAppender(captured);
    try (TestNode node = TestNode.start(Map.of("TRUSTED_PROXIES", "127.0.0.1"))) {
      node.client().get("/health").putHeader("X-Forwarded-For", "203.0.113.9").putHeader("X-Request-Id", "xff-log")
        .send().await();
      node.client().get("/health").putHeader("X-Request-Id", "direct-log").send().await();
    } finally {
      access.detachAppender(captured);
      access.setLevel(level);
    }
    assertThat(captured.list).map(ILoggingEvent::getFormattedMessage)
      .anySatisfy(line -> assertThat(line).startsWith("203.0.113.9 GET /health 200").contains("id=xff-log")
        .endsWith(" via=127.0.0.1"))
      .anySatisfy(line -> assertThat(line).startsWith("127.0.0.1 GET /health 200").endsWith("id=direct-log"));
  }

  private static HttpResponse<Buffer> refresh(TestNode node, String forwardedFor) {
    return node.client().post("/api/refresh").putHeader("X-Forwarded-For", forwardedFor)
      .sendJsonObject(new JsonObject().put("refreshToken", "x")).await();
  }
}
