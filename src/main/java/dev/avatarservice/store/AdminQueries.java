package dev.avatarservice.store;

import dev.avatarservice.bus.Failure;
import dev.avatarservice.bus.Field;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;

/**
 * What the admin API asks of the accounts: a page of them by identifier prefix, and the revocation
 * of every refresh token of one. Pages are keyset-paged on the unique {@code identifier_key}: the
 * cursor is the key of the last account of the page (base64url, opaque to clients), so a page is
 * one index range read however deep it is, and accounts registered meanwhile never shift a page.
 */
final class AdminQueries {

  static final int MAX_LIMIT = 200;

  private final Pool pool;
  private final UserRows rows;
  private final Clock clock;

  AdminQueries(Pool pool, UserRows rows, Clock clock) {
    this.pool = pool;
    this.rows = rows;
    this.clock = clock;
  }

  /** {prefix (already in key form), limit, after?} -> {users, next}. */
  Future<JsonObject> list(JsonObject request) {
    String prefix = request.getString(Field.PREFIX, "");
    int limit = Math.max(1, Math.min(MAX_LIMIT, request.getInteger(Field.LIMIT, 50)));
    String after = decode(request.getString(Field.AFTER));
    // prefix: the range starts at the prefix and ends where the keys stop starting with it
    String sql = "SELECT " + UserRows.COLUMNS + ", identifier_key FROM users"
      + " WHERE identifier_key >= ? AND substr(identifier_key, 1, ?) = ? AND identifier_key > ?"
      + " ORDER BY identifier_key LIMIT ?";
    Tuple params = Tuple.of(prefix, prefix.length(), prefix, after == null ? "" : after, limit + 1);
    return pool.preparedQuery(sql).execute(params).map(result -> {
      JsonArray users = new JsonArray();
      String lastKey = null;
      boolean more = false;
      for (Row row : result) {
        if (users.size() == limit) {
          more = true;
          break;
        }
        users.add(rows.toUser(row));
        lastKey = row.getString("identifier_key");
      }
      return new JsonObject().put(Field.USERS, users).put(Field.NEXT, more ? encode(lastKey) : null);
    });
  }

  private static String encode(String key) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  /** The key a cursor names; a cursor that is not one of ours starts from the beginning of the prefix. */
  private static String decode(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    try {
      return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
