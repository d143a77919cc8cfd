package dev.avatarservice.http.realtime;

import dev.avatarservice.support.AsyncApiContract;
import dev.avatarservice.support.Jwts;
import dev.avatarservice.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.avatarservice.http.realtime.TestSocket.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Keeps asyncapi.yaml true, as {@code OpenApiContractTest} keeps openapi.yaml: a real node is driven
 * over {@code /ws}, {@code /ws/avatar} and SockJS (its WebSocket transport and xhr-polling) through
 * every message it sends (ready, each account event after the REST call that causes it, pong,
 * error) and takes (auth, a renewal, ping), and through every way it closes a socket. Every
 * message received is checked against the payload schema of the document's message of its type
 * on that channel, every message sent must be one the document lets a client send, what the server
 * refuses must not be, and each close code and reason must be documented for the channel. The last
 * test checks that every message and close reason of the document was seen, so that the document
 * can neither promise a message the server never sends nor miss one it sends.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AsyncApiContractTest {

  private static final String WS = "/ws";
  private static final String WS_AVATAR = "/ws/avatar";
  private static final String SOCKJS = "/sockjs";

  /**
   * Documented close reasons this test cannot reach: a client whose write queue on the server fills
   * up would need megabytes of events unread through the kernel's buffers.
   */
  private static final Set<String> NOT_EXERCISED_HERE = Set.of("1013 client too slow");

  private static AsyncApiContract contract;
  private static TestNode node;
  private static Vertx clientVertx;
  private static WebSocketClient client;
  /** For SockJS's HTTP transports: Vert.x closes the connection after each poll, so none is reused. */
  private static WebClient xhr;

  @BeforeAll
  static void start() {
    contract = AsyncApiContract.get();
    // no leeway, so that a token of one second closes its socket at once; 2 sockets per account for 4429
    node = TestNode.start(Map.of("JWT_LEEWAY_SECONDS", 0, "WS_MAX_PER_USER", 2));
    clientVertx = Vertx.vertx();
    client = clientVertx.createWebSocketClient();
    xhr = WebClient.create(clientVertx, new WebClientOptions().setKeepAlive(false)
      .setDefaultHost("127.0.0.1").setDefaultPort(node.port()));
  }

  @AfterAll
  static void stop() {
    clientVertx.close().await();
    node.close();
  }

  // ---------------------------------------------------------------- /ws and /ws/avatar

  @Test
  @Order(1)
  void aHeaderAuthenticatedSocketReceivesReadyAndEveryAccountEvent() {
    JsonObject alice = register("aa-alice");
    Endpoint ws = webSocket(WS, node.port(), bearer(token(alice)));
    assertThat(ws.receive("ready").getValue("avatarUrl")).isNull();

    String avatarUrl = uploadAvatar(token(alice));
    assertThat(ws.receive("avatar.changed").getString("avatarUrl")).isEqualTo(avatarUrl);
    // a renewal's ready carries the avatar the user has now
    ws.send(auth(token(alice)));
    assertThat(ws.receive("ready").getString("avatarUrl")).isEqualTo(avatarUrl);

    assertThat(request("DELETE", "/api/user/avatar", token(alice)).statusCode()).isEqualTo(200);
    ws.receive("avatar.removed");
    ws.send(ping());
    ws.receive("pong");

    assertThat(request("DELETE", "/api/user", token(alice)).statusCode()).isEqualTo(200);
    assertThat(ws.receive("user.deleted").getString("userId")).isEqualTo(userId(alice));
    ws.closedWith(4410, "account deleted");
  }

  @Test
  @Order(2)
  void theFastApiAliasAuthenticatesByHeaderOrFirstMessageAndTakesRenewals() {
    JsonObject bob = register("aa-bob");
    Endpoint byHeader = webSocket(WS_AVATAR, node.port(), Map.of("token", token(bob)));
    byHeader.receive("ready");
    byHeader.socket().close();

    Endpoint ws = webSocket(WS_AVATAR, node.port(), Map.of());
    ws.send(auth(token(bob)));
    assertThat(ws.receive("ready").getString("userId")).isEqualTo(userId(bob));
    // renewal with the access token of a refresh, before the current one expires
    JsonObject refreshed = data(node.api().post("/api/refresh", new JsonObject().put("refreshToken", bob.getString("refreshToken"))));
    ws.send(auth(token(refreshed)));
    ws.receive("ready");
    ws.send(ping());
    ws.receive("pong");

    ws.send(auth(token(register("aa-carol"))));
    ws.closedWith(4401, "token of another user");
  }

  @Test
  @Order(3)
  void whatTheServerCannotTakeIsAnsweredWithErrorAndIsNotDocumentedAsAccepted() {
    JsonObject dave = register("aa-dave");
    Endpoint ws = webSocket(WS, node.port(), Map.of());
    ws.send(ping()); // a documented message, but only once authenticated
    ws.receive("error");
    ws.send(auth(token(dave)));
    ws.receive("ready");
    for (String refused : List.of("not json", "[1,2]", "{}", "{\"type\":1}", "{\"type\":\"bogus\"}",
      "{\"type\":\"auth\"}", "{\"type\":\"auth\",\"token\":42}")) {
      ws.sendRefused(refused);
      assertThat(ws.receive("error").getString("message")).as(refused).isNotBlank();
    }
    ws.socket().sendBinary(Buffer.buffer(new byte[] {1, 2, 3}));
    ws.receive("error");
    ws.send(ping());
    ws.receive("pong");
    ws.socket().close();
  }

  @Test
  @Order(4)
  void everyWayTheServerClosesAWebSocketIsDocumented() throws IOException {
    Endpoint badToken = webSocket(WS, node.port(), Map.of());
    badToken.send(auth("not-a-jwt"));
    badToken.closedWith(4401, "invalid token");

    JsonObject eve = register("aa-eve");
    Endpoint expiring = webSocket(WS, node.port(), Map.of());
    expiring.send(auth(TestSocket.token(clientVertx, node.settings().tokens(), userId(eve),
      (String) Jwts.claim(token(eve), "sid"), 1)));
    expiring.receive("ready");
    expiring.closedWith(4401, "token expired");

    JsonObject frank = register("aa-frank");
    Endpoint loggedOut = webSocket(WS, node.port(), bearer(token(frank)));
    loggedOut.receive("ready");
    assertThat(node.client().post("/api/logout").bearerTokenAuthentication(token(frank))
      .sendJsonObject(new JsonObject().put("refreshToken", frank.getString("refreshToken"))).await().statusCode())
      .isEqualTo(200);
    loggedOut.receive("session.ended");
    loggedOut.closedWith(4401, "session ended");

    JsonObject grace = register("aa-grace");
    for (int i = 0; i < 2; i++) {
      webSocket(WS, node.port(), bearer(token(grace))).receive("ready");
    }
    Endpoint oneTooMany = webSocket(WS, node.port(), Map.of());
    oneTooMany.send(auth(token(grace)));
    oneTooMany.closedWith(4429, "too many sockets");

    Endpoint big = webSocket(WS, node.port(), bearer(token(register("aa-heidi"))));
    big.receive("ready");
    big.socket().sendText(new JsonObject().put("type", "ping")
      .put("pad", "x".repeat(node.settings().realtime().maxMessageBytes())).encode());
    big.closedWith(1009, "message too big");

    // the deadlines of a second, on a node of their own: on this one a busy machine could close the
    // other tests' sockets for a pong or an auth a little late
    try (TestNode timing = TestNode.start(Map.of("WS_AUTH_TIMEOUT", 1, "WS_PING_INTERVAL", 1))) {
      webSocket(WS, timing.port(), Map.of()).closedWith(4401, "authentication timeout");
      noPongCloses1013(timing, timing.api().register("aa-ivan"));
    }
  }

  /** A peer that never answers the server's pings (a raw client: Vert.x's would answer them). */
  private static void noPongCloses1013(TestNode timing, JsonObject user) throws IOException {
    try (Socket tcp = new Socket("127.0.0.1", timing.port())) {
      tcp.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TestSocket.WAIT_SECONDS));
      tcp.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + "Authorization: Bearer " + token(user) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      DataInputStream in = new DataInputStream(tcp.getInputStream());
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        head.write(in.readUnsignedByte());
      }
      assertThat(head.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
      while (true) {
        int opcode = in.readUnsignedByte() & 0x0F;
        int length = in.readUnsignedByte() & 0x7F; // server frames are unmasked
        byte[] payload = new byte[length == 126 ? in.readUnsignedShort() : length];
        in.readFully(payload);
        if (opcode == 0x1) {
          contract.assertReceived(WS, new String(payload, StandardCharsets.UTF_8));
        } else if (opcode == 0x8) {
          int code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
          String reason = new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
          assertThat(code).isEqualTo(1013);
          assertThat(reason).isEqualTo("no pong");
          contract.assertClose(WS, code, reason);
          return;
        }
      }
    }
  }

  // ---------------------------------------------------------------- SockJS

  @Test
  @Order(5)
  void sockJsOverWebSocketCarriesTheSameMessagesAndCloseCodes() {
    JsonObject judy = register("aa-judy");
    Endpoint sockJs = sockJsWebSocket(node.port());
    sockJs.send(ping());
    sockJs.receive("error");
    sockJs.send(auth(token(judy)));
    sockJs.receive("ready");
    sockJs.send(ping());
    sockJs.receive("pong");
    String avatarUrl = uploadAvatar(token(judy));
    assertThat(sockJs.receive("avatar.changed").getString("avatarUrl")).isEqualTo(avatarUrl);
    assertThat(request("DELETE", "/api/user/avatar", token(judy)).statusCode()).isEqualTo(200);
    sockJs.receive("avatar.removed");
    JsonObject refreshed = data(node.api().post("/api/refresh", new JsonObject().put("refreshToken", judy.getString("refreshToken"))));
    sockJs.send(auth(token(refreshed)));
    sockJs.receive("ready");
    assertThat(request("DELETE", "/api/user/sessions", token(refreshed)).statusCode()).isEqualTo(200);
    sockJs.receive("session.ended");
    sockJs.closedWith(4401, "session ended");

    JsonObject kim = register("aa-kim");
    Endpoint deleted = sockJsWebSocket(node.port());
    deleted.send(auth(token(kim)));
    deleted.receive("ready");
    assertThat(request("DELETE", "/api/user", token(kim)).statusCode()).isEqualTo(200);
    deleted.receive("user.deleted");
    deleted.closedWith(4410, "account deleted");
  }

  @Test
  @Order(6)
  void sockJsXhrPollingCarriesTheSameMessagesAndClosesWith3000() {
    JsonObject leo = register("aa-leo");
    XhrSession session = new XhrSession();
    session.send(auth(token(leo)));
    session.receive("ready");
    session.send(ping());
    session.receive("pong");
    uploadAvatar(token(leo));
    session.receive("avatar.changed");

    // the deletion waits for the socket to close, which waits for the poll that takes user.deleted
    Future<HttpResponse<Buffer>> deletion = node.client().delete("/api/user").bearerTokenAuthentication(token(leo)).send();
    session.receive("user.deleted");
    session.closedWith(3000, "Go away!");
    assertThat(deletion.await().statusCode()).isIn(200, 202);
  }

  // ---------------------------------------------------------------- shutdown, and the document as a whole

  @Test
  @Order(7)
  void aNodeShuttingDownClosesWith1001() {
    TestNode stopping = TestNode.start();
    JsonObject mia = stopping.api().register("aa-mia");
    Endpoint ws = webSocket(WS, stopping.port(), bearer(token(mia)));
    ws.receive("ready");
    Endpoint sockJs = sockJsWebSocket(stopping.port());
    sockJs.send(auth(token(mia)));
    sockJs.receive("ready");

    stopping.close();

    ws.closedWith(1001, "server shutting down");
    sockJs.closedWith(1001, "server shutting down");
  }

  @Test
  @Order(8)
  void theDocumentIsServedAndEveryMessageAndCloseReasonOfItWasSeen() {
    HttpResponse<Buffer> document = node.client().get("/asyncapi.yaml").send().await();
    assertThat(document.statusCode()).isEqualTo(200);
    assertThat(document.getHeader("Content-Type")).isEqualTo("application/yaml; charset=utf-8");
    assertThat(document.getHeader("Cache-Control")).isEqualTo("no-cache");
    assertThat(document.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(document.bodyAsString()).as("/asyncapi.yaml serves the document under test").isEqualTo(contract.text());

    contract.assertExamplesConform();
    contract.assertEverythingExercised(NOT_EXERCISED_HERE);
  }

  // ---------------------------------------------------------------- helpers

  /** A socket on one of the document's channels: what goes through it is checked against the document. */
  private record Endpoint(TestSocket socket, String channel) {

    /** The next message, which must conform to the document and be of that type. */
    JsonObject receive(String type) {
      JsonObject message = contract.assertReceived(channel, socket.next().encode());
      assertThat(message.getString("type")).as(message.encode()).isEqualTo(type);
      return message;
    }

    /** Sends a message the document lets a client send. */
    void send(JsonObject message) {
      contract.assertSendable(channel, message);
      socket.send(message);
    }

    /** Sends a text the server refuses, which the document must not let a client send. */
    void sendRefused(String text) {
      contract.assertNotSendable(channel, text);
      socket.sendText(text);
    }

    void closedWith(int code, String reason) {
      TestSocket.Closed closed = socket.awaitClose();
      assertThat(closed.code()).as("close code").isEqualTo(code);
      assertThat(closed.reason()).as("close reason").isEqualTo(reason);
      contract.assertClose(channel, code, reason);
    }
  }

  private static Endpoint webSocket(String path, int port, Map<String, String> headers) {
    return new Endpoint(TestSocket.open(client, port, path, TestSocket.Mode.PLAIN, headers), path);
  }

  /** SockJS's WebSocket transport, in SockJS framing. */
  private static Endpoint sockJsWebSocket(int port) {
    return new Endpoint(TestSocket.open(client, port, sessionPath() + "/websocket", TestSocket.Mode.SOCKJS, Map.of()),
      SOCKJS);
  }

  private static String sessionPath() {
    return "/sockjs/000/" + UUID.randomUUID().toString().replace("-", "");
  }

  /** A SockJS session over xhr-polling, as sockjs-client runs it (with the session's cookie). */
  private static final class XhrSession {
    private final String path = sessionPath();
    private final WebClientSession http = WebClientSession.create(xhr);
    private final Deque<String> messages = new ArrayDeque<>();
    private JsonArray close;

    XhrSession() {
      assertThat(poll()).as("SockJS open frame").containsExactly("o");
    }

    /** The frames of one poll, heartbeats left out. */
    private List<String> poll() {
      HttpResponse<Buffer> response = http.post(path + "/xhr").send().await();
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      List<String> frames = new ArrayList<>();
      for (String frame : response.bodyAsString().split("\n")) {
        if (!frame.isEmpty() && !frame.equals("h")) {
          frames.add(frame);
        }
      }
      return frames;
    }

    /** Polls until a message or the close frame has arrived, for the usual wait at most. */
    private void pollForMore() {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestSocket.WAIT_SECONDS);
      while (messages.isEmpty() && close == null) {
        if (System.nanoTime() > deadline) {
          fail("nothing on SockJS session within " + TestSocket.WAIT_SECONDS + " s");
        }
        for (String frame : poll()) {
          if (frame.startsWith("a[")) {
            new JsonArray(frame.substring(1)).forEach(message -> messages.add((String) message));
          } else if (frame.startsWith("c[")) {
            close = new JsonArray(frame.substring(1));
          } else {
            fail("unexpected SockJS frame " + frame);
          }
        }
      }
    }

    JsonObject receive(String type) {
      pollForMore();
      assertThat(messages).as("a message before the close %s", close).isNotEmpty();
      JsonObject message = contract.assertReceived(SOCKJS, messages.poll());
      assertThat(message.getString("type")).as(message.encode()).isEqualTo(type);
      return message;
    }

    void send(JsonObject message) {
      contract.assertSendable(SOCKJS, message);
      HttpResponse<Buffer> response = http.post(path + "/xhr_send").putHeader("Content-Type", "text/plain")
        .sendBuffer(new JsonArray().add(message.encode()).toBuffer()).await();
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(204);
    }

    void closedWith(int code, String reason) {
      pollForMore();
      assertThat(messages).as("messages before the close").isEmpty();
      assertThat(close.getInteger(0)).as("close code").isEqualTo(code);
      assertThat(close.getString(1)).as("close reason").isEqualTo(reason);
      contract.assertClose(SOCKJS, code, reason);
    }
  }

  private static JsonObject auth(String token) {
    return new JsonObject().put("type", "auth").put("token", token);
  }

  private static JsonObject ping() {
    return new JsonObject().put("type", "ping");
  }

  private static JsonObject register(String identifier) {
    return node.api().register(identifier);
  }

  private static String token(JsonObject tokens) {
    return tokens.getString("accessToken");
  }

  private static String userId(JsonObject tokens) {
    return tokens.getJsonObject("user").getString("id");
  }

  private static JsonObject data(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isBetween(200, 299);
    return response.bodyAsJsonObject().getJsonObject("data");
  }

  private static HttpResponse<Buffer> request(String method, String path, String token) {
    return node.client().request(io.vertx.core.http.HttpMethod.valueOf(method), path)
      .bearerTokenAuthentication(token).send().await();
  }

  /** Uploads a small PNG without transparency (stored as a JPEG); returns the new avatarUrl. */
  private static String uploadAvatar(String token) {
    BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    HttpResponse<Buffer> uploaded = node.client().post("/api/user/avatar").bearerTokenAuthentication(token)
      .putHeader("Content-Type", "image/png").sendBuffer(Buffer.buffer(png.toByteArray())).await();
    return data(uploaded).getString("avatarUrl");
  }
}
