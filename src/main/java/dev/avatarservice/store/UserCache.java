package dev.avatarservice.store;

import dev.avatarservice.bus.Field;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The USER shapes of recently used accounts, so that the lookup every authenticated request makes
 * ({@code BearerAuth}) is answered from memory instead of a JDBC round trip through a worker thread
 * (measured: three quarters of the server CPU of {@code GET /api/user}, see BENCHMARKS.md).
 *
 * <p>Why it cannot serve a deleted account or an old avatar once the change has been answered:
 * <ul>
 *   <li>The store verticle is the only writer of the users table in the whole cluster (the store
 *   role is a cluster-wide lock), and every write that changes an account {@link #forget}s it after
 *   its commit and before its answer. Forgotten, not replaced with what the write returned: the
 *   completions of two transactions need not reach this verticle in the order of their commits (seen
 *   with four concurrent uploads), so the last completion is not always the last write. A new account
 *   alone is kept at once ({@link #written}): nothing else can write an id nobody has been told.</li>
 *   <li>A read that misses loads from the database, and its result is kept only if no write or
 *   forget happened while it ran: a lookup that read the row just before a change committed cannot
 *   put the old account back afterwards. A read that starts after a forget runs after that commit
 *   (the store's single connection runs statements in the order asked).</li>
 *   <li>Used only on the store verticle's event loop, so no locking.</li>
 * </ul>
 * A read that overlaps a change may answer either side of it, as it would from the database.
 * A change made behind the store's back (a row deleted by hand, a backup restored while it runs) is
 * seen once the entry is older than {@code maxAgeMillis}. Entries beyond {@code capacity} are dropped
 * least recently used first; capacity 0 turns it off.
 */
final class UserCache {

  private final int capacity;
  private final long maxAgeNanos;
  private final LongSupplier nanoTime;
  private final Map<String, Entry> users;
  /** Bumped by every write and forget: a load that started before a change must not be kept. */
  private long changes;

  UserCache(int capacity, long maxAgeMillis) {
    this(capacity, maxAgeMillis, System::nanoTime);
  }

  UserCache(int capacity, long maxAgeMillis, LongSupplier nanoTime) {
    this.capacity = capacity;
    this.maxAgeNanos = maxAgeMillis * 1_000_000;
    this.nanoTime = nanoTime;
    this.users = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > UserCache.this.capacity;
      }
    };
  }

  /** The account from memory, or as {@code load} reads it (and then kept, unless it changed meanwhile). */
  Future<JsonObject> get(String userId, Supplier<Future<JsonObject>> load) {
    Entry cached = users.get(userId);
    if (cached != null && nanoTime.getAsLong() - cached.keptAt() < maxAgeNanos) {
      return Future.succeededFuture(cached.user().copy());
    }
    long changesBefore = changes;
    return load.get().onSuccess(user -> {
      if (changes == changesBefore) {
        keep(user);
      }
    });
  }

  /** A new account, as its committed registration left it. */
  void written(JsonObject user) {
    changes++;
    keep(user);
  }

  /** The account is gone, or what a write did to it is unknown: read it again next time. */
  void forget(String userId) {
    changes++;
    users.remove(userId);
  }

  int size() {
    return users.size();
  }

  private void keep(JsonObject user) {
    if (capacity > 0) {
      users.put(user.getString(Field.ID), new Entry(user.copy(), nanoTime.getAsLong()));
    }
  }

  private record Entry(JsonObject user, long keptAt) {
  }
}
