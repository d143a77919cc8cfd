package dev.avatarservice.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One request as bytes on the wire, built without a client library's checks: method, request
 * target and header values may hold any character (those above U+00FF are sent as UTF-8 bytes), the
 * body may be sent chunked, and Host may be left out. {@link #malformed()} tells whether HTTP/1.1
 * itself forbids the request, in which case closing the connection without an answer is a fair reply.
 */
public record HostileRequest(String method, String target, List<Header> headers, byte[] body, boolean chunked,
                             boolean withHost) {

  public record Header(String name, String value) {
  }

  public static HostileRequest of(String method, String target) {
    return new HostileRequest(method, target, List.of(), null, false, true);
  }

  public HostileRequest withHeader(String name, String value) {
    List<Header> more = new ArrayList<>(headers);
    more.add(new Header(name, value));
    return new HostileRequest(method, target, more, body, chunked, withHost);
  }

  public HostileRequest withHeaders(List<Header> extra) {
    List<Header> more = new ArrayList<>(headers);
    more.addAll(extra);
    return new HostileRequest(method, target, more, body, chunked, withHost);
  }

  public HostileRequest withBody(byte[] newBody) {
    return new HostileRequest(method, target, headers, newBody, chunked, withHost);
  }

  public HostileRequest chunked(boolean isChunked) {
    return new HostileRequest(method, target, headers, body, isChunked, withHost);
  }

  public HostileRequest withHost(boolean sendHost) {
    return new HostileRequest(method, target, headers, body, chunked, sendHost);
  }

  /** The path the router sees (the target without its query), for choosing the rules of the answer. */
  public String path() {
    String path = target;
    int query = path.indexOf('?');
    return query < 0 ? path : path.substring(0, query);
  }

  public boolean isHead() {
    return "HEAD".equals(method);
  }

  public Optional<String> header(String name) {
    return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(Header::value).findFirst();
  }

  /** Sends it to a node on this machine and reads what comes back. */
  public Optional<RawHttp.Response> sendTo(int port) {
    return RawHttp.exchange(port, toBytes(port), isHead());
  }

  public byte[] toBytes(int port) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, method + " " + target + " HTTP/1.1\r\n");
    if (withHost) {
      write(out, "Host: 127.0.0.1:" + port + "\r\n");
    }
    for (Header header : headers) {
      write(out, header.name() + ": " + header.value() + "\r\n");
    }
    // A Transfer-Encoding among the headers decides the framing (as it does for the server, over any
    // Content-Length): the body is then sent so that the request ends under it, and never hangs.
    Optional<String> transferEncoding = header("Transfer-Encoding");
    boolean sendChunked = transferEncoding.map(te -> te.toLowerCase(Locale.ROOT).contains("chunked")).orElse(chunked);
    if (transferEncoding.isEmpty() && body != null) {
      write(out, chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n");
    } else if (transferEncoding.isPresent() && !sendChunked) {
      write(out, "Content-Length: " + (body == null ? 0 : body.length) + "\r\n");
    }
    write(out, "Connection: close\r\n\r\n");
    if (body == null && transferEncoding.isPresent() && sendChunked) {
      write(out, "0\r\n\r\n");
    }
    if (body != null) {
      if (sendChunked) {
        int chunk = Math.max(1, body.length / 3);
        for (int at = 0; at < body.length; at += chunk) {
          int length = Math.min(chunk, body.length - at);
          write(out, Integer.toHexString(length) + "\r\n");
          out.write(body, at, length);
          write(out, "\r\n");
        }
        write(out, "0\r\n\r\n");
      } else {
        out.writeBytes(body);
      }
    }
    return out.toByteArray();
  }

  /**
   * Whether HTTP/1.1 (RFC 9110, 9112) forbids this request: a method that is not a token, a target
   * with bytes outside visible ASCII, a header name that is not a token or a value with a control
   * character, no Host or more than one, or Content-Length beside Transfer-Encoding.
   */
  public boolean malformed() {
    if (!isToken(method) || target.isEmpty() || target.chars().anyMatch(c -> c <= 0x20 || c >= 0x7F)) {
      return true;
    }
    long hosts = headers.stream().filter(h -> h.name().equalsIgnoreCase("Host")).count() + (withHost ? 1 : 0);
    if (hosts != 1) {
      return true;
    }
    for (Header header : headers) {
      if (!isToken(header.name()) || header.value().chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7F)
        || header.name().equalsIgnoreCase("Content-Length") || header.name().equalsIgnoreCase("Transfer-Encoding")) {
        return true;
      }
    }
    return false;
  }

  private static boolean isToken(String text) {
    return !text.isEmpty() && text.chars().allMatch(c -> c > 0x20 && c < 0x7F && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0);
  }

  private static void write(ByteArrayOutputStream out, String text) {
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      if (c <= 0xFF) {
        out.write(c);
      } else {
        out.writeBytes(new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8));
      }
      i += Character.charCount(c);
    }
  }

  /** Printable form for a failure report: control characters and long bodies shown safely. */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder(visible(method)).append(' ').append(visible(target));
    if (!withHost) {
      text.append(" (no Host)");
    }
    for (Header header : headers) {
      text.append("\n  ").append(visible(header.name())).append(": ").append(visible(header.value()));
    }
    if (body != null) {
      String bodyText = new String(body, StandardCharsets.UTF_8);
      text.append("\n  [").append(body.length).append(" bytes").append(chunked ? ", chunked" : "").append("] ")
        .append(visible(bodyText.length() > 400 ? bodyText.substring(0, 400) + "..." : bodyText));
    }
    return text.toString();
  }

  /** The text with control, format and non-ASCII characters as {@code \\uXXXX}, and long runs cut. */
  public static String visible(String text) {
    String bounded = text.length() > 300 ? text.substring(0, 300) + "...(" + text.length() + " chars)" : text;
    StringBuilder out = new StringBuilder();
    bounded.chars().forEach(c -> {
      if (c >= 0x20 && c < 0x7F) {
        out.append((char) c);
      } else {
        out.append(String.format(Locale.ROOT, "\\u%04x", c));
      }
    });
    return out.toString();
  }
}
