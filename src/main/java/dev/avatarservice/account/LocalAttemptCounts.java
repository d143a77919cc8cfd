package dev.avatarservice.account;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The attempt counts of a single node: one {@link ConcurrentHashMap} for every HTTP verticle
 * instance of the node, each change one {@code compute} on its key. Windows that ended are swept
 * as the map is used.
 */
public final class LocalAttemptCounts implements AttemptCounts, Shareable {

  private static final String SHARED = "avatar-service.login-attempts";
  private static final int SWEEP_EVERY = 1024;

  private final Map<String, Count> counts = new ConcurrentHashMap<>();
  private final AtomicLong uses = new AtomicLong();

  /** The one instance of this node. */
  public static LocalAttemptCounts of(Vertx vertx) {
    LocalMap<String, LocalAttemptCounts> shared = vertx.sharedData().getLocalMap(SHARED);
    LocalAttemptCounts created = new LocalAttemptCounts();
    LocalAttemptCounts existing = shared.putIfAbsent(SHARED, created);
    return existing != null ? existing : created;
  }

  @Override
  public Future<Long> reserve(String key, int limit, long now, long windowMillis) {
    if (uses.incrementAndGet() % SWEEP_EVERY == 0) {
      counts.values().removeIf(count -> count.until <= now);
    }
    long[] wait = {0};
    counts.compute(key, (k, current) -> {
      if (current == null || current.until <= now) {
        return new Count(1, now + windowMillis);
      }
      if (current.attempts >= limit) {
        wait[0] = current.until - now;
        return current;
      }
      return new Count(current.attempts + 1, current.until);
    });
    return Future.succeededFuture(wait[0]);
  }

  @Override
  public Future<Void> release(String key, long now) {
    counts.computeIfPresent(key, (k, current) ->
      current.until <= now || current.attempts <= 1 ? null : new Count(current.attempts - 1, current.until));
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> clear(String key) {
    counts.remove(key);
    return Future.succeededFuture();
  }

  /** How many attempts the key has in its window (tests). */
  int attempts(String key, long now) {
    Count count = counts.get(key);
    return count == null || count.until <= now ? 0 : count.attempts;
  }

  private record Count(int attempts, long until) {
  }
}
