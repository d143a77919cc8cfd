package dev.avatarservice.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.RawHttp;
import dev.avatarservice.support.RawHttp.Conversation;
import dev.avatarservice.support.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a request's framing is read, over raw sockets (a client library would fix the attacks up):
 * smuggling with Content-Length next to Transfer-Encoding, repeated Host and Content-Length, a
 * malformed chunked body; HEAD wherever GET is; the Allow header of a 405.
 */
class HttpFramingApiTest {

  /** How long a connection must stay silent to count as kept open by the server. */
  private static final int QUIET_MS = 1500;
  private static final String SMUGGLED = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static String code(RawHttp.Response response) {
    JsonObject body = new JsonObject(response.bodyText());
    assertThat(body.getString("status")).isEqualTo("fail");
    return body.getJsonObject("data").getString("code");
  }

  // ---------------------------------------------------------------- smuggling

  @Test
  void contentLengthNextToTransferEncodingIsReadByTheChunksAndNothingBehindItIsAnswered() {
    // by Content-Length (60) the smuggled request would be body; by the chunks it follows the request
    String request = "POST /api/refresh HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      + "Content-Length: 60\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n" + SMUGGLED;

    Conversation conversation = RawHttp.converse(node.port(), ascii(request), QUIET_MS);

    assertThat(conversation.responses()).as("answers").hasSize(1);
    RawHttp.Response answer = conversation.responses().get(0);
    assertThat(answer.status()).isEqualTo(400); // {} lacks the refresh token: the chunk was the body
    assertThat(new JsonObject(answer.bodyText()).getJsonObject("data").containsKey("refreshToken")).isTrue();
    assertThat(answer.header("Connection")).isEqualToIgnoringCase("close");
    assertThat(conversation.closed()).as("connection closed after the answer").isTrue();
  }

  @Test
  void aChunkedRequestAloneIsAnsweredAndItsConnectionClosed() {
    String request = "POST /api/refresh HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n" + SMUGGLED;

    Conversation conversation = RawHttp.converse(node.port(), ascii(request), QUIET_MS);

    assertThat(conversation.responses()).hasSize(1);
    assertThat(conversation.closed()).isTrue();
  }

  @Test
  void aTransferEncodingOtherThanChunkedIsRefusedWith400AndClosed() {
    for (String coding : List.of("identity", "gzip, chunked", "chunked, identity")) {
      String request = "POST /api/refresh HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: 2\r\nTransfer-Encoding: " + coding + "\r\n\r\n{}" + SMUGGLED;

      Conversation conversation = RawHttp.converse(node.port(), ascii(request), QUIET_MS);

      assertThat(conversation.responses()).as(coding).hasSize(1);
      assertThat(conversation.responses().get(0).status()).as(coding).isEqualTo(400);
      assertThat(code(conversation.responses().get(0))).isEqualTo("bad_request");
      assertThat(conversation.closed()).as(coding).isTrue();
    }
  }

  @Test
  void twoHostHeadersAreRefusedWith400AndClosed() {
    String request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: internal.example\r\n\r\n" + SMUGGLED;

    Conversation conversation = RawHttp.converse(node.port(), ascii(request), QUIET_MS);

    assertThat(conversation.responses()).hasSize(1);
    assertThat(conversation.responses().get(0).status()).isEqualTo(400);
    assertThat(code(conversation.responses().get(0))).isEqualTo("bad_request");
    assertThat(conversation.closed()).isTrue();
  }

  @Test
  void twoContentLengthHeadersAreRefusedWith400AndClosed() {
    for (String second : List.of("2", "40")) {
      String request = "POST /api/refresh HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: 2\r\nContent-Length: " + second + "\r\n\r\n{}" + SMUGGLED;

      Conversation conversation = RawHttp.converse(node.port(), ascii(request), QUIET_MS);

      assertThat(conversation.responses()).as(second).hasSize(1);
      assertThat(conversation.responses().get(0).status()).isEqualTo(400);
      assertThat(code(conversation.responses().get(0))).isEqualTo("bad_request");
      assertThat(conversation.closed()).isTrue();
    }
  }

  @Test
  void anOrdinaryKeepAliveConnectionStaysOpenForTheNextRequest() {
    Conversation conversation = RawHttp.converse(node.port(), ascii(SMUGGLED + SMUGGLED), QUIET_MS);

    assertThat(conversation.responses()).extracting(RawHttp.Response::status).containsExactly(200, 200);
    assertThat(conversation.closed()).isFalse();
  }

  // ---------------------------------------------------------------- malformed chunked body

  @Test
  void aMalformedChunkedBodyIsAnswered400WithOneLogLineAtMost() {
    String request = "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n";

    List<ILoggingEvent> logged;
    Conversation conversation;
    try (Captured captured = Captured.start()) {
      conversation = RawHttp.converse(node.port(), ascii(request), QUIET_MS);
      logged = captured.events();
    }

    assertThat(conversation.responses()).hasSize(1);
    RawHttp.Response answer = conversation.responses().get(0);
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.header("Content-Type")).startsWith("application/json");
    assertThat(code(answer)).isEqualTo("malformed_body");
    assertThat(conversation.closed()).isTrue();
    assertThat(logged).as("log lines").hasSizeLessThanOrEqualTo(1);
    assertThat(logged).allSatisfy(event -> {
      assertThat(event.getLevel().isGreaterOrEqual(Level.WARN)).as(event.getFormattedMessage()).isFalse();
      assertThat(event.getThrowableProxy()).isNull();
    });
    assertThat(logged).allSatisfy(event -> assertThat(event.getFormattedMessage()).contains(" 400 "));
  }

  @Test
  void anOverflowingChunkSizeIsAnswered400Too() {
    String request = "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\n{}\r\n0\r\n\r\n";

    Conversation conversation = RawHttp.converse(node.port(), ascii(request), QUIET_MS);

    assertThat(conversation.responses()).hasSize(1);
    assertThat(conversation.responses().get(0).status()).isEqualTo(400);
    assertThat(conversation.closed()).isTrue();
  }

  @Test
  void aMultipartPartHeaderTheDecoderChokesOnIsAnswered400() {
    // a Content-Disposition parameter without "=" made Netty's form decoder throw: answered 500, then lost
    String body = "--b0undary\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"\"; DROP TABLE users; --\"\r\n"
      + "Content-Type: image/png\r\n\r\nxxxx\r\n--b0undary--\r\n";
    String request = "POST /api/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b0undary\r\n"
      + "Content-Length: " + body.length() + "\r\n\r\n" + body;

    Conversation conversation = RawHttp.converse(node.port(), ascii(request), QUIET_MS);

    assertThat(conversation.responses()).hasSize(1);
    assertThat(conversation.responses().get(0).status()).isEqualTo(400);
    assertThat(code(conversation.responses().get(0))).isEqualTo("bad_request");
  }

  // ---------------------------------------------------------------- HEAD and Allow

  @Test
  void headIsAnsweredWhereverGetIsWithTheSameHeadersAndNoBody() {
    ApiClient api = node.api();
    String token = api.register("head-user").getString("accessToken");
    for (String path : List.of("/health", "/api/user", "/user", "/ready", "/openapi.yaml", "/info")) {
      String auth = "Authorization: Bearer " + token + "\r\n";
      RawHttp.Response get = RawHttp.exchange(node.port(), ascii("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + auth + "\r\n"), false).orElseThrow();
      String head = RawHttp.untilClosed(node.port(), ascii("HEAD " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + auth + "Connection: close\r\n\r\n"));

      if (get.status() == 404) {
        continue; // a route this version does not have
      }
      assertThat(head).as(path).startsWith("HTTP/1.1 " + get.status() + " ");
      assertThat(head).as(path + ": nothing after the head").endsWith("\r\n\r\n");
      RawHttp.Response headAnswer = RawHttp.exchange(node.port(), ascii("HEAD " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + auth + "\r\n"), true).orElseThrow();
      for (String header : List.of("Content-Type", "Content-Length", "Cache-Control")) {
        assertThat(headAnswer.header(header)).as(path + " " + header).isEqualTo(get.header(header));
      }
    }
  }

  @Test
  void headInAbsoluteFormIsAnsweredToo() {
    String head = RawHttp.untilClosed(node.port(),
      ascii("HEAD http://127.0.0.1/health?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
    assertThat(head).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\n");
  }

  @Test
  void aMethodNotAllowedNamesTheAllowedOnes() {
    Map<String, String> allowed = Map.of(
      "PUT /health", "GET, HEAD",
      "POST /api/user", "DELETE, GET, HEAD",
      "GET /api/login", "POST",
      "DELETE /api/refresh", "POST");
    allowed.forEach((request, allow) -> {
      RawHttp.Response answer = RawHttp.exchange(node.port(),
        ascii(request + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"), false).orElseThrow();
      assertThat(answer.status()).as(request).isEqualTo(405);
      assertThat(answer.header("Allow")).as(request).isEqualTo(allow);
      assertThat(code(answer)).isEqualTo("method_not_allowed");
    });
  }

  // ---------------------------------------------------------------- log capture

  /** The events logged meanwhile, on top of the configured appenders. */
  private static final class Captured implements AutoCloseable {
    private final Logger root;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private Captured(Logger root) {
      this.root = root;
    }

    static Captured start() {
      LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
      Captured captured = new Captured(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME));
      captured.appender.setContext(context);
      captured.appender.start();
      captured.root.addAppender(captured.appender);
      return captured;
    }

    List<ILoggingEvent> events() {
      return List.copyOf(appender.list);
    }

    @Override
    public void close() {
      root.detachAppender(appender);
      appender.stop();
    }
  }
}
