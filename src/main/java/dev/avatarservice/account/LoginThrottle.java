package dev.avatarservice.account;

import dev.avatarservice.bus.SharedNames;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.LongSupplier;

/**
 * Counts failed logins per identifier and client address in the Vert.x shared async map: local on
 * a single node, a Hazelcast map in a cluster, so the limit holds for the whole cluster. After
 * {@code limit} failures within the window, logins for that pair are refused with 429 until the
 * window ends; a success clears the count. Keys are hashes: no identifier or address is kept.
 *
 * <p>Entries expire at the end of their window. A compare-and-set without a time to live would make
 * an entry immortal (both Vert.x's local map and Hazelcast drop the TTL on replace), so the count is
 * replaced with the window's remaining TTL where the map supports that (the local map); the
 * Hazelcast map of vertx-hazelcast 5.0.7 does not, and there the map's own time to live, set from
 * {@code LOGIN_FAILURES_WINDOW} by {@code HazelcastSettings}, expires entries a window after their
 * last change.
 */
public final class LoginThrottle {

  private static final int CAS_ATTEMPTS = 8;

  private final Future<AsyncMap<String, JsonObject>> map;
  private final int limit;
  private final long windowMillis;
  private final LongSupplier clock;
  private volatile boolean replaceWithTtl = true;

  public LoginThrottle(Vertx vertx, int limit, long windowSeconds, LongSupplier clock) {
    this.map = vertx.sharedData().getAsyncMap(SharedNames.LOGIN_FAILURES);
    this.limit = limit;
    this.windowMillis = windowSeconds * 1000;
    this.clock = clock;
  }

  /** Fails with a {@link LoginLockedException} while the pair is locked out. */
  public Future<Void> check(String key) {
    return map.compose(failures -> failures.get(key)).compose(entry -> {
      long now = clock.getAsLong();
      if (entry != null && entry.getInteger("count") >= limit && entry.getLong("until") > now) {
        return Future.failedFuture(new LoginLockedException((entry.getLong("until") - now + 999) / 1000));
      }
      return Future.succeededFuture();
    });
  }

  public Future<Void> recordFailure(String key) {
    return map.compose(failures -> increment(failures, key, CAS_ATTEMPTS));
  }

  public Future<Void> clear(String key) {
    return map.compose(failures -> failures.remove(key)).mapEmpty();
  }

  private Future<Void> increment(AsyncMap<String, JsonObject> failures, String key, int attempts) {
    long now = clock.getAsLong();
    return failures.get(key).compose(current -> {
      if (current == null) {
        JsonObject first = new JsonObject().put("count", 1).put("until", now + windowMillis);
        return failures.putIfAbsent(key, first, windowMillis).map(previous -> previous == null);
      }
      JsonObject next = current.getLong("until") <= now
        ? new JsonObject().put("count", 1).put("until", now + windowMillis)
        : current.copy().put("count", current.getInteger("count") + 1);
      return replace(failures, key, current, next, Math.max(1, next.getLong("until") - now));
    }).compose(done -> done || attempts <= 1 ? Future.<Void>succeededFuture() : increment(failures, key, attempts - 1));
  }

  /** Compare-and-set that keeps the entry expiring, with the TTL where the map supports it. */
  private Future<Boolean> replace(AsyncMap<String, JsonObject> failures, String key, JsonObject current,
                                  JsonObject next, long ttlMillis) {
    if (!replaceWithTtl) {
      return failures.replaceIfPresent(key, current, next);
    }
    return failures.replaceIfPresent(key, current, next, ttlMillis).recover(error -> {
      if (error instanceof UnsupportedOperationException) {
        replaceWithTtl = false;
        return failures.replaceIfPresent(key, current, next);
      }
      return Future.failedFuture(error);
    });
  }

  /** The map key of an identifier and client address. */
  public static String key(String identifierKey, String clientAddress) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
        .digest((identifierKey + "\n" + clientAddress).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }
}
