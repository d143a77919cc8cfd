package dev.avatarservice.http.upload;

import dev.avatarservice.http.ApiException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;
import java.util.Set;

/**
 * The first handler of an upload route. It pauses the body, so that authentication and the rate
 * limit can run before a byte is read, arms the {@link LingeringClose} for an early answer, and
 * refuses by the headers alone a wrong {@code Content-Type} (415), a form without a boundary (400)
 * and a {@code Content-Length} above the limit (413).
 */
public final class UploadPrecheck implements Handler<RoutingContext> {

  /** Room for the multipart boundaries and part headers around the file, beyond the image limit. */
  static final long FORM_OVERHEAD = 64 * 1024;
  static final Set<String> IMAGE_TYPES = Set.of("image/png", "image/jpeg", "image/gif", "image/webp");
  private static final String MULTIPART = "multipart/form-data";

  private final long maxBytes;
  private final LingeringClose lingering;

  public UploadPrecheck(Vertx vertx, long maxBytes) {
    this.maxBytes = maxBytes;
    this.lingering = new LingeringClose(vertx, maxBytes);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!request.isEnded()) {
      request.pause();
      lingering.arm(ctx);
    }
    String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
    long contentLength = contentLength(request);
    if (contentType == null) {
      boolean noBody = contentLength <= 0 && request.version() != HttpVersion.HTTP_2
        && !request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
      ctx.fail(noBody ? UploadErrors.noFile() : UploadErrors.unsupportedType());
      return;
    }
    String mediaType = mediaType(contentType);
    UploadKind kind;
    if (IMAGE_TYPES.contains(mediaType)) {
      kind = UploadKind.RAW;
    } else if (MULTIPART.equals(mediaType)) {
      if (!contentType.toLowerCase(Locale.ROOT).contains("boundary=")) {
        ctx.fail(ApiException.fail(400, "bad_request", "a multipart/form-data body needs a boundary"));
        return;
      }
      kind = UploadKind.MULTIPART;
    } else {
      ctx.fail(UploadErrors.unsupportedType());
      return;
    }
    if (contentLength > (kind == UploadKind.RAW ? maxBytes : maxBytes + FORM_OVERHEAD)) {
      ctx.fail(UploadErrors.tooLarge());
      return;
    }
    kind.putInto(ctx);
    ctx.next();
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
}
