package dev.avatarservice.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;

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
