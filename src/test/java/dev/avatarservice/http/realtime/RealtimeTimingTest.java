package dev.avatarservice.http.realtime;

import dev.avatarservice.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import static dev.avatarservice.http.realtime.TestSocket.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The timers of a socket, on a node with short ones: 1 s to authenticate, 2 s tokens (no leeway),
 * a ping (and SockJS heartbeat) every second. The waits are for the close the test expects.
 */
class RealtimeTimingTest {

  private static final int TTL_SECONDS = 2;
  /** Close times are taken on the client, a few milliseconds after the server's timer. */
  private static final long CLOCK_SLACK_MILLIS = 50;

  private static final int IDLE_SECONDS = 3;
  private static TestNode node;
  private static Vertx clientVertx;
  private static WebSocketClient client;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("WS_AUTH_TIMEOUT", 1, "ACCESS_TOKEN_TTL", TTL_SECONDS, "JWT_LEEWAY_SECONDS", 0,
      "WS_PING_INTERVAL", 1, "HTTP_IDLE_TIMEOUT", IDLE_SECONDS));
    clientVertx = Vertx.vertx();
    client = clientVertx.createWebSocketClient();
  }

  @AfterAll
  static void stop() {
    clientVertx.close().await();
    node.close();
  }

  /** A valid token for the session of that token response with another lifetime than the node's. */
  private static String tokenWithTtl(JsonObject tokens, int ttlSeconds) {
    return TestSocket.token(clientVertx, node.settings().tokens(), tokens.getJsonObject("user").getString("id"),
      (String) dev.avatarservice.support.Jwts.claim(tokens.getString("accessToken"), "sid"), ttlSeconds);
  }

  @Test
  void aSocketThatDoesNotAuthenticateInTimeIsClosedWith4401() {
    TestSocket plain = TestSocket.open(client, node.port(), "/ws");
    TestSocket sockJs = TestSocket.open(client, node.port(),
      "/sockjs/000/" + UUID.randomUUID().toString().replace("-", "") + "/websocket");

    for (TestSocket socket : new TestSocket[] {plain, sockJs}) {
      TestSocket.Closed closed = socket.awaitClose();
      assertThat(closed.code()).isEqualTo(4401);
      assertThat(closed.reason()).isEqualTo("authentication timeout");
    }
  }

  /** Two sockets of one user at once: one keeps its first token, the other renews it. */
  @Test
  void aSocketIsClosedWith4401WhenItsTokenExpiresUnlessRenewed() {
    JsonObject alice = node.api().register("timing-alice");
    String userId = alice.getJsonObject("user").getString("id");
    String first = alice.getString("accessToken");
    String later = tokenWithTtl(alice, TTL_SECONDS + 2);
    assertThat(TestSocket.expiry(later)).isGreaterThan(TestSocket.expiry(first));
    TestSocket kept = TestSocket.open(client, node.port(), "/ws", TestSocket.Mode.PLAIN, bearer(first));
    kept.next("ready");
    TestSocket renewed = TestSocket.open(client, node.port(), "/ws");
    renewed.authenticate(first);
    assertThat(renewed.authenticate(later).getString("userId")).isEqualTo(userId);

    TestSocket.Closed expired = kept.awaitClose();
    assertThat(expired.code()).isEqualTo(4401);
    assertThat(expired.reason()).isEqualTo("token expired");
    assertThat(expired.atMillis()).isGreaterThanOrEqualTo(TestSocket.expiry(first) * 1000 - CLOCK_SLACK_MILLIS);
    assertThat(renewed.isClosed()).isFalse();

    TestSocket.Closed expiredLater = renewed.awaitClose();
    assertThat(expiredLater.code()).isEqualTo(4401);
    assertThat(expiredLater.reason()).isEqualTo("token expired");
    assertThat(expiredLater.atMillis()).isGreaterThanOrEqualTo(TestSocket.expiry(later) * 1000 - CLOCK_SLACK_MILLIS);
  }

  @Test
  void theSockJsWebSocketTransportSendsHeartbeats() throws InterruptedException {
    TestSocket socket = TestSocket.open(client, node.port(),
      "/sockjs/000/" + UUID.randomUUID().toString().replace("-", "") + "/websocket");
    socket.awaitHeartbeat();
    socket.close();
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAfterTheIdleTimeout() throws IOException {
    for (boolean afterARequest : new boolean[] {false, true}) {
      try (Socket tcp = new Socket("127.0.0.1", node.port())) {
        tcp.setSoTimeout((int) (TestSocket.WAIT_SECONDS * 1000));
        InputStream in = tcp.getInputStream();
        if (afterARequest) {
          tcp.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          assertThat(readHead(new DataInputStream(in))).startsWith("HTTP/1.1 200");
          in.skipNBytes(in.available());
        }
        long idleSince = System.nanoTime();
        assertThat(in.read()).as("the node closes the connection (after a request: %s)", afterARequest).isEqualTo(-1);
        assertThat((System.nanoTime() - idleSince) / 1e9).isGreaterThan(IDLE_SECONDS - 0.5);
      }
    }
  }

  /** The pings are writes: a socket whose peer answers them outlives the idle timeout. */
  @Test
  void aSocketThatAnswersPingsOutlivesTheIdleTimeout() throws IOException {
    try (Socket tcp = rawWebSocket("timing-dave")) {
      OutputStream out = tcp.getOutputStream();
      DataInputStream in = new DataInputStream(tcp.getInputStream());
      long opened = System.nanoTime();
      int pings = 0;
      // one ping a second; answering each one, past twice the idle timeout
      while ((System.nanoTime() - opened) / 1e9 < 2 * IDLE_SECONDS) {
        int opcode = in.readUnsignedByte() & 0x0F;
        byte[] payload = new byte[in.readUnsignedByte() & 0x7F];
        in.readFully(payload);
        assertThat(opcode).as("a close frame: %s", new String(payload, StandardCharsets.UTF_8)).isNotEqualTo(0x8);
        if (opcode == 0x9) {
          pings++;
          out.write(maskedPong(payload));
        }
      }
      assertThat(pings).isGreaterThanOrEqualTo(2 * IDLE_SECONDS - 1);
    }
  }

  /** A client's frames are masked (RFC 6455): a pong with the ping's payload. */
  private static byte[] maskedPong(byte[] payload) {
    byte[] mask = {1, 2, 3, 4};
    byte[] frame = new byte[6 + payload.length];
    frame[0] = (byte) 0x8A;
    frame[1] = (byte) (0x80 | payload.length);
    System.arraycopy(mask, 0, frame, 2, 4);
    for (int i = 0; i < payload.length; i++) {
      frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    return frame;
  }

  /** A peer that never answers the server's pings (a raw client; Vert.x's would answer them). */
  @Test
  void aPeerThatDoesNotAnswerPingsIsClosed() throws IOException {
    try (Socket tcp = rawWebSocket("timing-carol")) {
      DataInputStream in = new DataInputStream(tcp.getInputStream());

      int pings = 0;
      while (true) {
        int opcode = in.readUnsignedByte() & 0x0F;
        byte[] payload = new byte[in.readUnsignedByte() & 0x7F]; // server frames: unmasked, short here
        in.readFully(payload);
        if (opcode == 0x9) {
          pings++;
        } else if (opcode == 0x8) {
          int code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
          assertThat(code).isEqualTo(1013);
          assertThat(new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)).isEqualTo("no pong");
          break;
        }
      }
      assertThat(pings).isEqualTo(1);
    }
  }

  /**
   * A WebSocket on /ws of a new user (a token valid for a minute), opened over a plain socket: its
   * frames are read and written by hand, so nothing answers the server's pings unless the test does.
   * The 101 has been read.
   */
  private static Socket rawWebSocket(String identifier) throws IOException {
    JsonObject user = node.api().register(identifier);
    String token = tokenWithTtl(user, 60);
    Socket tcp = new Socket("127.0.0.1", node.port());
    tcp.setSoTimeout((int) (TestSocket.WAIT_SECONDS * 1000));
    tcp.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
      + "Authorization: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    assertThat(readHead(new DataInputStream(tcp.getInputStream()))).startsWith("HTTP/1.1 101");
    return tcp;
  }

  private static String readHead(DataInputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      head.write(in.readUnsignedByte());
    }
    return head.toString(StandardCharsets.US_ASCII);
  }
}
