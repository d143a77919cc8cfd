package dev.avatarservice.http.upload;

import dev.avatarservice.http.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerFileUpload;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;

/**
 * Reads an upload's image into memory with a hard bound, never to disk, once {@link UploadPrecheck}
 * has passed and the client may send it: the bytes of a raw body, or the one file part of a form,
 * whose framing may add {@link UploadPrecheck#FORM_OVERHEAD} bytes. One byte over the limit is
 * refused with 413 at once.
 */
public final class BoundedBodyReader {

  static final Set<String> FILE_PARTS = Set.of("avatar", "file");

  private final long maxBytes;

  public BoundedBodyReader(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  public Future<Buffer> read(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.isEnded()) {
      return Future.failedFuture(UploadErrors.noFile());
    }
    if (request.version() != HttpVersion.HTTP_1_0 && "100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
      ctx.response().writeContinue();
    }
    Promise<Buffer> result = Promise.promise();
    try {
      if (UploadKind.of(ctx) == UploadKind.RAW) {
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
    request.handler(chunk -> append(image, chunk, result));
    request.exceptionHandler(error -> result.tryFail(UploadErrors.badBody()));
    request.endHandler(v -> complete(image, result));
  }

  private void readForm(HttpServerRequest request, Promise<Buffer> result) {
    request.setExpectMultipart(true);
    long[] received = {0};
    int[] files = {0};
    Buffer[] image = {null};
    request.handler(chunk -> {
      received[0] += chunk.length();
      if (received[0] > maxBytes + UploadPrecheck.FORM_OVERHEAD) {
        result.tryFail(UploadErrors.tooLarge());
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
    request.exceptionHandler(error -> result.tryFail(UploadErrors.badBody()));
    request.endHandler(v -> complete(image[0], result));
  }

  private void collect(HttpServerFileUpload upload, Buffer image, Promise<Buffer> result) {
    upload.handler(chunk -> append(image, chunk, result));
    upload.exceptionHandler(error -> result.tryFail(UploadErrors.badBody()));
  }

  private void append(Buffer image, Buffer chunk, Promise<Buffer> result) {
    if (image.length() + (long) chunk.length() > maxBytes) {
      result.tryFail(UploadErrors.tooLarge());
    } else if (!result.future().isComplete()) {
      image.appendBuffer(chunk);
    }
  }

  private static void complete(Buffer image, Promise<Buffer> result) {
    if (image == null || image.length() == 0) {
      result.tryFail(UploadErrors.noFile());
    } else {
      result.tryComplete(image);
    }
  }
}
