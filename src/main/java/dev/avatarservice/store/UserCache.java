package dev.avatarservice.store;

import dev.avatarservice.bus.Field;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

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
 *   alone is kept at once ({@link #written}): nothing else can write an id nobody has been told.
 *   On PostgreSQL every node runs a store, each with its own cache: a store that committed a change
 *   has every other store forget it too before it answers ({@link PeerCaches}), and a read that
 *   overlapped that forget is not kept (next point).</li>
 *   <li>A read that misses loads from the database, and its result is kept only if no write or
 *   forget happened while it ran: a lookup that read the row just before a change committed cannot
 *   put the old account back afterwards. A read that starts after a forget runs after that commit
 *   (the store's single connection runs statements in the order asked).</li>
 *   <li>Used only on the store verticle's event loop, so no locking.</li>
 * </ul>
 * A read that overlaps a change may answer either side of it, as it would from the database.
 * A change made behind the store's back (a row deleted by hand, a backup restored while it runs) is
 * seen once the entry is older than {@code maxAgeMillis}. Entries beyond {@code capacity} are dropped
 * by Caffeine's Window TinyLFU; capacity 0 turns it off. The change count and the storage are
 * {@link GuardedCache}'s, shared with {@link SessionCache}.
 */
final class UserCache {

  /** Copies in, copies out: what callers do to an answer must not change what is kept. */
  private final GuardedCache<String, JsonObject> users;

  UserCache(int capacity, long maxAgeMillis) {
    this(capacity, maxAgeMillis, System::nanoTime);
  }

  UserCache(int capacity, long maxAgeMillis, LongSupplier nanoTime) {
    this.users = new GuardedCache<>(capacity, maxAgeMillis, nanoTime);
  }

  /** The account from memory, or as {@code load} reads it (and then kept, unless it changed meanwhile). */
  Future<JsonObject> get(String userId, Supplier<Future<JsonObject>> load) {
    JsonObject cached = users.get(userId);
    if (cached != null) {
      return Future.succeededFuture(cached.copy());
    }
    long changesBefore = users.changes();
    return load.get().onSuccess(user -> {
      if (user != null) {
        users.loaded(user.getString(Field.ID), user.copy(), changesBefore);
      }
    });
  }

  /** A new account, as its committed registration left it. */
  void written(JsonObject user) {
    users.written(user.getString(Field.ID), user.copy());
  }

  /** The account is gone, or what a write did to it is unknown: read it again next time. */
  void forget(String userId) {
    users.forget(userId);
  }

  int size() {
    return users.size();
  }
}
