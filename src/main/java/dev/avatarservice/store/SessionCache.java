package dev.avatarservice.store;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The live sessions of recently used access tokens, so that the session check every authenticated
 * request makes costs what the account check costs: a map lookup on the store's event loop, no JDBC.
 * Same discipline as {@link UserCache}: every end of a session forgets it after its commit and before
 * its answer; a load is kept only if nothing was forgotten while it ran; entries are trusted for
 * {@code maxAgeMillis} (a row deleted behind the service's back); least recently used dropped beyond
 * {@code capacity}; capacity 0 turns it off. Only live sessions are kept (an unknown id reads again).
 * Used only on the store verticle's event loop. Ends of sessions reach it directly from the store and,
 * for caches on other nodes, as the published {@code cache.sessions.forget} event.
 */
final class SessionCache {

  /** A live session: whose it is and when it was created (epoch ms; its absolute end follows). */
  record Session(String userId, long createdAtMillis) {
  }

  private final int capacity;
  private final long maxAgeNanos;
  private final LongSupplier nanoTime;
  private final Map<String, Entry> sessions;
  private long changes;

  SessionCache(int capacity, long maxAgeMillis) {
    this(capacity, maxAgeMillis, System::nanoTime);
  }

  SessionCache(int capacity, long maxAgeMillis, LongSupplier nanoTime) {
    this.capacity = capacity;
    this.maxAgeNanos = maxAgeMillis * 1_000_000;
    this.nanoTime = nanoTime;
    this.sessions = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > SessionCache.this.capacity;
      }
    };
  }

  /** The cached session, or null when it must be read (then {@link #loaded} with the change count). */
  Session get(String sessionId) {
    Entry cached = sessions.get(sessionId);
    return cached != null && nanoTime.getAsLong() - cached.keptAt() < maxAgeNanos ? cached.session() : null;
  }

  /** The change count to hand back to {@link #loaded}. */
  long changes() {
    return changes;
  }

  /** Keeps a session read from the database, unless a session was forgotten since the read began. */
  void loaded(String sessionId, Session session, long changesBefore) {
    if (session != null && changes == changesBefore && capacity > 0) {
      sessions.put(sessionId, new Entry(session, nanoTime.getAsLong()));
    }
  }

  void forget(Collection<String> sessionIds) {
    changes++;
    sessionIds.forEach(sessions::remove);
  }

  int size() {
    return sessions.size();
  }

  private record Entry(Session session, long keptAt) {
  }
}
