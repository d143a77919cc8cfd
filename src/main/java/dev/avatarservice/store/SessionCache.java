package dev.avatarservice.store;

import java.util.function.LongSupplier;

/**
 * The live sessions of recently used access tokens, so that the session check every authenticated
 * request makes costs what the account check costs: a map lookup on the store's event loop, no JDBC.
 * Same discipline as {@link UserCache} (see {@link GuardedCache}): every end of a session forgets it
 * after its commit and before its answer; a load is kept only if nothing was forgotten while it ran
 * ({@code loaded} with the {@code changes()} taken before the read); entries are trusted for
 * {@code maxAgeMillis} (a row deleted behind the service's back); capacity 0 turns it off. Only live
 * sessions are kept (an unknown id reads again). Used only on the store verticle's event loop. Ends
 * of sessions reach it directly from the store and, for caches on other nodes, as the published
 * {@code cache.sessions.forget} event.
 */
final class SessionCache extends GuardedCache<String, SessionCache.Session> {

  /** A live session: whose it is and when it was created (epoch ms; its absolute end follows). */
  record Session(String userId, long createdAtMillis) {
  }

  SessionCache(int capacity, long maxAgeMillis) {
    this(capacity, maxAgeMillis, System::nanoTime);
  }

  SessionCache(int capacity, long maxAgeMillis, LongSupplier nanoTime) {
    super(capacity, maxAgeMillis, nanoTime);
  }
}
