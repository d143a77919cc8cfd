package dev.avatarservice.http.realtime;

import dev.avatarservice.http.ApiException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.Transport;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Our side of the SockJS protocol. Its two WebSocket transports are served by {@link Handshakes}
 * and {@link WebSocketChannel}, so that they carry the contract's close codes; Vert.x's SockJS
 * handler serves the HTTP transports, without JSONP and htmlfile (script injection), the iframe
 * page (it loads the SockJS client from a CDN) or JSESSIONID cookies ({@link SockJsSessionGuard}
 * binds sessions instead). {@code /info} and the check of {@code xhr_send} bodies are ours.
 */
final class SockJsProtocol {

  private SockJsProtocol() {
  }

  static SockJSHandlerOptions handlerOptions(RealtimeSettings settings) {
    return new SockJSHandlerOptions()
      .setInsertJSESSIONID(false)
      .setRegisterWriteHandler(false)
      .setHeartbeatInterval(settings.pingIntervalMillis())
      .addDisabledTransport(Transport.JSON_P.name())
      .addDisabledTransport(Transport.HTML_FILE.name());
  }

  /**
   * SockJS's {@code /info}, answered here rather than by Vert.x, which says {@code cookie_needed}
   * only when it sets its own JSESSIONID: {@code cookie_needed: true} is what makes sockjs-client
   * send cookies on its HTTP transports (and avoid the ones that cannot carry them).
   */
  static void info(RoutingContext ctx) {
    JsonObject info = new JsonObject()
      .put("websocket", true)
      .put("cookie_needed", true)
      .put("origins", new JsonArray().add("*:*"))
      .put("entropy", ThreadLocalRandom.current().nextLong(1L << 32));
    String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    if (origin != null) {
      // an allowed origin (checked before): its pages may send the session cookie
      ctx.response().putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
        .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true")
        .putHeader(HttpHeaders.VARY, HttpHeaders.ORIGIN);
    }
    ctx.response()
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=UTF-8")
      .putHeader(HttpHeaders.CACHE_CONTROL, "no-store, no-cache, no-transform, must-revalidate, max-age=0")
      .end(info.encode());
  }

  /**
   * An {@code xhr_send} body must be SockJS framing (a JSON array of strings): Vert.x answers an
   * empty or malformed one with a text/plain 500, as if it were the server's fault.
   */
  static void checkSentFrame(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      ctx.fail(ApiException.fail(400, "empty_payload", "xhr_send needs a body: a JSON array of messages"));
    } else if (WebSocketChannel.sockJsDecode(body.toString(StandardCharsets.UTF_8)) == null) {
      ctx.fail(ApiException.fail(400, "bad_frame", "xhr_send takes a JSON array of strings"));
    } else {
      ctx.next();
    }
  }
}
