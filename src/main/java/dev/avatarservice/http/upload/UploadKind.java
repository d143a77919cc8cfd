package dev.avatarservice.http.upload;

import io.vertx.ext.web.RoutingContext;

/** How an upload's image arrives, as {@link UploadPrecheck} found it for {@link BoundedBodyReader}. */
enum UploadKind {
  /** The image bytes as the body, {@code image/png|jpeg|gif|webp}. */
  RAW,
  /** {@code multipart/form-data} with one file part named {@code avatar} or {@code file}. */
  MULTIPART;

  private static final String KEY = "avatar-service.upload-kind";

  void putInto(RoutingContext ctx) {
    ctx.put(KEY, this);
  }

  static UploadKind of(RoutingContext ctx) {
    return ctx.get(KEY);
  }
}
