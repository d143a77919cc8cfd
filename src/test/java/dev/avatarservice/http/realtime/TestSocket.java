package dev.avatarservice.http.realtime;

import dev.avatarservice.account.AccessTokens;
import dev.avatarservice.account.SigningKeys;
import dev.avatarservice.account.TokenSettings;
import dev.avatarservice.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

/**
 * A WebSocket client for the tests, plain ({@code /ws}) or speaking SockJS framing over WebSocket
 * ({@code /sockjs/<server>/<session>/websocket}). Messages are queued as they arrive (the handlers
 * are installed before the first frame can be read); the close code is that of the SockJS close
 * frame, or of the WebSocket close frame. Blocking waits, for the test thread only.
 */
public final class TestSocket {

  static final long WAIT_SECONDS = 5;

  public enum Mode { PLAIN, SOCKJS }

  /**
   * How the server closed the socket: the code and reason of the close frame (SockJS: of its
   * {@code c[...]} frame), and when that arrived, as wall-clock and {@link System#nanoTime} instants.
   */
  public record Closed(int code, String reason, long atMillis, long atNanos) {
    Closed(int code, String reason) {
      this(code, reason, System.currentTimeMillis(), System.nanoTime());
    }
  }

  /** A message as it arrived, with its {@link System#nanoTime} instant. */
  private record Arrival(String text, long atNanos) {
  }

  private final WebSocket ws;
  private final Mode mode;
  private final BlockingQueue<Arrival> messages = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> heartbeats = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> opened = new CompletableFuture<>();
  private final CompletableFuture<Closed> closed = new CompletableFuture<>();
  /** When the message last returned by {@link #next()} arrived. */
  private long lastArrivalNanos;

  private TestSocket(WebSocket ws, Mode mode) {
    this.ws = ws;
    this.mode = mode;
    ws.textMessageHandler(this::text);
    ws.binaryMessageHandler(data -> messages.add(new Arrival("<binary>", System.nanoTime())));
    // The close frame as it arrives (the close handler runs only once the connection is closed)
    ws.frameHandler(frame -> {
      if (frame.isClose() && mode == Mode.PLAIN) {
        closed.complete(new Closed(frame.closeStatusCode(), frame.closeReason()));
      }
    });
    ws.closeHandler(v -> {
      Short code = ws.closeStatusCode();
      closed.complete(new Closed(code == null ? 1005 : code, ws.closeReason()));
    });
    if (mode == Mode.PLAIN) {
      opened.complete(null);
    }
  }

  public static TestSocket open(WebSocketClient client, int port, String path, Mode mode, Map<String, String> headers) {
    WebSocketConnectOptions options = new WebSocketConnectOptions()
      .setHost("127.0.0.1").setPort(port).setURI(path);
    headers.forEach(options::addHeader);
    // Handlers before the connection: a socket from connect() is resumed before the future's own
    // callbacks run, so a first frame that came with the handshake (SockJS's "o", a header-authenticated
    // "ready") could be delivered before handlers set there, and be lost.
    ClientWebSocket ws = client.webSocket();
    TestSocket socket = new TestSocket(ws, mode);
    ws.connect(options).await();
    if (mode == Mode.SOCKJS) {
      try {
        socket.opened.get(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        fail("no SockJS open frame", e);
      }
    }
    return socket;
  }

  public static TestSocket open(WebSocketClient client, int port, String path) {
    return open(client, port, path, path.startsWith("/sockjs/") && path.endsWith("/websocket") && !path.equals("/sockjs/websocket")
      ? Mode.SOCKJS : Mode.PLAIN, Map.of());
  }

  /** A handshake that must be refused: the rejection, with its status, headers and body. */
  public static UpgradeRejectedException refused(WebSocketClient client, int port, String path, Map<String, String> headers) {
    WebSocketConnectOptions options = new WebSocketConnectOptions()
      .setHost("127.0.0.1").setPort(port).setURI(path);
    headers.forEach(options::addHeader);
    return catchThrowableOfType(UpgradeRejectedException.class, () -> client.connect(options).await());
  }

  private void text(String text) {
    long now = System.nanoTime();
    if (mode == Mode.PLAIN) {
      messages.add(new Arrival(text, now));
      return;
    }
    switch (text.charAt(0)) {
      case 'o' -> opened.complete(null);
      case 'h' -> heartbeats.add(text);
      case 'a' -> new JsonArray(text.substring(1)).forEach(message -> messages.add(new Arrival((String) message, now)));
      case 'c' -> {
        JsonArray close = new JsonArray(text.substring(1));
        closed.complete(new Closed(close.getInteger(0), close.getString(1)));
      }
      default -> messages.add(new Arrival("<bad frame> " + text, now));
    }
  }

  public void send(JsonObject message) {
    sendText(message.encode());
  }

  /** One message, as the client's text: in SockJS framing, wrapped in a JSON array. */
  void sendText(String message) {
    ws.writeTextMessage(mode == Mode.PLAIN ? message : new JsonArray().add(message).encode()).await();
  }

  /** A raw WebSocket text message, without any framing. */
  void sendFrame(String text) {
    ws.writeTextMessage(text).await();
  }

  void sendBinary(Buffer data) {
    ws.writeBinaryMessage(data).await();
  }

  /** Authenticates with the first message; returns the {@code ready} message. */
  public JsonObject authenticate(String token) {
    send(new JsonObject().put("type", "auth").put("token", token));
    return next("ready");
  }

  /** The next message; fails when none arrives in time. */
  public JsonObject next() {
    try {
      Arrival arrival = messages.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      if (arrival == null) {
        fail("no message within " + WAIT_SECONDS + " s");
      }
      lastArrivalNanos = arrival.atNanos();
      return new JsonObject(arrival.text());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The {@link System#nanoTime} instant at which the message last returned by {@link #next()} arrived. */
  public long lastArrivalNanos() {
    return lastArrivalNanos;
  }

  /** The next message, which must be of that type. */
  public JsonObject next(String type) {
    JsonObject message = next();
    assertThat(message.getString("type")).as(message.encode()).isEqualTo(type);
    return message;
  }

  /** Proves that nothing else was queued before: a ping's pong is the very next message. */
  public void assertNothingElseArrived() {
    send(new JsonObject().put("type", "ping"));
    next("pong");
  }

  void awaitHeartbeat() throws InterruptedException {
    assertThat(heartbeats.poll(WAIT_SECONDS, TimeUnit.SECONDS)).as("SockJS heartbeat").isEqualTo("h");
  }

  public Closed awaitClose() {
    try {
      return closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("not closed within " + WAIT_SECONDS + " s", e);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  public void close() {
    if (!ws.isClosed()) {
      ws.close().await();
    }
  }

  public static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  /**
   * A valid access token for any user id, with any lifetime: signed with the test node's key, as the
   * node would sign it.
   */
  static String token(Vertx vertx, TokenSettings node, String userId, String sessionId, int ttlSeconds) {
    TokenSettings settings = new TokenSettings(SigningKeys.of(
      TestNode.JWT_SECRET.getBytes(StandardCharsets.UTF_8), java.util.List.of()),
      node.issuer(), node.audience(), ttlSeconds, 0, 0);
    return new AccessTokens(vertx, settings, Clock.systemUTC()).issue(userId, sessionId);
  }

  /** The {@code exp} claim of a JWT, in epoch seconds (tests read their own tokens). */
  static long expiry(String jwt) {
    String payload = jwt.split("\\.")[1];
    return new JsonObject(Buffer.buffer(Base64.getUrlDecoder().decode(payload))).getLong("exp");
  }

  /**
   * Waits for a condition the server reaches on its own event loops (such as the open-socket
   * count after a client closed), checking it every few milliseconds; fails after the usual wait.
   */
  static void awaitCondition(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not within " + WAIT_SECONDS + " s: " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }
}
