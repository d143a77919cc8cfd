package dev.avatarservice.http.realtime;

import dev.avatarservice.bus.EventAddress;
import dev.avatarservice.bus.Events;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.RawHttp;
import dev.avatarservice.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SockJS at {@code /sockjs}, spoken by hand: its WebSocket transport (frames {@code o}, {@code h},
 * {@code a[...]}, {@code c[code,"reason"]}) and its XHR polling transport ({@code xhr} and
 * {@code xhr_send}), with the same JSON messages as {@code /ws}.
 */
class SockJsApiTest {

  /** The cookie that binds a SockJS session to its client. */
  private static final String SOCKJS_COOKIE = "sockjs_key";

  private static TestNode node;
  private static Vertx clientVertx;
  private static WebSocketClient client;
  private static WebClient http;

  @BeforeAll
  static void start() {
    node = TestNode.start();
    clientVertx = Vertx.vertx();
    client = clientVertx.createWebSocketClient();
    // Vert.x closes the connection after each poll: a pooled connection could be closing when reused.
    http = WebClient.create(clientVertx, new WebClientOptions().setKeepAlive(false)
      .setDefaultHost("127.0.0.1").setDefaultPort(node.port()));
  }

  @AfterAll
  static void stop() {
    clientVertx.close().await();
    node.close();
  }

  private static String session() {
    return "/sockjs/000/" + UUID.randomUUID().toString().replace("-", "");
  }

  @Test
  void infoAsksForCookiesSoThatSockJsClientSendsThem() {
    HttpResponse<Buffer> info = http.get("/sockjs/info").send().await();
    assertThat(info.statusCode()).isEqualTo(200);
    assertThat(info.bodyAsJsonObject().getBoolean("websocket")).isTrue();
    assertThat(info.bodyAsJsonObject().getBoolean("cookie_needed")).isTrue();
    assertThat(info.cookies()).isEmpty();
  }

  @Test
  void theWebSocketTransportCarriesTheMessagesAndTheCloseCodes() {
    JsonObject user = node.api().register("sockjs-ws-alice");
    String userId = user.getJsonObject("user").getString("id");
    TestSocket socket = TestSocket.open(client, node.port(), session() + "/websocket");

    assertThat(socket.authenticate(user.getString("accessToken")).getString("userId")).isEqualTo(userId);
    socket.sendText("not json");
    socket.next("error");
    socket.assertNothingElseArrived();

    JsonObject changed = Events.avatarChanged(userId, node.baseUrl() + "/avatars/a.png", Instant.now());
    node.vertx().eventBus().publish(EventAddress.AVATAR_CHANGED, changed);
    assertThat(socket.next()).isEqualTo(changed);

    node.vertx().eventBus().publish(EventAddress.USER_DELETED, Events.userDeleted(userId));
    assertThat(socket.next()).isEqualTo(Events.userDeleted(userId));
    TestSocket.Closed closed = socket.awaitClose();
    assertThat(closed.code()).isEqualTo(4410);
    assertThat(closed.reason()).isEqualTo("account deleted");
  }

  @Test
  void theXhrPollingTransportCarriesTheMessages() {
    JsonObject user = node.api().register("sockjs-xhr-bob");
    String userId = user.getJsonObject("user").getString("id");
    String session = session();

    WebClientSession http = WebClientSession.create(SockJsApiTest.http);
    assertThat(poll(http, session)).containsExactly("o");
    send(http, session, new JsonObject().put("type", "auth").put("token", user.getString("accessToken")));
    JsonObject ready = new JsonObject(messages(poll(http, session)).get(0));
    assertThat(ready.getString("type")).isEqualTo("ready");
    assertThat(ready.getString("userId")).isEqualTo(userId);

    send(http, session, new JsonObject().put("type", "ping"));
    assertThat(messages(poll(http, session))).containsExactly("{\"type\":\"pong\"}");

    JsonObject removed = Events.avatarRemoved(userId, Instant.now());
    node.vertx().eventBus().publish(EventAddress.AVATAR_REMOVED, removed);
    assertThat(new JsonObject(messages(poll(http, session)).get(0))).isEqualTo(removed);

    // The message still reaches a polling client; Vert.x's SockJS sessions then close with 3000.
    node.vertx().eventBus().publish(EventAddress.USER_DELETED, Events.userDeleted(userId));
    assertThat(new JsonObject(messages(poll(http, session)).get(0))).isEqualTo(Events.userDeleted(userId));
    assertThat(poll(http, session)).containsExactly("c[3000,\"Go away!\"]");
  }

  @Test
  void aForeignOriginIsRefusedOnEverySockJsRequest() {
    Map<String, String> evil = Map.of("Origin", "https://evil.example");
    JSendAssert.fail(http.get("/sockjs/info").putHeader("Origin", "https://evil.example").send().await(), 403, "forbidden");
    JSendAssert.fail(http.post(session() + "/xhr").putHeader("Origin", "https://evil.example").send().await(),
      403, "forbidden");
    UpgradeRejectedException refused = TestSocket.refused(client, node.port(), session() + "/websocket", evil);
    assertThat(refused.getStatus()).isEqualTo(403);

    String own = "http://localhost:" + node.port();
    HttpResponse<Buffer> allowed = http.post(session() + "/xhr").putHeader("Origin", own).send().await();
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.getHeader("Access-Control-Allow-Origin")).isEqualTo(own);
  }

  @Test
  void transportsThatInjectScriptsOrNeedCookiesAreOff() {
    String session = session();
    for (String path : List.of(session + "/jsonp?c=callback", session + "/htmlfile?c=callback", "/sockjs/iframe.html",
      "/sockjs/iframe-1.6.1.html")) {
      assertThat(http.get(path).send().await().statusCode()).as(path).isEqualTo(404);
    }
    HttpResponse<Buffer> opened = http.post(session + "/xhr").send().await();
    assertThat(opened.bodyAsString()).isEqualTo("o\n");
    // no JSESSIONID: only the session's own key, for its own path
    assertThat(opened.cookies()).singleElement().satisfies(cookie -> assertThat(cookie)
      .startsWith(SOCKJS_COOKIE + "=").contains("Path=" + session).containsIgnoringCase("HttpOnly"));
  }

  // ---------------------------------------------------------------- someone else's session id

  @Test
  void aStolenSessionIdNeitherReadsNorWritesOnAnyHttpTransport() {
    JsonObject user = node.api().register("sockjs-victim-carol");
    String userId = user.getJsonObject("user").getString("id");
    String session = session();
    WebClientSession victim = WebClientSession.create(http);
    assertThat(poll(victim, session)).containsExactly("o");
    send(victim, session, new JsonObject().put("type", "auth").put("token", user.getString("accessToken")));
    assertThat(new JsonObject(messages(poll(victim, session)).get(0)).getString("type")).isEqualTo("ready");
    JsonObject removed = Events.avatarRemoved(userId, Instant.now());
    node.vertx().eventBus().publish(EventAddress.AVATAR_REMOVED, removed);

    // the attacker knows the session id, without the victim's cookie, or with a key of its own
    WebClientSession other = WebClientSession.create(http);
    io.netty.handler.codec.http.cookie.DefaultCookie forged =
      new io.netty.handler.codec.http.cookie.DefaultCookie(SOCKJS_COOKIE, "forged-key");
    forged.setPath(session);
    other.cookieStore().put(forged);
    for (WebClient attacker : List.of(http, other)) {
      JSendAssert.fail(attacker.post(session + "/xhr").send().await(), 403, "session_forbidden");
      JSendAssert.fail(attacker.post(session + "/xhr_streaming").send().await(), 403, "session_forbidden");
      JSendAssert.fail(attacker.get(session + "/eventsource").send().await(), 403, "session_forbidden");
      JSendAssert.fail(attacker.post(session + "/xhr_send").putHeader("Content-Type", "text/plain")
        .sendBuffer(new JsonArray().add(new JsonObject().put("type", "ping").encode()).toBuffer()).await(),
        403, "session_forbidden");
    }

    // the victim's session is untouched: its event is still there, and no pong for the attacker's ping
    assertThat(messages(poll(victim, session))).containsExactly(removed.encode());
    send(victim, session, new JsonObject().put("type", "ping"));
    assertThat(messages(poll(victim, session))).containsExactly("{\"type\":\"pong\"}");
  }

  @Test
  void sessionIdsStayOutOfTheAccessLog() {
    String session = session();
    String sessionId = session.substring(session.lastIndexOf('/') + 1);
    ch.qos.logback.classic.LoggerContext context =
      (ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
    ch.qos.logback.classic.Logger access = context.getLogger("access");
    ch.qos.logback.classic.Level level = access.getLevel();
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> captured =
      new ch.qos.logback.core.read.ListAppender<>();
    captured.setContext(context);
    captured.start();
    access.setLevel(ch.qos.logback.classic.Level.INFO);
    access.addAppender(captured);
    try {
      WebClientSession client = WebClientSession.create(http);
      poll(client, session);
      send(client, session, new JsonObject().put("type", "ping"));
      http.post(session + "/xhr").send().await();
      TestSocket.open(SockJsApiTest.client, node.port(), session() + "/websocket").close();
    } finally {
      access.detachAppender(captured);
      access.setLevel(level);
    }
    assertThat(captured.list).hasSizeGreaterThanOrEqualTo(3);
    assertThat(captured.list).allSatisfy(event -> assertThat(event.getFormattedMessage())
      .doesNotContain(sessionId).contains("/sockjs/-/-/"));
  }

  // ---------------------------------------------------------------- transport errors

  @Test
  void aMalformedOrEmptyXhrSendIsA400InJSend() {
    String session = session();
    WebClientSession client = WebClientSession.create(http);
    poll(client, session);
    JSendAssert.fail(client.post(session + "/xhr_send").putHeader("Content-Type", "text/plain")
      .sendBuffer(Buffer.buffer("[\"unterminated")).await(), 400, "bad_frame");
    JSendAssert.fail(client.post(session + "/xhr_send").putHeader("Content-Type", "text/plain")
      .sendBuffer(Buffer.buffer("{\"type\":\"ping\"}")).await(), 400, "bad_frame");
    JSendAssert.fail(client.post(session + "/xhr_send").putHeader("Content-Type", "text/plain").send().await(),
      400, "empty_payload");
    JSendAssert.fail(client.post(session() + "/xhr_send").putHeader("Content-Type", "text/plain")
      .sendBuffer(Buffer.buffer("[]")).await(), 404, "not_found");
  }

  /**
   * Vert.x ends every xhr poll by closing the connection; the answer says so
   * ({@code Connection: close}), so that a client that keeps connections alive does not send its
   * next request (its {@code xhr_send}, its next poll) on a connection the server is closing. Node's
   * http agent (keep-alive by default since Node 19) did, and sockjs-client 1.6.1 in Node closed
   * with 1006 "Sending error: http status 0": its xhr_send never reached the server.
   */
  @Test
  void anXhrPollAnswerSaysThatItClosesTheConnection() {
    String request = "POST " + session() + "/xhr HTTP/1.1\r\nHost: 127.0.0.1:" + node.port()
      + "\r\nContent-Length: 0\r\n\r\n";
    RawHttp.Conversation conversation = RawHttp.converse(node.port(), request.getBytes(StandardCharsets.ISO_8859_1), 2000);
    assertThat(conversation.responses()).hasSize(1);
    RawHttp.Response answer = conversation.responses().get(0);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.bodyText()).isEqualTo("o\n");
    assertThat(answer.header("Connection")).isEqualToIgnoringCase("close");
    assertThat(conversation.closed()).isTrue();
  }

  /** One {@code xhr} poll by this client (which keeps the session's cookie): the frames it returns. */
  private static List<String> poll(WebClient http, String session) {
    HttpResponse<Buffer> response = http.post(session + "/xhr").send().await();
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    List<String> frames = new ArrayList<>();
    for (String frame : response.bodyAsString().split("\n")) {
      if (!frame.isEmpty() && !frame.equals("h")) {
        frames.add(frame);
      }
    }
    return frames;
  }

  /** The messages of one {@code a[...]} frame. */
  private static List<String> messages(List<String> frames) {
    assertThat(frames).hasSize(1);
    assertThat(frames.get(0)).startsWith("a[");
    List<String> messages = new ArrayList<>();
    new JsonArray(frames.get(0).substring(1)).forEach(message -> messages.add((String) message));
    return messages;
  }

  private static void send(WebClient http, String session, JsonObject message) {
    HttpResponse<Buffer> response = http.post(session + "/xhr_send")
      .putHeader("Content-Type", "text/plain")
      .sendBuffer(new JsonArray().add(message.encode()).toBuffer()).await();
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(204);
  }
}
