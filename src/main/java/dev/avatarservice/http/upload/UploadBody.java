package dev.avatarservice.http.upload;

import dev.avatarservice.http.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerFileUpload;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;
import java.util.Set;

/**
 * The body of an avatar upload, read into memory with a hard bound and never written to disk:
 * either the raw image bytes ({@code image/png|jpeg|gif|webp}) or {@code multipart/form-data} with
 * one file part named {@code avatar} or {@code file}.
 *
 * <p>{@link #check} runs first on the route: it pauses the body, so that authentication and the
 * rate limit can run before a byte is read, and refuses by the headers alone a wrong
 * {@code Content-Type} (415) and a {@code Content-Length} above the limit (413). {@link #read} then
 * reads at most the limit: the image bytes of a raw body, or the file part of a form, whose framing
 * may add {@link #FORM_OVERHEAD} bytes; one byte more is refused with 413 at once.
 *
 * <p>Whenever the answer goes out before the client has sent its whole body (a refusal by the
 * headers, a bad token, 429, 413 in the middle of the body), the answer says
 * {@code Connection: close} and the server keeps reading and discarding the rest for a while before
 * closing (like nginx's lingering close): a client that writes its whole body before it reads gets
 * the JSend answer rather than a reset connection. The discarding is bounded: 8 times the limit,
 * and 10 seconds; a client still sending after that sees its connection closed.
 * Over HTTP/2 the stream is reset with NO_ERROR instead, as RFC 9113 §8.1 describes.
 */
public final class UploadBody {

  /** Room for the multipart boundaries and part headers around the file, beyond the image limit. */
  public static final long FORM_OVERHEAD = 64 * 1024;
  public static final Set<String> IMAGE_TYPES = Set.of("image/png", "image/jpeg", "image/gif", "image/webp");
  public static final Set<String> FILE_PARTS = Set.of("avatar", "file");
  private static final String MULTIPART = "multipart/form-data";
  private static final String KIND = "avatar-service.upload-kind";
  private static final long LINGER_MILLIS = 10_000;

  private enum Kind { RAW, MULTIPART }

  private final Vertx vertx;
  private final long maxBytes;
  private final long lingerBytes;

  public UploadBody(Vertx vertx, long maxBytes) {
    this.vertx = vertx;
    this.maxBytes = maxBytes;
    this.lingerBytes = 8 * maxBytes;
  }

  /** The first handler of an upload route: pauses the body and refuses what the headers already tell. */
  public void check(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!request.isEnded()) {
      request.pause();
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
    String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
    long contentLength = contentLength(request);
    if (contentType == null) {
      boolean noBody = contentLength <= 0 && request.version() != HttpVersion.HTTP_2
        && !request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
      ctx.fail(noBody ? noFile() : unsupportedType());
      return;
    }
    String mediaType = mediaType(contentType);
    Kind kind;
    if (IMAGE_TYPES.contains(mediaType)) {
      kind = Kind.RAW;
    } else if (MULTIPART.equals(mediaType)) {
      if (!contentType.toLowerCase(Locale.ROOT).contains("boundary=")) {
        ctx.fail(ApiException.fail(400, "bad_request", "a multipart/form-data body needs a boundary"));
        return;
      }
      kind = Kind.MULTIPART;
    } else {
      ctx.fail(unsupportedType());
      return;
    }
    if (contentLength > limit(kind)) {
      ctx.fail(tooLarge());
      return;
    }
    ctx.put(KIND, kind);
    ctx.next();
  }

  /** Reads the image bytes (call once {@link #check} has passed and the client may send them). */
  public Future<Buffer> read(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.isEnded()) {
      return Future.failedFuture(noFile());
    }
    if (request.version() != HttpVersion.HTTP_1_0 && "100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
      ctx.response().writeContinue();
    }
    Promise<Buffer> result = Promise.promise();
    try {
      if (ctx.<Kind>get(KIND) == Kind.RAW) {
        readRaw(request, result);
      } else {
        readForm(request, result);
      }
    } catch (IllegalStateException e) {
      result.tryFail(ApiException.fail(400, "bad_request", "the multipart/form-data body cannot be read"));
    }
    request.resume();
    return result.future();
  }

  private void readRaw(HttpServerRequest request, Promise<Buffer> result) {
    Buffer image = Buffer.buffer();
    request.handler(chunk -> {
      if (image.length() + (long) chunk.length() > maxBytes) {
        result.tryFail(tooLarge());
      } else if (!result.future().isComplete()) {
        image.appendBuffer(chunk);
      }
    });
    request.exceptionHandler(error -> result.tryFail(badBody()));
    request.endHandler(v -> {
      if (image.length() == 0) {
        result.tryFail(noFile());
      } else {
        result.tryComplete(image);
      }
    });
  }

  private void readForm(HttpServerRequest request, Promise<Buffer> result) {
    request.setExpectMultipart(true);
    long[] received = {0};
    int[] files = {0};
    Buffer[] image = {null};
    request.handler(chunk -> {
      received[0] += chunk.length();
      if (received[0] > maxBytes + FORM_OVERHEAD) {
        result.tryFail(tooLarge());
      }
    });
    request.uploadHandler(upload -> {
      files[0]++;
      if (files[0] > 1) {
        result.tryFail(ApiException.fail(400, "bad_request", "send exactly one file"));
      } else if (FILE_PARTS.contains(upload.name())) {
        image[0] = Buffer.buffer();
        collect(upload, image[0], result);
      }
    });
    request.exceptionHandler(error -> result.tryFail(badBody()));
    request.endHandler(v -> {
      if (image[0] == null || image[0].length() == 0) {
        result.tryFail(noFile());
      } else {
        result.tryComplete(image[0]);
      }
    });
  }

  private void collect(HttpServerFileUpload upload, Buffer image, Promise<Buffer> result) {
    upload.handler(chunk -> {
      if (image.length() + (long) chunk.length() > maxBytes) {
        result.tryFail(tooLarge());
      } else if (!result.future().isComplete()) {
        image.appendBuffer(chunk);
      }
    });
    upload.exceptionHandler(error -> result.tryFail(badBody()));
  }

  /**
   * The answer is out but the body is not all in: read the rest into nothing, then close, so the
   * client is not reset while it still writes; stop early after {@link #lingerBytes} or
   * {@link #LINGER_MILLIS}.
   */
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

  private long limit(Kind kind) {
    return kind == Kind.RAW ? maxBytes : maxBytes + FORM_OVERHEAD;
  }

  private static long contentLength(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String mediaType(String contentType) {
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  private static ApiException noFile() {
    return ApiException.fail(400, "no_file", "send one file part named avatar or file, or the image bytes");
  }

  private static ApiException badBody() {
    return ApiException.fail(400, "bad_request", "the upload body cannot be read");
  }

  private static ApiException unsupportedType() {
    return ApiException.fail(415, "unsupported_media_type",
      "send multipart/form-data, or the image bytes as image/png, image/jpeg, image/gif or image/webp");
  }

  public static ApiException tooLarge() {
    return ApiException.fail(413, "payload_too_large", "the image is larger than the limit");
  }
}
