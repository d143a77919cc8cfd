package dev.avatarservice.account;

import dev.avatarservice.bus.Failure;
import dev.avatarservice.bus.Field;
import dev.avatarservice.bus.StoreClient;
import dev.avatarservice.worker.BoundedPool;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.util.UUID;

/**
 * Registration, login, refresh, sessions and password changes: the rules of accounts and tokens,
 * independent of HTTP. Hashing runs on the bounded hashing pool; everything durable is asked of
 * the store; ended sessions are announced through {@link SessionEnds}.
 */
public final class AccountService {

  private final StoreClient store;
  private final AccessTokens accessTokens;
  private final RefreshTokens refreshTokens = new RefreshTokens();
  private final PasswordHasher hasher;
  private final BoundedPool hashing;
  private final LoginThrottle throttle;
  private final SessionEnds sessionEnds;
  private final int refreshTtlSeconds;
  private final Clock clock;

  /** A {@code User-Agent} is kept up to this many characters. */
  static final int USER_AGENT_MAX = 200;

  public AccountService(StoreClient store, AccessTokens accessTokens, PasswordHasher hasher, BoundedPool hashing,
                        LoginThrottle throttle, SessionEnds sessionEnds,
                        int refreshTtlSeconds, Clock clock) {
    this.store = store;
    this.sessionEnds = sessionEnds;
    this.accessTokens = accessTokens;
    this.hasher = hasher;
    this.hashing = hashing;
    this.throttle = throttle;
    this.refreshTtlSeconds = refreshTtlSeconds;
    this.clock = clock;
  }

  public Future<IssuedTokens> register(String rawIdentifier, String rawPassword, String userAgent) {
    if (!PasswordPolicy.loaded()) {
      // the first registration reads the common-password list and builds the strength estimator on
      // a worker, not on the event loop; not at start-up either: on one core it delayed the node's
      // first answer by half a second
      return hashing.run(PasswordPolicy::load)
        .compose(loaded -> register(rawIdentifier, rawPassword, userAgent));
    }
    JsonObject invalid = new JsonObject();
    var identifier = checked(invalid, () -> Identifiers.normalize(rawIdentifier));
    String password = checked(invalid, () -> PasswordPolicy.normalize(rawPassword));
    if (!invalid.isEmpty()) {
      return Future.failedFuture(new InvalidFieldsException(invalid));
    }
    String refreshToken = refreshTokens.newToken();
    String sessionId = UUID.randomUUID().toString();
    // the strength estimate and the skeleton cost CPU (and load data the first time): on the hashing
    // pool, with the hash
    return hashing.run(() -> {
        PasswordPolicy.checkStrength(password);
        return new Registration(Identifiers.skeleton(identifier.key()), hasher.hash(password));
      })
      .compose(registration -> store.register(identifier.display(), identifier.key(), registration.skeleton(),
        registration.passwordHash(), newSession(sessionId, userAgent, refreshToken)))
      .map(user -> issue(user, sessionId, refreshToken));
  }

  /**
   * Checks a password. An unknown identifier costs the same hash as a wrong password and fails with
   * the same answer, so neither timing nor body tells whether an account exists.
   */
  public Future<IssuedTokens> login(String rawIdentifier, String rawPassword, String clientAddress, String userAgent) {
    var identifier = Identifiers.normalize(rawIdentifier);
    String password = java.text.Normalizer.normalize(rawPassword, java.text.Normalizer.Form.NFKC);
    String throttleKey = LoginThrottle.key(identifier.key(), clientAddress);
    return throttled(throttleKey,
      () -> credentials(identifier.key()).compose(account -> hashing.run(() -> verify(account, password))),
      InvalidCredentialsException::new)
      .compose(verified -> {
        String refreshToken = refreshTokens.newToken();
        String sessionId = UUID.randomUUID().toString();
        return store.openSession(verified.userId(), newSession(sessionId, userAgent, refreshToken), verified.rehashed())
          .map(user -> issue(user, sessionId, refreshToken));
      });
  }

  /**
   * Rotates a refresh token. A token that was already used has ended its session in the store
   * (reuse detection); that end is announced to every node before the refusal is answered.
   */
  public Future<IssuedTokens> refresh(String refreshToken) {
    String next = refreshTokens.newToken();
    return store.refresh(RefreshTokens.hash(refreshToken), session(next)).compose(reply -> {
      JsonObject ended = reply.getJsonObject(Field.ENDED);
      if (ended != null) {
        return sessionEnds.announce(ended).transform(announced ->
          Future.failedFuture(Failure.INVALID_REFRESH_TOKEN.exception("the refresh token is not valid")));
      }
      return Future.succeededFuture(issue(reply.getJsonObject(Field.USER), reply.getString(Field.SESSION_ID), next));
    });
  }

  /**
   * Ends the session that refresh token belongs to (of that user only, when one is given);
   * true once every node confirmed closing its sockets. An unknown token ends nothing: true.
   */
  public Future<Boolean> endSessionOf(String refreshToken, String userId) {
    return store.endSessionOf(RefreshTokens.hash(refreshToken), userId).compose(sessionEnds::announce);
  }

  /** Ends one session of the user (404 when it is not one of theirs). */
  public Future<Boolean> endSession(String userId, String sessionId) {
    return store.endSession(userId, sessionId).compose(sessionEnds::announce);
  }

  /** Ends every session of the user, the calling one included ("log out everywhere"). */
  public Future<Boolean> endAllSessions(String userId) {
    return store.endSessions(userId, null).compose(sessionEnds::announce);
  }

  /** The user's sessions, newest first, {@code current} marking the caller's. */
  public Future<JsonArray> sessions(String userId, String currentSessionId) {
    return store.sessions(userId).map(reply -> {
      JsonArray sessions = reply.getJsonArray(Field.SESSIONS);
      sessions.forEach(session -> ((JsonObject) session)
        .put(Field.CURRENT, currentSessionId.equals(((JsonObject) session).getString(Field.ID))));
      return sessions;
    });
  }

  /**
   * Changes the password: the current one checked like a login (a wrong one counts as a failed
   * login of that identifier from that address, 403 {@code wrong_password}, and 429 once locked out),
   * the rules applied to the new one, both hashes on the hashing pool; then every other session
   * ended and announced, and a fresh token pair for the caller's session.
   */
  public Future<PasswordChange> changePassword(JsonObject user, String sessionId, String rawCurrent, String rawNew,
                                               String clientAddress) {
    if (!PasswordPolicy.loaded()) {
      return hashing.run(PasswordPolicy::load)
        .compose(loaded -> changePassword(user, sessionId, rawCurrent, rawNew, clientAddress));
    }
    String newPassword;
    try {
      newPassword = PasswordPolicy.normalize(rawNew);
    } catch (InvalidFieldException e) {
      return Future.failedFuture(new InvalidFieldsException(new JsonObject().put("newPassword", e.getMessage())));
    }
    String userId = user.getString(Field.ID);
    String current = java.text.Normalizer.normalize(rawCurrent, java.text.Normalizer.Form.NFKC);
    String identifierKey = identifierKey(user);
    String throttleKey = LoginThrottle.key(identifierKey, clientAddress);
    String refreshToken = refreshTokens.newToken();
    return throttled(throttleKey,
      () -> credentials(identifierKey)
        .map(account -> account != null && userId.equals(account.getString(Field.USER_ID)) ? account : null)
        .compose(account -> hashing.run(() -> {
          Verified verified = verify(account, current);
          return verified == null ? null : new Verified(verified.userId(), newHash(newPassword));
        })),
      WrongPasswordException::new)
      .compose(verified -> store.changePassword(userId, verified.rehashed(), sessionId, session(refreshToken)))
      .compose(changed -> sessionEnds.announce(changed).map(confirmed -> new PasswordChange(
        issue(changed.getJsonObject(Field.USER), sessionId, refreshToken), confirmed)));
  }

  /** A fresh token pair after a password change, and whether every node confirmed the other sessions' end. */
  public record PasswordChange(IssuedTokens tokens, boolean confirmed) {
  }

  /**
   * A password check under the login throttle, the one place that speaks to it: the attempt is
   * reserved before any hashing (refused while the identifier and address are locked out, so that
   * checks sent at once count one by one); a wrong password (a null from {@code check}) keeps the
   * attempt counted and fails with {@code wrong}; a right one clears the count; no verdict (the store
   * or the pool failed) gives the attempt back.
   */
  private Future<Verified> throttled(String throttleKey, java.util.function.Supplier<Future<Verified>> check,
                                     java.util.function.Supplier<RuntimeException> wrong) {
    return throttle.reserve(throttleKey).compose(attempt -> check.get().transform(checked -> {
      if (checked.failed()) {
        return attempt.abandoned().transform(released -> Future.<Verified>failedFuture(checked.cause()));
      }
      Verified verified = checked.result();
      if (verified == null) {
        return attempt.failed().transform(recorded -> Future.<Verified>failedFuture(wrong.get()));
      }
      // the count is cleared best-effort: a failure to forget failures must not refuse a right password
      return attempt.succeeded().transform(cleared -> Future.succeededFuture(verified));
    }));
  }

  /** Runs on the hashing pool: the new password's hash, once its strength passed. */
  private String newHash(String newPassword) {
    try {
      PasswordPolicy.checkStrength(newPassword);
    } catch (InvalidFieldException e) {
      throw new InvalidFieldsException(new JsonObject().put("newPassword", e.getMessage()));
    }
    return hasher.hash(newPassword);
  }

  /**
   * The key of the account's identifier, so that a wrong current password counts against the same
   * login throttle entry as a wrong password at login. An identifier registered under older rules
   * that the current ones refuse cannot log in by that spelling either; it still has a key.
   */
  private static String identifierKey(JsonObject user) {
    try {
      return Identifiers.normalize(user.getString(Field.IDENTIFIER)).key();
    } catch (InvalidFieldException e) {
      return user.getString(Field.IDENTIFIER).toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The stored credentials of an identifier, or null when no account has it. */
  private Future<JsonObject> credentials(String identifierKey) {
    return store.credentials(identifierKey)
      .recover(error -> Failure.of(error).filter(f -> f == Failure.UNKNOWN_IDENTIFIER).isPresent()
        ? Future.succeededFuture(null) : Future.failedFuture(error));
  }

  /** Runs on the hashing pool: the account if the password is right (with a new hash when due). */
  private Verified verify(JsonObject account, String password) {
    if (account == null) {
      hasher.burn(password);
      return null;
    }
    String stored = account.getString(Field.PASSWORD_HASH);
    if (!hasher.verify(password, stored)) {
      return null;
    }
    String rehashed = hasher.needsRehash(stored) ? hasher.hash(password) : null;
    return new Verified(account.getString(Field.USER_ID), rehashed);
  }

  /** Runs one field rule, collecting its failure so that every bad field is reported at once. */
  private static <T> T checked(JsonObject invalid, java.util.function.Supplier<T> rule) {
    try {
      return rule.get();
    } catch (InvalidFieldException e) {
      invalid.put(e.field(), e.getMessage());
      return null;
    }
  }

  private JsonObject session(String refreshToken) {
    return StoreClient.session(RefreshTokens.hash(refreshToken), clock.instant().getEpochSecond() + refreshTtlSeconds);
  }

  private JsonObject newSession(String sessionId, String userAgent, String refreshToken) {
    return StoreClient.newSession(sessionId, userAgent(userAgent), RefreshTokens.hash(refreshToken),
      clock.instant().getEpochSecond() + refreshTtlSeconds);
  }

  /** The User-Agent as sent, cut to 200 characters (never inside a surrogate pair); null when absent. */
  static String userAgent(String header) {
    if (header == null || header.isEmpty()) {
      return null;
    }
    if (header.codePointCount(0, header.length()) <= USER_AGENT_MAX) {
      return header;
    }
    return header.substring(0, header.offsetByCodePoints(0, USER_AGENT_MAX));
  }

  private IssuedTokens issue(JsonObject user, String sessionId, String refreshToken) {
    return new IssuedTokens(accessTokens.issue(user.getString(Field.ID), sessionId), refreshToken,
      accessTokens.ttlSeconds(), refreshTtlSeconds, user);
  }

  private record Verified(String userId, String rehashed) {
  }

  private record Registration(String skeleton, String passwordHash) {
  }
}
