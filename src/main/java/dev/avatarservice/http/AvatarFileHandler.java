package dev.avatarservice.http;


import dev.avatarservice.bus.AvatarNames;
import dev.avatarservice.bus.Failure;
import dev.avatarservice.bus.Field;
import dev.avatarservice.bus.StoreClient;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code GET} and {@code HEAD /avatars/{file}[?size=N]}: avatar bytes, which belong to the store and
 * are asked of it over the event bus ({@link StoreClient#avatarFile}), kept in the node's
 * {@link AvatarCache}. The name must be exactly what the store makes ({@link AvatarNames#AVATAR}),
 * checked before anything else, and the whole rest of the path (no trailing slash); anything else is
 * 404, like an avatar no account has any more.
 *
 * <p>{@code size} (1 to the box, 512) picks the smallest variant whose longer side is at least N,
 * or the largest there is; anything else is 400. Sizes are mapped to the rendered sizes first, so
 * that the 512 possible values share a handful of cache entries.
 *
 * <p>A name never designates other bytes (every upload makes a new one), so the file's name is a
 * strong ETag and the response may be cached for a year as immutable. Avatars are meant to be shown
 * by other sites: {@code Cross-Origin-Resource-Policy: cross-origin}; the sandbox CSP makes an
 * avatar opened on its own inert.
 */
final class AvatarFileHandler implements Handler<RoutingContext> {

  static final String PREFIX = "/avatars/";
  static final String CACHE_CONTROL = "public, max-age=31536000, immutable";
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox";
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");

  private final StoreClient store;
  private final AvatarCache cache;
  private final int box;
  /** The variant sizes, ascending. */
  private final List<Integer> sizes;

  AvatarFileHandler(StoreClient store, AvatarCache cache, int box, List<Integer> sizes) {
    this.store = store;
    this.cache = cache;
    this.box = box;
    this.sizes = List.copyOf(sizes);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String name = ctx.pathParam("file");
    if (!AvatarNames.isAvatar(name) || !ctx.normalizedPath().equals(PREFIX + name)) {
      ctx.fail(404);
      return;
    }
    int size;
    try {
      size = rendered(requestedSize(ctx));
    } catch (ApiException e) {
      ctx.fail(e);
      return;
    }
    String key = name + "@" + size;
    AvatarCache.Entry cached = cache.get(key);
    if (cached != null) {
      respond(ctx, cached);
      return;
    }
    store.avatarFile(name, size).onComplete(answer -> {
      if (answer.failed()) {
        if (Failure.of(answer.cause()).orElse(null) == Failure.NOT_FOUND) {
          ctx.fail(404);
        } else {
          ctx.fail(answer.cause());
        }
        return;
      }
      JsonObject body = answer.result();
      AvatarCache.Entry entry = new AvatarCache.Entry(Buffer.buffer(body.getBinary(Field.IMAGE)),
        body.getString(Field.CONTENT_TYPE), body.getString(Field.ETAG), body.getString(Field.USER_ID));
      cache.put(key, entry);
      respond(ctx, entry);
    });
  }

  private static void respond(RoutingContext ctx, AvatarCache.Entry entry) {
    HttpServerResponse response = ctx.response()
      .putHeader(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL)
      .putHeader(HttpHeaders.ETAG, entry.etag())
      .putHeader("Cross-Origin-Resource-Policy", "cross-origin");
    if (matches(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH), entry.etag())) {
      response.setStatusCode(304).end();
      return;
    }
    response
      .putHeader(HttpHeaders.CONTENT_TYPE, entry.contentType())
      .putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(entry.bytes().length()))
      .putHeader("X-Content-Type-Options", "nosniff")
      .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    if (ctx.request().method() == HttpMethod.HEAD) {
      response.end();
    } else {
      response.end(entry.bytes());
    }
  }

  /** The {@code size} query parameter: 0 when absent. */
  private int requestedSize(RoutingContext ctx) {
    List<String> values = ctx.queryParam("size");
    if (values.isEmpty()) {
      return 0;
    }
    String value = values.size() == 1 ? values.get(0) : "";
    if (!DIGITS.matcher(value).matches() || Integer.parseInt(value) < 1 || Integer.parseInt(value) > box) {
      throw ApiException.fail(400, "invalid_size", "size must be one whole number from 1 to " + box);
    }
    return Integer.parseInt(value);
  }

  /** The smallest rendered variant size of at least {@code size}; 0 (the avatar itself) when none is. */
  private int rendered(int size) {
    if (size == 0) {
      return 0;
    }
    for (int variant : sizes) {
      if (variant >= size) {
        return variant;
      }
    }
    return 0;
  }

  /** {@code If-None-Match}: a list of entity tags (weak ones compare equal too, RFC 9110 §13.1.2), or *. */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",")) {
      String tag = candidate.trim();
      if (tag.startsWith("W/")) {
        tag = tag.substring(2);
      }
      if (tag.equals("*") || tag.equals(etag)) {
        return true;
      }
    }
    return false;
  }
}
