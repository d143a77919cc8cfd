package dev.avatarservice.http;

import io.vertx.core.Handler;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.RoutingContext;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Fixed-window request counter per key (a client address, a user id), shared by the HTTP verticle
 * instances of one node: limits that only need to blunt bursts are kept per node, without a
 * cluster round trip. Thread-safe; stale windows are swept as the map is used.
 */
public final class RateLimiter implements Shareable {

  private static final int SWEEP_EVERY = 1024;

  private final int limit;
  private final long windowMillis;
  private final LongSupplier clock;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();
  private final AtomicLong uses = new AtomicLong();

  public RateLimiter(int limit, long windowMillis, LongSupplier clock) {
    this.limit = limit;
    this.windowMillis = windowMillis;
    this.clock = clock;
  }

  /** Counts one request; 0 when allowed, else the seconds to wait before the next one can be. */
  public long acquire(String key) {
    long now = clock.getAsLong();
    if (uses.incrementAndGet() % SWEEP_EVERY == 0) {
      sweep(now);
    }
    Window window = windows.compute(key, (k, current) ->
      current == null || current.endsAt <= now ? new Window(now + windowMillis, 1) : current.plusOne());
    if (window.count <= limit) {
      return 0;
    }
    return Math.max(1, (window.endsAt - now + 999) / 1000);
  }

  /**
   * A route handler counting each request against its {@link ClientAddress}: beyond the limit the
   * request fails with 429 and {@code Retry-After}, counted as refused by {@code limiterName}.
   * Every route that leads to the same work mounts the handler of the same limiter, so that no
   * alias of a route is a way around its limit.
   */
  public Handler<RoutingContext> perClient(String limiterName) {
    return ctx -> {
      long retryAfter = acquire(ClientAddress.of(ctx));
      if (retryAfter > 0) {
        ctx.fail(ApiException.rateLimited(retryAfter, limiterName));
      } else {
        ctx.next();
      }
    };
  }

  private void sweep(long now) {
    for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
      if (it.next().endsAt <= now) {
        it.remove();
      }
    }
  }

  private record Window(long endsAt, int count) {
    Window plusOne() {
      return new Window(endsAt, count + 1);
    }
  }
}
