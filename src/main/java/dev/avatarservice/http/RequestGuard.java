package dev.avatarservice.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.util.List;

/**
 * Refuses with 400, before any other handler sees them, requests that would make a later handler
 * throw instead of answer: a path with a broken percent-escape ({@code /%}, {@code /%zz}), which
 * Vert.x cannot normalise, and a multipart Content-Type whose boundary or charset Netty's form
 * decoder cannot take (an empty boundary, an unknown charset).
 */
public final class RequestGuard implements Handler<RoutingContext> {

  private static final String MULTIPART_FORM = "multipart/form-data";
  private static final int MAX_BOUNDARY = 70;

  @Override
  public void handle(RoutingContext ctx) {
    String framing = ambiguousFraming(ctx.request().headers());
    if (framing != null) {
      // ConnectionGuard has marked the request: the connection closes after this answer
      ctx.fail(ApiException.fail(400, "bad_request", framing));
      return;
    }
    try {
      ctx.normalizedPath();
    } catch (IllegalArgumentException e) {
      ctx.fail(ApiException.fail(400, "bad_request", "the request path is not valid"));
      return;
    }
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null && !usableMultipartType(type)) {
      ctx.fail(ApiException.fail(400, "bad_request",
        "a multipart body needs a boundary of 1 to 70 characters and a known charset"));
      return;
    }
    ctx.next();
  }

  /**
   * Why a request's framing or target is ambiguous, or null: several Host or Content-Length
   * headers, or a Transfer-Encoding other than exactly {@code chunked} (RFC 9112 §6.1: a body
   * whose length is not known from the chunks cannot be read safely). Such a request could be
   * read differently by a proxy in front of this service.
   */
  static String ambiguousFraming(MultiMap headers) {
    if (headers.getAll(HttpHeaders.HOST).size() > 1) {
      return "a request must have one Host header";
    }
    if (headers.getAll(HttpHeaders.CONTENT_LENGTH).size() > 1) {
      return "a request must have at most one Content-Length header";
    }
    List<String> codings = headers.getAll(HttpHeaders.TRANSFER_ENCODING);
    if (!codings.isEmpty() && (codings.size() > 1 || !"chunked".equalsIgnoreCase(codings.get(0).trim()))) {
      return "the only Transfer-Encoding accepted is chunked";
    }
    return null;
  }

  /**
   * False for a multipart/form-data type the form decoder would fail on. It matches the type and
   * the parameter names by prefix, as the decoder does, so nothing it would take as a boundary or
   * a charset escapes the check.
   */
  static boolean usableMultipartType(String contentType) {
    String[] parts = contentType.split(";", -1);
    if (!parts[0].trim().regionMatches(true, 0, MULTIPART_FORM, 0, MULTIPART_FORM.length())) {
      return true;
    }
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].trim();
      int equals = parameter.indexOf('=');
      String value = equals < 0 ? null : unquote(parameter.substring(equals + 1).trim());
      if (parameter.regionMatches(true, 0, "boundary", 0, "boundary".length())) {
        if (value == null || value.isEmpty() || value.length() > MAX_BOUNDARY) {
          return false;
        }
      } else if (parameter.regionMatches(true, 0, "charset", 0, "charset".length()) && !knownCharset(value)) {
        return false;
      }
    }
    return true;
  }

  private static String unquote(String value) {
    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
      ? value.substring(1, value.length() - 1) : value;
  }

  private static boolean knownCharset(String name) {
    try {
      return name != null && Charset.isSupported(name);
    } catch (IllegalCharsetNameException e) {
      return false;
    }
  }
}
