package dev.avatarservice.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * HTTP/1.1 over a plain socket, for requests no client library would send: odd bytes in the request
 * line and headers, repeated or missing headers, hand-made framing. One request per connection;
 * the response is read by its own framing (Content-Length, chunked, or up to the close), so a
 * connection the server keeps open does not make the test wait.
 */
public final class RawHttp {

  private static final int CONNECT_TIMEOUT_MS = 5_000;
  private static final int READ_TIMEOUT_MS = 10_000;
  private static final int MAX_HEAD_BYTES = 64 * 1024;

  private RawHttp() {
  }

  /** What came back: nothing (the server closed the connection without a word), or a response. */
  public static Optional<Response> exchange(int port, byte[] request, boolean head) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MS);
      socket.setSoTimeout(READ_TIMEOUT_MS);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (SocketException e) {
        // the server may answer and close before it has read everything (a 413, a 431): read on
      }
      return read(socket.getInputStream(), head);
    } catch (IOException e) {
      throw new UncheckedIOException("exchange with 127.0.0.1:" + port + " failed", e);
    }
  }

  /**
   * Everything the server answers to these bytes on one connection, in order, and whether it then
   * closed the connection; a connection still open after {@code quietMillis} without a byte counts
   * as kept open. For pipelined and smuggled requests.
   */
  public static Conversation converse(int port, byte[] requests, int quietMillis) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MS);
      socket.setSoTimeout(quietMillis);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(requests);
        out.flush();
      } catch (SocketException e) {
        // answered and closed before everything was read: read on
      }
      InputStream in = socket.getInputStream();
      List<Response> responses = new ArrayList<>();
      while (true) {
        Optional<Response> response;
        try {
          response = read(in, false);
        } catch (java.net.SocketTimeoutException e) {
          return new Conversation(responses, false);
        }
        if (response.isEmpty()) {
          return new Conversation(responses, true);
        }
        responses.add(response.get());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("exchange with 127.0.0.1:" + port + " failed", e);
    }
  }

  /** Every byte the server sends back to these bytes until it closes the connection (ISO-8859-1). */
  public static String untilClosed(int port, byte[] request) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MS);
      socket.setSoTimeout(READ_TIMEOUT_MS);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException("exchange with 127.0.0.1:" + port + " failed", e);
    }
  }

  /** What {@link #converse} saw: the responses, and whether the server closed the connection after them. */
  public record Conversation(List<Response> responses, boolean closed) {
  }

  private static Optional<Response> read(InputStream in, boolean head) throws IOException {
    byte[] headBytes;
    try {
      headBytes = readHead(in);
    } catch (SocketException e) {
      return Optional.empty(); // reset by the server before any response
    }
    if (headBytes == null) {
      return Optional.empty();
    }
    String[] lines = new String(headBytes, StandardCharsets.ISO_8859_1).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP response: " + lines[0]);
    }
    int status = Integer.parseInt(statusLine[1]);
    List<String[]> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) {
        throw new IOException("bad response header line: " + lines[i]);
      }
      headers.add(new String[] {lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()});
    }
    Response partial = new Response(status, headers, new byte[0]);
    if (head || status == 101 || status == 204 || status == 304 || status < 200) {
      return Optional.of(partial);
    }
    byte[] body;
    String transferEncoding = partial.header("Transfer-Encoding");
    String contentLength = partial.header("Content-Length");
    if (transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked")) {
      body = readChunked(in);
    } else if (contentLength != null) {
      body = in.readNBytes(Integer.parseInt(contentLength));
    } else {
      body = in.readAllBytes();
    }
    return Optional.of(new Response(status, headers, body));
  }

  /** The bytes before the blank line, or null if the connection ended before the first byte. */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (head.size() == 0) {
          return null;
        }
        throw new EOFException("connection closed inside the response head: " + head);
      }
      head.write(b);
      matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
        ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == 4) {
        byte[] bytes = head.toByteArray();
        return java.util.Arrays.copyOf(bytes, bytes.length - 4);
      }
      if (head.size() > MAX_HEAD_BYTES) {
        throw new IOException("response head longer than " + MAX_HEAD_BYTES + " bytes");
      }
    }
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = readLine(in);
      int semicolon = sizeLine.indexOf(';');
      int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
      if (size == 0) {
        while (!readLine(in).isEmpty()) {
          // trailers
        }
        return body.toByteArray();
      }
      body.write(in.readNBytes(size));
      readLine(in);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new EOFException("connection closed inside a chunked body");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  /** A response: status, headers in order (names as sent), body bytes. */
  public record Response(int status, List<String[]> headers, byte[] body) {

    /** The first value of that header, case-insensitively, or null. */
    public String header(String name) {
      return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst().orElse(null);
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      StringBuilder text = new StringBuilder().append(status);
      headers.forEach(h -> text.append("\n  ").append(h[0]).append(": ").append(h[1]));
      String bodyText = bodyText();
      return text.append("\n  ").append(bodyText.length() > 600 ? bodyText.substring(0, 600) + "..." : bodyText)
        .toString();
    }
  }
}
