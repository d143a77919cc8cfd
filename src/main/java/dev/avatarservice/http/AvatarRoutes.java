package dev.avatarservice.http;

import dev.avatarservice.http.upload.BoundedBodyReader;
import dev.avatarservice.http.upload.UploadPrecheck;
import dev.avatarservice.image.AvatarImageProcessor;
import dev.avatarservice.image.AvatarImages;
import dev.avatarservice.image.ImageRejectedException;
import dev.avatarservice.bus.EventAddress;
import dev.avatarservice.bus.Events;
import dev.avatarservice.bus.Field;
import dev.avatarservice.bus.StoreClient;
import dev.avatarservice.config.AvatarSettings;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import dev.avatarservice.worker.BoundedPool;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The avatar routes: upload ({@code POST /api/user/avatar}, alias {@code POST /avatar}), removal
 * ({@code DELETE} on both) and the files ({@code GET /avatars/{file}}).
 *
 * <p>An upload goes: {@link UploadPrecheck} (415 / 413 by the headers alone, body paused) ->
 * bearer token and account ({@link BearerAuth}, 401) -> per-user rate limit (429) -> one upload in
 * progress per user ({@link UploadsInFlight}, 429) -> the body, read
 * into memory up to the limit (400 / 413) -> decode, scale and re-encode on the image pool
 * ({@link BoundedPool}: 503 when full; 415 / 422 for what {@link AvatarImageProcessor} refuses) -> the
 * store writes the avatar and its variants and points the account at them, deleting the previous
 * ones -> publish
 * {@code avatar.changed} -> {@code 200 {avatarUrl, user}}.
 */
public final class AvatarRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(AvatarRoutes.class);
  static final List<String> PATHS = List.of("/api/user/avatar", "/avatar");

  private final Vertx vertx;
  private final StoreClient store;
  private final BearerAuth bearer;
  private final RateLimiter uploadLimiter;
  private final BoundedPool imagePool;
  private final AvatarImageProcessor processor;
  private final UploadPrecheck precheck;
  private final BoundedBodyReader body;
  private final AvatarFileHandler files;
  private final UploadsInFlight inFlight;
  /** This node's avatar bytes: forgotten here before an answer, on the other nodes by the events. */
  private final AvatarCache cache;
  private final Clock clock;

  /**
   * Everything per node (the rate limiter, the gate and the pool) is shared by the HTTP verticle
   * instances; the per-user upload limit is kept per node, so with N nodes a user may upload up to
   * N times the limit.
   */
  public AvatarRoutes(Vertx vertx, AvatarSettings settings, StoreClient store, BearerAuth bearer, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.bearer = bearer;
    this.clock = clock;
    this.uploadLimiter = NodeShared.get(vertx, "avatar-upload-limiter",
      () -> new RateLimiter(settings.uploadsPerMinute(), 60_000, clock::millis));
    // a decode may hold up to AVATAR_DECODE_MEMORY: refuse beyond the queue rather than pile up memory
    this.imagePool = BoundedPool.shared(vertx, "avatar-images", settings.imageThreads(), settings.imageQueue(),
      "too many images in progress; try again shortly", 2);
    this.processor = new AvatarImageProcessor(settings.maxPixels(), settings.size(), settings.sizes(),
      settings.decodeMemory(), settings.cpuBudgetMs());
    this.precheck = new UploadPrecheck(vertx, settings.maxBytes());
    this.body = new BoundedBodyReader(settings.maxBytes());
    this.inFlight = NodeShared.get(vertx, "avatar-uploads-in-flight", UploadsInFlight::new);
    AvatarCache mine = new AvatarCache(settings.cacheBytes());
    AvatarCache cache = NodeShared.get(vertx, AvatarCache.NODE_SHARED_NAME, () -> mine);
    this.cache = cache;
    this.files = new AvatarFileHandler(store, cache, settings.size(), settings.sizes());
    if (cache == mine) {
      // One set of clustered consumers per node, by the instance that made the cache (a consumer per
      // instance would multiply the cluster's registrations for nothing): see AvatarCache.
      for (String address : new String[] {EventAddress.AVATAR_CHANGED, EventAddress.AVATAR_REMOVED, EventAddress.USER_DELETED}) {
        vertx.eventBus().<JsonObject>consumer(address, event -> cache.forgetUser(event.body().getString(Field.USER_ID)));
      }
    }
  }

  public void mount(Router router) {
    for (String path : PATHS) {
      router.post(path).handler(precheck).handler(bearer).handler(this::limited).handler(this::oneAtATime)
        .handler(this::upload);
      router.delete(path).handler(bearer).handler(this::remove);
    }
    router.get(AvatarFileHandler.PREFIX + ":file").handler(files);
    router.head(AvatarFileHandler.PREFIX + ":file").handler(files);
  }

  private void limited(RoutingContext ctx) {
    long retryAfter = uploadLimiter.acquire(BearerAuth.userId(ctx));
    if (retryAfter > 0) {
      ctx.fail(ApiException.rateLimited(retryAfter, ServiceMetrics.AVATAR_UPLOADS));
    } else {
      ctx.next();
    }
  }

  /** One upload in progress per user (429 for another), released whatever the outcome. */
  private void oneAtATime(RoutingContext ctx) {
    String userId = BearerAuth.userId(ctx);
    if (!inFlight.start(userId)) {
      ctx.fail(ApiException.fail(429, "upload_in_progress", "another upload of this account is in progress")
        .header("Retry-After", "1"));
      return;
    }
    AtomicBoolean held = new AtomicBoolean(true);
    Handler<Void> release = done -> {
      if (held.compareAndSet(true, false)) {
        inFlight.finish(userId);
      }
    };
    // before the answer leaves: a client that sends its next upload as soon as it reads this answer
    // (on another connection, so maybe another event loop) must not find this one still in progress
    ctx.addHeadersEndHandler(release);
    // and for a request that ends without an answer (its connection closed)
    ctx.addEndHandler(ended -> release.handle(null));
    ctx.next();
  }

  private void upload(RoutingContext ctx) {
    String userId = BearerAuth.userId(ctx);
    body.read(ctx)
      .compose(this::render)
      .compose(images -> store.setAvatar(userId, images.extension(), images.main(), images.variants()))
      .onSuccess(reply -> {
        JsonObject user = reply.getJsonObject(Field.USER);
        String avatarUrl = user.getString(Field.AVATAR_URL);
        // the replaced avatar is gone from the store: from the answer on, this node no longer serves it
        cache.forgetUser(userId);
        vertx.eventBus().publish(EventAddress.AVATAR_CHANGED, Events.avatarChanged(userId, avatarUrl, clock.instant()));
        JSend.success(ctx, 200, new JsonObject().put(Field.AVATAR_URL, avatarUrl).put(Field.USER, user));
      })
      .onFailure(ctx::fail);
  }

  private void remove(RoutingContext ctx) {
    String userId = BearerAuth.userId(ctx);
    store.removeAvatar(userId)
      .onSuccess(reply -> {
        if (reply.getString(Field.PREVIOUS_AVATAR_URL) != null) {
          cache.forgetUser(userId);
          vertx.eventBus().publish(EventAddress.AVATAR_REMOVED, Events.avatarRemoved(userId, clock.instant()));
        }
        JSend.success(ctx, 200, new JsonObject().putNull(Field.AVATAR_URL).put(Field.USER, reply.getJsonObject(Field.USER)));
      })
      .onFailure(ctx::fail);
  }

  /** Decodes, scales and re-encodes on the image pool; the upload's bytes are copied there too. */
  private Future<AvatarImages> render(Buffer upload) {
    return imagePool.<AvatarImages>run(() -> processor.process(upload.getBytes()))
      .recover(error -> Future.failedFuture(error instanceof ImageRejectedException rejected ? refusal(rejected) : error));
  }

  private static ApiException refusal(ImageRejectedException rejected) {
    // The cause may quote the upload: debug only, never above.
    LOG.debug("Avatar image refused: {}", rejected.reason(), rejected.getCause());
    return switch (rejected.reason()) {
      case UNSUPPORTED_TYPE -> ApiException.fail(415, "unsupported_media_type", rejected.getMessage());
      case TOO_MANY_PIXELS -> ApiException.fail(422, "image_too_large", rejected.getMessage());
      case TOO_COMPLEX -> ApiException.fail(422, "image_too_complex", rejected.getMessage());
      case UNDECODABLE -> ApiException.fail(422, "image_undecodable", rejected.getMessage());
    };
  }
}
