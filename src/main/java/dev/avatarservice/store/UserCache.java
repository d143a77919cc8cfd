package dev.avatarservice.store;

import dev.avatarservice.bus.Field;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The USER shapes of recently used accounts, so that the lookup every authenticated request makes
 * ({@code BearerAuth}) is answered from memory instead of a JDBC round trip through a worker thread
 * (measured: three quarters of the server CPU of {@code GET /api/user}, see BENCHMARKS.md).
 *
 * <p>Why it cannot serve a deleted account or an old avatar:
 * <ul>
 *   <li>The store verticle is the only writer of the users table in the whole cluster (the store
 *   role is a cluster-wide lock), and every write to an account goes through here after its commit:
 *   {@link #written} with the row the write returned, {@link #forget} when the row is gone or the
 *   outcome of the write is unknown. A new store node starts empty.</li>
 *   <li>A read that misses loads from the database, and its result is kept only if no write or
 *   forget happened while it ran: a lookup that read the row just before a deletion committed
 *   cannot put the account back afterwards.</li>
 *   <li>Used only on the store verticle's event loop, so no locking.</li>
 * </ul>
 * Entries beyond {@code capacity} are dropped least recently used first; capacity 0 turns it off.
 */
final class UserCache {

  private final int capacity;
  private final Map<String, JsonObject> users;
  /** Bumped by every write and forget: a load that started before a change must not be kept. */
  private long changes;

  UserCache(int capacity) {
    this.capacity = capacity;
    this.users = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, JsonObject> eldest) {
        return size() > UserCache.this.capacity;
      }
    };
  }

  /** The account from memory, or as {@code load} reads it (and then kept, unless it changed meanwhile). */
  Future<JsonObject> get(String userId, Supplier<Future<JsonObject>> load) {
    JsonObject cached = users.get(userId);
    if (cached != null) {
      return Future.succeededFuture(cached.copy());
    }
    long changesBefore = changes;
    return load.get().onSuccess(user -> {
      if (changes == changesBefore) {
        keep(user);
      }
    });
  }

  /** The account as a committed write left it. */
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
      users.put(user.getString(Field.ID), user.copy());
    }
  }
}
