package dev.avatarservice.http;

import dev.avatarservice.support.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slow clients (slowloris): headers that trickle in, connections that say nothing, bodies that
 * crawl. With HTTP_HEADER_TIMEOUT at 1 s and HTTP_BODY_MIN_RATE at 1000 bytes/s each is closed
 * within about a second; before, every byte reset Vert.x's idle timeout (120 s).
 */
class SlowClientApiTest {

  private static final long HEADER_TIMEOUT_MS = 1000;
  /** Generous: the machine is shared; the point is that the connection does not live on. */
  private static final long CLOSED_WITHIN_MS = 4000;
  /** The pace of the attack: one byte every so often. */
  private static final long TRICKLE_MS = 100;

  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("HTTP_HEADER_TIMEOUT", 1, "HTTP_BODY_MIN_RATE", 1000));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void headersTricklingInAreCutAtTheHeaderTimeout() throws IOException {
    try (Socket socket = connect()) {
      long opened = System.nanoTime();
      byte[] head = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        .getBytes(StandardCharsets.US_ASCII);
      long closedAfter = trickleUntilClosed(socket, head, opened);
      assertThat(closedAfter).isBetween(HEADER_TIMEOUT_MS - 100, CLOSED_WITHIN_MS);
    }
  }

  @Test
  void aConnectionThatSendsNothingIsClosed() throws IOException {
    try (Socket socket = connect()) {
      long opened = System.nanoTime();
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
      assertThat(millisSince(opened)).isBetween(HEADER_TIMEOUT_MS - 100, CLOSED_WITHIN_MS);
    }
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterItsAnswer() throws IOException {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String answer = readAnswer(in);
      long answered = System.nanoTime();
      assertThat(answer).startsWith("HTTP/1.1 200");
      assertThat(in.read()).isEqualTo(-1);
      assertThat(millisSince(answered)).isBetween(HEADER_TIMEOUT_MS - 200, CLOSED_WITHIN_MS);
    }
  }

  @Test
  void aBodyBelowTheMinimumRateIsCut() throws IOException {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: 100000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long headersSent = System.nanoTime();
      byte[] body = new byte[100_000];
      java.util.Arrays.fill(body, (byte) ' ');
      long closedAfter = trickleUntilClosed(socket, body, headersSent);
      // 1 s of grace, then 1000 bytes per second: ten bytes a second is far below
      assertThat(closedAfter).isBetween(HEADER_TIMEOUT_MS - 100, CLOSED_WITHIN_MS);
    }
  }

  @Test
  void aBodyThatKeepsTheRateIsAnswered() throws IOException {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      String body = "{\"identifier\":\"nobody-here\",\"password\":\"" + "p".repeat(900) + "\"}";
      out.write(("POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + body.length() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
      // in two halves 600 ms apart: slower than the header timeout in total, within the body's allowance
      out.write(bytes, 0, bytes.length / 2);
      out.flush();
      sleep(600);
      out.write(bytes, bytes.length / 2, bytes.length - bytes.length / 2);
      out.flush();
      assertThat(readAnswer(socket.getInputStream())).startsWith("HTTP/1.1 401");
    }
  }

  // ---------------------------------------------------------------- helpers

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", node.port()), 5000);
    socket.setSoTimeout((int) (CLOSED_WITHIN_MS * 3));
    return socket;
  }

  /**
   * Sends one byte every {@link #TRICKLE_MS} until the server closes the connection; how long
   * after {@code since} that was. Fails if the server is still there after three times the bound.
   */
  private static long trickleUntilClosed(Socket socket, byte[] bytes, long since) throws IOException {
    OutputStream out = socket.getOutputStream();
    InputStream in = socket.getInputStream();
    socket.setSoTimeout((int) TRICKLE_MS);
    for (byte b : bytes) {
      try {
        out.write(b);
        out.flush();
      } catch (SocketException e) {
        return millisSince(since); // reset: closed
      }
      try {
        if (in.read() == -1) {
          return millisSince(since);
        }
      } catch (SocketTimeoutException e) {
        // still open: the next byte
      } catch (SocketException e) {
        return millisSince(since);
      }
      if (millisSince(since) > CLOSED_WITHIN_MS * 3) {
        break;
      }
    }
    throw new AssertionError("the server kept the connection open for " + millisSince(since) + " ms");
  }

  private static String readAnswer(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int b;
    while ((b = in.read()) != -1) {
      head.append((char) b);
      if (head.toString().endsWith("\r\n\r\n")) {
        break;
      }
    }
    String text = head.toString();
    int at = text.toLowerCase().indexOf("content-length:");
    if (at >= 0) {
      int length = Integer.parseInt(text.substring(at + 15, text.indexOf("\r\n", at)).trim());
      in.readNBytes(length);
    }
    return text;
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  /** The pace of a slow client, not a wait for the server. */
  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
