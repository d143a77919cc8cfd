package dev.avatarservice.http.upload;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * When the answer goes out before the client has sent its whole body (a refusal by the headers, a
 * bad token, 429, 413 in the middle of the body), the answer says {@code Connection: close} and the
 * server keeps reading and discarding the rest for a while before closing, like nginx's lingering
 * close: a client that writes its whole body before it reads gets the JSend answer rather than a
 * reset connection. The discarding is bounded: {@code 8 x} the body limit, and 10 seconds; a client
 * still sending after that sees its connection closed. Over HTTP/2 the stream is reset with
 * NO_ERROR instead, as RFC 9113 §8.1 describes.
 */
final class LingeringClose {

  private static final long LINGER_MILLIS = 10_000;

  private final Vertx vertx;
  private final long lingerBytes;

  LingeringClose(Vertx vertx, long maxBodyBytes) {
    this.vertx = vertx;
    this.lingerBytes = 8 * maxBodyBytes;
  }

  /** Arms the lingering close for a request whose body is not read yet. */
  void arm(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.isEnded()) {
      return;
    }
    ctx.addHeadersEndHandler(v -> {
      if (!request.isEnded() && request.version() != HttpVersion.HTTP_2) {
        ctx.response().headers().set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      }
    });
    ctx.addEndHandler(ended -> {
      if (ended.succeeded() && !request.isEnded()) {
        // After the response's own bookkeeping, not inside it.
        vertx.getOrCreateContext().runOnContext(v -> discardRest(request));
      }
    });
  }

  /** The answer is out but the body is not all in: read the rest into nothing, then close. */
  private void discardRest(HttpServerRequest request) {
    if (request.isEnded()) {
      return;
    }
    if (request.version() == HttpVersion.HTTP_2) {
      request.response().reset(0);
      return;
    }
    HttpConnection connection = request.connection();
    long timer = vertx.setTimer(LINGER_MILLIS, id -> connection.close());
    long[] discarded = {0};
    if (request.isExpectMultipart()) {
      request.setExpectMultipart(false);
    }
    request.uploadHandler(null);
    request.exceptionHandler(error -> vertx.cancelTimer(timer));
    request.handler(chunk -> {
      discarded[0] += chunk.length();
      if (discarded[0] > lingerBytes) {
        vertx.cancelTimer(timer);
        connection.close();
      }
    });
    request.endHandler(v -> {
      vertx.cancelTimer(timer);
      connection.close();
    });
    request.resume();
  }
}
