package dev.avatarservice.store;

import dev.avatarservice.bus.Failure;
import dev.avatarservice.bus.Field;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * Accounts, their sessions and their refresh tokens. Every write is one transaction; the rotation
 * of a refresh token is a single conditional UPDATE, so of any number of concurrent uses exactly one
 * can win.
 * <p>
 * A session is one login (or registration): its id is the family of its refresh tokens and the
 * {@code sid} of its access tokens. Ending a session deletes its row and its refresh tokens in one
 * transaction; after the commit and before the answer the session cache forgets it and the end is
 * announced ({@code sessionsEnded}), so from the answer on every request with one of its access
 * tokens is refused.
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
  private final SessionCache sessions;
  private final long sessionMaxAgeMillis;
  /** Told (userId, sessionIds) after each commit that ended sessions, before the answer. */
  private final BiFunction<String, List<String>, Future<Void>> sessionsEnded;
  private final Dialect dialect;
  private final Clock clock;

  Accounts(Pool pool, Dialect dialect, UserRows rows, UserCache cache, SessionCache sessions, long sessionMaxAgeSeconds,
           BiFunction<String, List<String>, Future<Void>> sessionsEnded, Clock clock) {
    this.dialect = dialect;
    this.pool = pool;
    this.rows = rows;
    this.cache = cache;
    this.sessions = sessions;
    this.sessionMaxAgeMillis = sessionMaxAgeSeconds * 1000;
    this.sessionsEnded = sessionsEnded;
    this.clock = clock;
  }

  /**
   * A new account. Its identifier must differ from every other by key (the unique index) and by
   * confusable skeleton (looked up here, in the transaction: on SQLite transactions take the write
   * lock when they begin, on PostgreSQL the registrations of one skeleton take a lock of their own
   * first, so no registration, on any node, can slip in between the look-up and the insert).
   */
  Future<JsonObject> register(JsonObject request) {
    String userId = UUID.randomUUID().toString();
    long now = clock.millis();
    String skeleton = request.getString(Field.IDENTIFIER_SKELETON);
    return pool.withTransaction(tx -> dialect.lockSkeleton(tx, skeleton)
        .compose(locked -> tx.preparedQuery("SELECT 1 FROM users WHERE identifier_skeleton = ? LIMIT 1")
          .execute(Tuple.of(skeleton)))
        .compose(lookAlike -> first(lookAlike) != null
          ? Future.failedFuture(Failure.IDENTIFIER_TAKEN.exception("this identifier is already registered"))
          : tx.preparedQuery("INSERT INTO users (id, identifier, identifier_key, identifier_skeleton, password_hash,"
              + " registered_at) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(Tuple.of(userId, request.getString(Field.IDENTIFIER), request.getString(Field.IDENTIFIER_KEY),
              skeleton, request.getString(Field.PASSWORD_HASH), now)))
        .compose(inserted -> openSession(tx, request.getJsonObject(Field.SESSION), userId))
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

  /** A new login: a new session, and the new password hash when the caller rehashed it. */
  Future<JsonObject> login(JsonObject request) {
    String userId = request.getString(Field.USER_ID);
    String rehashed = request.getString(Field.PASSWORD_HASH);
    // read in the transaction, not from the cache: the account may have been deleted since its
    // credentials were read, and then this must be USER_NOT_FOUND, not a failed insert. Locked (on
    // PostgreSQL): a deletion or a change of password waits for this session, or this for them
    return pool.withTransaction(tx -> lockedUser(tx, userId).compose(user -> (rehashed == null
        ? Future.succeededFuture() : tx.preparedQuery("UPDATE users SET password_hash = ? WHERE id = ?")
        .execute(Tuple.of(rehashed, userId)))
      .compose(updated -> openSession(tx, request.getJsonObject(Field.SESSION), userId))
      .map(user)));
  }

  /**
   * Rotates a refresh token. The UPDATE marks it used only if it is still good and its session is
   * younger than SESSION_MAX_AGE, in the same statement that reads it (an ended session has no
   * token rows left); the loser of a race, or anyone replaying a used token, finds no row, and a
   * used token then ends its whole session (reuse detection, no grace period), committed before the
   * answer, which names the ended session for the caller to announce.
   */
  Future<JsonObject> refresh(JsonObject request) {
    String tokenHash = request.getString(Field.TOKEN_HASH);
    long nowMillis = clock.millis();
    long now = nowMillis / 1000;
    return pool.withTransaction(tx -> tx
        .preparedQuery("UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL"
          + " AND revoked_at IS NULL AND expires_at > ?"
          + " AND family_id IN (SELECT id FROM sessions WHERE created_at > ?) RETURNING family_id, user_id")
        .execute(Tuple.of(now, tokenHash, now, nowMillis - sessionMaxAgeMillis))
        .compose(rotated -> {
          Row row = first(rotated);
          if (row == null) {
            return endReusedSession(tx, tokenHash);
          }
          String userId = row.getString("user_id");
          String sessionId = row.getString("family_id");
          return insertToken(tx, request.getJsonObject(Field.SESSION), sessionId, userId)
            .compose(inserted -> tx.preparedQuery("UPDATE sessions SET last_used_at = ? WHERE id = ?")
              .execute(Tuple.of(nowMillis, sessionId)))
            .compose(touched -> cachedUser(tx, userId))
            .map(user -> new JsonObject().put(Field.USER, user).put(Field.SESSION_ID, sessionId));
        }))
      .compose(reply -> {
        if (reply.containsKey(Field.USER)) {
          return Future.succeededFuture(reply);
        }
        JsonObject ended = reply.getJsonObject(Field.ENDED);
        if (ended != null) {
          return announce(ended).map(reply);
        }
        return Future.failedFuture(Failure.INVALID_REFRESH_TOKEN.exception("the refresh token is not valid"));
      });
  }

  /** {ended: {userId, sessionIds}} when the token was already used and its session still existed, else {}. */
  private Future<JsonObject> endReusedSession(SqlClient tx, String tokenHash) {
    return tx.preparedQuery("SELECT family_id, user_id FROM refresh_tokens WHERE token_hash = ? AND used_at IS NOT NULL")
      .execute(Tuple.of(tokenHash))
      .compose(result -> {
        Row row = first(result);
        if (row == null) {
          return Future.succeededFuture(new JsonObject());
        }
        String userId = row.getString("user_id");
        return endSessions(tx, List.of(row.getString("family_id"))).map(ended -> ended.isEmpty()
          ? new JsonObject() : new JsonObject().put(Field.ENDED, endedReply(userId, ended)));
      });
  }

  /** Ends sessions: see {@link dev.avatarservice.bus.StoreAddress#END_SESSIONS} for the three forms. */
  Future<JsonObject> endSessions(JsonObject request) {
    String userId = request.getString(Field.USER_ID);
    String tokenHash = request.getString(Field.TOKEN_HASH);
    String sessionId = request.getString(Field.SESSION_ID);
    return pool.withTransaction(tx -> {
        Future<RowSet<Row>> found;
        if (tokenHash != null) {
          found = userId == null
            ? tx.preparedQuery("SELECT family_id AS id, user_id FROM refresh_tokens WHERE token_hash = ?")
              .execute(Tuple.of(tokenHash))
            : tx.preparedQuery("SELECT family_id AS id, user_id FROM refresh_tokens WHERE token_hash = ? AND user_id = ?")
              .execute(Tuple.of(tokenHash, userId));
        } else if (sessionId != null) {
          found = tx.preparedQuery("SELECT id, user_id FROM sessions WHERE id = ? AND user_id = ?")
            .execute(Tuple.of(sessionId, userId))
            .compose(result -> result.size() == 0
              ? Future.failedFuture(Failure.NOT_FOUND.exception("no such session")) : Future.succeededFuture(result));
        } else {
          String keep = request.getString(Field.KEEP_SESSION_ID);
          found = tx.preparedQuery("SELECT id, user_id FROM sessions WHERE user_id = ? AND id <> ?")
            .execute(Tuple.of(userId, keep == null ? "" : keep));
        }
        return found.compose(result -> {
          List<String> ids = new ArrayList<>();
          String owner = null;
          for (Row row : result) {
            ids.add(row.getString("id"));
            owner = row.getString("user_id");
          }
          String endedOwner = owner;
          return endSessions(tx, ids).map(ended -> endedReply(ended.isEmpty() ? null : endedOwner, ended));
        });
      })
      .compose(ended -> announce(ended).map(ended));
  }

  /** The sessions of a user younger than SESSION_MAX_AGE, newest first. */
  Future<JsonObject> sessions(JsonObject request) {
    return pool.preparedQuery("SELECT id, created_at, last_used_at, user_agent FROM sessions"
        + " WHERE user_id = ? AND created_at > ? ORDER BY created_at DESC, id")
      .execute(Tuple.of(request.getString(Field.USER_ID), clock.millis() - sessionMaxAgeMillis))
      .map(result -> {
        JsonArray list = new JsonArray();
        for (Row row : result) {
          list.add(new JsonObject()
            .put(Field.ID, row.getString("id"))
            .put(Field.CREATED_AT, Instant.ofEpochMilli(row.getLong("created_at")).toString())
            .put(Field.LAST_USED_AT, Instant.ofEpochMilli(row.getLong("last_used_at")).toString())
            .put(Field.USER_AGENT, row.getString("user_agent")));
        }
        return new JsonObject().put(Field.SESSIONS, list);
      });
  }

  /**
   * A new password hash; every session but the kept one ended; the kept session's refresh tokens
   * replaced by the new one. One transaction: a failure changes nothing.
   */
  Future<JsonObject> changePassword(JsonObject request) {
    String userId = request.getString(Field.USER_ID);
    String keep = request.getString(Field.KEEP_SESSION_ID);
    // locked (on PostgreSQL): a login of the same account commits before, and its session is ended
    // here, or after, and then it waits for this
    return pool.withTransaction(tx -> lockedUser(tx, userId)
        .compose(user -> tx.preparedQuery("SELECT id FROM sessions WHERE id = ? AND user_id = ?")
          .execute(Tuple.of(keep, userId))
          .compose(kept -> kept.size() == 0
            ? Future.failedFuture(Failure.SESSION_ENDED.exception("the session has ended"))
            : tx.preparedQuery("UPDATE users SET password_hash = ? WHERE id = ?")
              .execute(Tuple.of(request.getString(Field.PASSWORD_HASH), userId)))
          .compose(updated -> tx.preparedQuery("SELECT id FROM sessions WHERE user_id = ? AND id <> ?")
            .execute(Tuple.of(userId, keep)))
          .compose(others -> {
            List<String> ids = new ArrayList<>();
            others.forEach(row -> ids.add(row.getString("id")));
            return endSessions(tx, ids);
          })
          .compose(ended -> tx.preparedQuery("DELETE FROM refresh_tokens WHERE family_id = ?").execute(Tuple.of(keep))
            .compose(deleted -> insertToken(tx, request.getJsonObject(Field.SESSION), keep, userId))
            .map(inserted -> endedReply(userId, ended).put(Field.USER, user)))))
      .compose(ended -> announce(ended).map(ended));
  }

  /**
   * The account, from the cache when it is there: the read behind every authenticated request. With
   * a session id, the session must exist, be the user's and be younger than SESSION_MAX_AGE (from
   * the session cache when it is there), else SESSION_ENDED.
   */
  Future<JsonObject> user(JsonObject request) {
    String userId = request.getString(Field.USER_ID);
    String sessionId = request.getString(Field.SESSION_ID);
    Future<JsonObject> user = cache.get(userId, () -> user(pool, userId));
    if (sessionId == null) {
      return user;
    }
    return user.compose(account -> session(sessionId).compose(session -> session != null
      && session.userId().equals(userId) && session.createdAtMillis() > clock.millis() - sessionMaxAgeMillis
      ? Future.succeededFuture(account)
      : Future.failedFuture(Failure.SESSION_ENDED.exception("the session has ended"))));
  }

  private Future<SessionCache.Session> session(String sessionId) {
    SessionCache.Session cached = sessions.get(sessionId);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    long changesBefore = sessions.changes();
    return pool.preparedQuery("SELECT user_id, created_at FROM sessions WHERE id = ?").execute(Tuple.of(sessionId))
      .map(result -> {
        Row row = first(result);
        SessionCache.Session session = row == null ? null
          : new SessionCache.Session(row.getString("user_id"), row.getLong("created_at"));
        sessions.loaded(sessionId, session, changesBefore);
        return session;
      });
  }

  /**
   * Forgets refresh tokens that expired (an expired token is refused whether or not its row exists),
   * and sessions past SESSION_MAX_AGE or without a usable refresh token left, with their tokens.
   * Their access tokens are refused already (age) or expire within their lifetime (no token left).
   */
  Future<Integer> purgeExpiredTokens() {
    long now = nowSeconds();
    long oldest = clock.millis() - sessionMaxAgeMillis;
    return pool.withTransaction(tx -> tx.preparedQuery("DELETE FROM refresh_tokens WHERE expires_at <= ?")
        .execute(Tuple.of(now))
        .compose(tokens -> tx.preparedQuery("DELETE FROM sessions WHERE created_at <= ? OR NOT EXISTS"
            + " (SELECT 1 FROM refresh_tokens WHERE family_id = sessions.id AND used_at IS NULL AND revoked_at IS NULL)"
            + " RETURNING id")
          .execute(Tuple.of(oldest))
          .compose(purged -> {
            List<String> ids = new ArrayList<>();
            purged.forEach(row -> ids.add(row.getString("id")));
            sessions.forget(ids);
            return tx.query("DELETE FROM refresh_tokens WHERE family_id NOT IN (SELECT id FROM sessions)").execute()
              .map(orphans -> tokens.rowCount() + orphans.rowCount());
          })));
  }

  /** Deletes those sessions and their refresh tokens; answers the ids that existed. */
  private Future<List<String>> endSessions(SqlClient tx, List<String> ids) {
    List<String> ended = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (String id : ids) {
      chain = chain
        .compose(done -> tx.preparedQuery("DELETE FROM refresh_tokens WHERE family_id = ?").execute(Tuple.of(id)))
        .compose(done -> tx.preparedQuery("DELETE FROM sessions WHERE id = ?").execute(Tuple.of(id)))
        .map(deleted -> {
          if (deleted.rowCount() > 0) {
            ended.add(id);
          }
          return null;
        });
    }
    return chain.map(done -> ended);
  }

  private static JsonObject endedReply(String userId, List<String> sessionIds) {
    return new JsonObject().put(Field.USER_ID, userId)
      .put(Field.SESSION_IDS, new JsonArray(new ArrayList<Object>(sessionIds)));
  }

  /** After the commit, before the answer: the caches forget the ended sessions, and others are told. */
  private Future<Void> announce(JsonObject ended) {
    JsonArray ids = ended.getJsonArray(Field.SESSION_IDS);
    if (ids != null && !ids.isEmpty()) {
      List<String> list = new ArrayList<>();
      ids.forEach(id -> list.add((String) id));
      sessions.forget(list);
      return sessionsEnded.apply(ended.getString(Field.USER_ID), list);
    }
    return Future.succeededFuture();
  }

  /** A new session with its first refresh token: {tokenHash, expiresAt, sessionId, userAgent}. */
  private Future<Void> openSession(SqlClient tx, JsonObject session, String userId) {
    // the HTTP layer names the session (its sid is in the access token it issues); anyone else gets one
    String sessionId = session.getString(Field.SESSION_ID, UUID.randomUUID().toString());
    long now = clock.millis();
    return tx.preparedQuery("INSERT INTO sessions (id, user_id, created_at, last_used_at, user_agent) VALUES (?, ?, ?, ?, ?)")
      .execute(Tuple.of(sessionId, userId, now, now, session.getString(Field.USER_AGENT)))
      .compose(inserted -> insertToken(tx, session, sessionId, userId));
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
    return user(client, userId, SELECT_USER);
  }

  /** The account, its row locked until the transaction ends (see {@link Dialect#forUpdate()}). */
  private Future<JsonObject> lockedUser(SqlClient tx, String userId) {
    return user(tx, userId, SELECT_USER + dialect.forUpdate());
  }

  private Future<JsonObject> user(SqlClient client, String userId, String sql) {
    return client.preparedQuery(sql).execute(Tuple.of(userId)).compose(result -> {
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
