package dev.avatarservice.store;

import dev.avatarservice.bus.Failure;
import dev.avatarservice.bus.Field;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.util.UUID;

/**
 * Accounts and their refresh tokens. Every write is one transaction; the rotation of a refresh
 * token is a single conditional UPDATE, so of any number of concurrent uses exactly one can win.
 * <p>
 * Every write runs in {@code withTransaction}, even a single statement: vertx-jdbc-client 5.0.7
 * leaves the connection in manual-commit mode after any transaction (vert-x3/vertx-jdbc-client#356,
 * fixed by #358 in later releases), so a write outside one would be committed only by the next
 * transaction's commit, and undone by the next rollback. Reads may run outside.
 */
final class Accounts {

  private static final String SELECT_USER = "SELECT " + UserRows.COLUMNS + " FROM users WHERE id = ?";

  private final Pool pool;
  private final UserRows rows;
  private final UserCache cache;
  private final Clock clock;

  Accounts(Pool pool, UserRows rows, UserCache cache, Clock clock) {
    this.pool = pool;
    this.rows = rows;
    this.cache = cache;
    this.clock = clock;
  }

  /**
   * A new account. Its identifier must differ from every other by key (the unique index) and by
   * confusable skeleton (looked up here, in the transaction: transactions take the write lock when
   * they begin, so no registration can slip in between the look-up and the insert).
   */
  Future<JsonObject> register(JsonObject request) {
    String userId = UUID.randomUUID().toString();
    long now = clock.millis();
    String skeleton = request.getString(Field.IDENTIFIER_SKELETON);
    return pool.withTransaction(tx -> tx
        .preparedQuery("SELECT 1 FROM users WHERE identifier_skeleton = ? LIMIT 1")
        .execute(Tuple.of(skeleton))
        .compose(lookAlike -> first(lookAlike) != null
          ? Future.failedFuture(Failure.IDENTIFIER_TAKEN.exception("this identifier is already registered"))
          : tx.preparedQuery("INSERT INTO users (id, identifier, identifier_key, identifier_skeleton, password_hash,"
              + " registered_at) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(Tuple.of(userId, request.getString(Field.IDENTIFIER), request.getString(Field.IDENTIFIER_KEY),
              skeleton, request.getString(Field.PASSWORD_HASH), now)))
        .compose(inserted -> insertToken(tx, request.getJsonObject(Field.SESSION), UUID.randomUUID().toString(), userId))
        .compose(inserted -> user(tx, userId)))
      // kept at once: nothing else can write an account whose id nobody has been told yet
      .onSuccess(cache::written)
      .recover(error -> StoreErrors.isUniqueViolation(error)
        ? Future.failedFuture(Failure.IDENTIFIER_TAKEN.exception("this identifier is already registered"))
        : Future.failedFuture(error));
  }

  Future<JsonObject> credentials(JsonObject request) {
    return pool.preparedQuery("SELECT id, password_hash FROM users WHERE identifier_key = ?")
      .execute(Tuple.of(request.getString(Field.IDENTIFIER_KEY)))
      .compose(result -> {
        Row row = first(result);
        if (row == null) {
          return Future.failedFuture(Failure.UNKNOWN_IDENTIFIER.exception("no account has this identifier"));
        }
        return Future.succeededFuture(new JsonObject()
          .put(Field.USER_ID, row.getString("id"))
          .put(Field.PASSWORD_HASH, row.getString("password_hash")));
      });
  }

  /** A new login: a new token family, and the new password hash when the caller rehashed it. */
  Future<JsonObject> login(JsonObject request) {
    String userId = request.getString(Field.USER_ID);
    String rehashed = request.getString(Field.PASSWORD_HASH);
    // read in the transaction, not from the cache: the account may have been deleted since its
    // credentials were read, and then this must be USER_NOT_FOUND, not a failed token insert
    return pool.withTransaction(tx -> user(tx, userId).compose(user -> (rehashed == null
        ? Future.succeededFuture() : tx.preparedQuery("UPDATE users SET password_hash = ? WHERE id = ?")
        .execute(Tuple.of(rehashed, userId)))
      .compose(updated -> insertToken(tx, request.getJsonObject(Field.SESSION), UUID.randomUUID().toString(), userId))
      .map(user)));
  }

  /**
   * Rotates a refresh token. The UPDATE marks it used only if it is still good, in the same
   * statement that reads it; the loser of a race, or anyone replaying a used token, finds no row
   * and revokes the whole family (reuse detection), committed before the failure is answered.
   */
  Future<JsonObject> refresh(JsonObject request) {
    String tokenHash = request.getString(Field.TOKEN_HASH);
    long now = nowSeconds();
    return pool.withTransaction(tx -> tx
        .preparedQuery("UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL"
          + " AND revoked_at IS NULL AND expires_at > ? RETURNING family_id, user_id")
        .execute(Tuple.of(now, tokenHash, now))
        .compose(rotated -> {
          Row row = first(rotated);
          if (row == null) {
            return revokeReusedFamily(tx, tokenHash, now).map((JsonObject) null);
          }
          String userId = row.getString("user_id");
          return insertToken(tx, request.getJsonObject(Field.SESSION), row.getString("family_id"), userId)
            .compose(inserted -> cachedUser(tx, userId));
        }))
      .compose(user -> user != null ? Future.succeededFuture(user)
        : Future.failedFuture(Failure.INVALID_REFRESH_TOKEN.exception("the refresh token is not valid")));
  }

  /** Revokes the login a token belongs to (only if it is that user's, when a user is given). */
  Future<JsonObject> revoke(JsonObject request) {
    String userId = request.getString(Field.USER_ID);
    String sql = "UPDATE refresh_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND family_id ="
      + " (SELECT family_id FROM refresh_tokens WHERE token_hash = ?" + (userId == null ? ")" : " AND user_id = ?)");
    Tuple params = Tuple.of(nowSeconds(), request.getString(Field.TOKEN_HASH));
    if (userId != null) {
      params.addString(userId);
    }
    return pool.withTransaction(tx -> tx.preparedQuery(sql).execute(params)).map(result -> new JsonObject());
  }

  /** The account, from the cache when it is there: the read behind every authenticated request. */
  Future<JsonObject> user(JsonObject request) {
    String userId = request.getString(Field.USER_ID);
    return cache.get(userId, () -> user(pool, userId));
  }

  /** Forgets refresh tokens that expired: an expired token is refused whether or not its row exists. */
  Future<Integer> purgeExpiredTokens() {
    return pool.withTransaction(tx -> tx.preparedQuery("DELETE FROM refresh_tokens WHERE expires_at <= ?")
      .execute(Tuple.of(nowSeconds()))).map(RowSet::rowCount);
  }

  private Future<Void> revokeReusedFamily(SqlClient tx, String tokenHash, long now) {
    return tx.preparedQuery("UPDATE refresh_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND family_id ="
        + " (SELECT family_id FROM refresh_tokens WHERE token_hash = ? AND used_at IS NOT NULL)")
      .execute(Tuple.of(now, tokenHash)).mapEmpty();
  }

  private Future<Void> insertToken(SqlClient tx, JsonObject session, String familyId, String userId) {
    return tx.preparedQuery("INSERT INTO refresh_tokens (token_hash, family_id, user_id, issued_at, expires_at)"
        + " VALUES (?, ?, ?, ?, ?)")
      .execute(Tuple.of(session.getString(Field.TOKEN_HASH), familyId, userId, nowSeconds(),
        session.getLong(Field.EXPIRES_AT)))
      .mapEmpty();
  }

  /**
   * The account for the answer of a rotation, which changes nothing the cache holds: from the cache,
   * or read in the transaction. The row exists: the rotated token's row names it (deleting an account
   * deletes its tokens in the same transaction).
   */
  private Future<JsonObject> cachedUser(SqlClient tx, String userId) {
    return cache.get(userId, () -> user(tx, userId));
  }

  private Future<JsonObject> user(SqlClient client, String userId) {
    return client.preparedQuery(SELECT_USER).execute(Tuple.of(userId)).compose(result -> {
      Row row = first(result);
      return row == null
        ? Future.failedFuture(Failure.USER_NOT_FOUND.exception("the account does not exist"))
        : Future.succeededFuture(rows.toUser(row));
    });
  }

  private long nowSeconds() {
    return clock.millis() / 1000;
  }

  static Row first(RowSet<Row> rows) {
    return rows.iterator().hasNext() ? rows.iterator().next() : null;
  }
}
