package dev.avatarservice.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Writes the JSend envelope: success and fail carry {@code data}; error carries message and code.
 * Every JSON answer of the API may carry an account, a token or an error about them, so none is
 * cached ({@code Cache-Control: no-store}, unless the route set a policy of its own), and none may
 * be framed or run anything if a browser is tricked into rendering it
 * ({@code Content-Security-Policy: default-src 'none'; frame-ancestors 'none'}).
 */
public final class JSend {

  private static final String JSON = "application/json; charset=utf-8";
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

  private JSend() {
  }

  public static Future<Void> success(RoutingContext ctx, int status, Object data) {
    return send(ctx, status, new JsonObject().put("status", "success").put("data", data));
  }

  /** A client failure that is not about one field: {@code {"message", "code"}}. */
  public static Future<Void> fail(RoutingContext ctx, int status, String code, String message) {
    return send(ctx, status, new JsonObject().put("status", "fail")
      .put("data", new JsonObject().put("message", message).put("code", code)));
  }

  /** A validation failure keyed by field: {@code {"identifier": "..."}}. */
  public static Future<Void> failFields(RoutingContext ctx, JsonObject fields) {
    return send(ctx, 400, new JsonObject().put("status", "fail").put("data", fields));
  }

  /** A server error: never a stack trace or SQL, only a message for people. */
  public static Future<Void> error(RoutingContext ctx, int status, String message, JsonObject data) {
    JsonObject body = new JsonObject().put("status", "error").put("message", message).put("code", status);
    if (data != null) {
      body.put("data", data);
    }
    return send(ctx, status, body);
  }

  private static Future<Void> send(RoutingContext ctx, int status, JsonObject body) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      return Future.succeededFuture();
    }
    if (!response.headers().contains(HttpHeaders.CACHE_CONTROL)) {
      response.putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    }
    Buffer bytes = body.toBuffer();
    // set here, not by Vert.x, so that the answer to a HEAD request carries it too
    return response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON)
      .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(bytes.length()))
      .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY).end(bytes);
  }
}
