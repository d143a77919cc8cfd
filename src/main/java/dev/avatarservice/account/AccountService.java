package dev.avatarservice.account;

import dev.avatarservice.bus.Failure;
import dev.avatarservice.bus.Field;
import dev.avatarservice.bus.StoreClient;
import io.vertx.core.Future;
import dev.avatarservice.worker.BoundedPool;
import io.vertx.core.json.JsonObject;

import java.time.Clock;

/**
 * Registration, login and refresh: the rules of accounts and tokens, independent of HTTP. Hashing
 * runs on the bounded hashing pool; everything durable is asked of the store.
 */
public final class AccountService {

  private final StoreClient store;
  private final AccessTokens accessTokens;
  private final RefreshTokens refreshTokens = new RefreshTokens();
  private final PasswordHasher hasher;
  private final BoundedPool hashing;
  private final LoginThrottle throttle;
  private final int refreshTtlSeconds;
  private final Clock clock;

  public AccountService(StoreClient store, AccessTokens accessTokens, PasswordHasher hasher, BoundedPool hashing,
                        LoginThrottle throttle, int refreshTtlSeconds, Clock clock) {
    this.store = store;
    this.accessTokens = accessTokens;
    this.hasher = hasher;
    this.hashing = hashing;
    this.throttle = throttle;
    this.refreshTtlSeconds = refreshTtlSeconds;
    this.clock = clock;
  }

  public Future<IssuedTokens> register(String rawIdentifier, String rawPassword) {
    if (!PasswordPolicy.loaded()) {
      // the first registration reads the common-password list and builds the strength estimator on
      // a worker, not on the event loop; not at start-up either: on one core it delayed the node's
      // first answer by half a second
      return hashing.run(PasswordPolicy::load)
        .compose(loaded -> register(rawIdentifier, rawPassword));
    }
    JsonObject invalid = new JsonObject();
    var identifier = checked(invalid, () -> Identifiers.normalize(rawIdentifier));
    String password = checked(invalid, () -> PasswordPolicy.normalize(rawPassword));
    if (!invalid.isEmpty()) {
      return Future.failedFuture(new InvalidFieldsException(invalid));
    }
    String refreshToken = refreshTokens.newToken();
    // the strength estimate and the skeleton cost CPU (and load data the first time): on the hashing
    // pool, through its gate, with the hash
    return hashing.run(() -> {
        PasswordPolicy.checkStrength(password);
        return new Registration(Identifiers.skeleton(identifier.key()), hasher.hash(password));
      })
      .compose(registration -> store.register(identifier.display(), identifier.key(), registration.skeleton(),
        registration.passwordHash(), session(refreshToken)))
      .map(user -> issue(user, refreshToken));
  }

  /**
   * Checks a password. An unknown identifier costs the same hash as a wrong password and fails with
   * the same answer, so neither timing nor body tells whether an account exists. The check is
   * reserved with the {@link LoginThrottle} before anything else, so that concurrent guesses cannot
   * all pass the limit before the first failure is counted.
   */
  public Future<IssuedTokens> login(String rawIdentifier, String rawPassword, String clientAddress) {
    var identifier = Identifiers.normalize(rawIdentifier);
    String password = java.text.Normalizer.normalize(rawPassword, java.text.Normalizer.Form.NFKC);
    return throttle.reserve(LoginThrottle.key(identifier.key(), clientAddress))
      .compose(attempt -> store.credentials(identifier.key())
        .recover(error -> Failure.of(error).filter(f -> f == Failure.UNKNOWN_IDENTIFIER).isPresent()
          ? Future.succeededFuture(null) : Future.failedFuture(error))
        .compose(account -> hashing.run(() -> verify(account, password)))
        .transform(checked -> {
          if (checked.failed()) {
            // no verdict on the password: the attempt is not held against the client
            return attempt.abandoned().transform(released -> Future.<IssuedTokens>failedFuture(checked.cause()));
          }
          Verified verified = checked.result();
          if (verified == null) {
            return attempt.failed().transform(recorded -> Future.<IssuedTokens>failedFuture(
              new InvalidCredentialsException()));
          }
          String refreshToken = refreshTokens.newToken();
          // the count is cleared best-effort: a failure to forget failures must not refuse a right password
          return attempt.succeeded()
            .transform(cleared -> store.login(verified.userId(), session(refreshToken), verified.rehashed()))
            .map(user -> issue(user, refreshToken));
        }));
  }

  public Future<IssuedTokens> refresh(String refreshToken) {
    String next = refreshTokens.newToken();
    return store.refresh(RefreshTokens.hash(refreshToken), session(next)).map(user -> issue(user, next));
  }

  /** Ends the login that refresh token belongs to; of that user only, when one is given. */
  public Future<Void> revoke(String refreshToken, String userId) {
    return store.revoke(RefreshTokens.hash(refreshToken), userId).mapEmpty();
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

  private IssuedTokens issue(JsonObject user, String refreshToken) {
    return new IssuedTokens(accessTokens.issue(user.getString(Field.ID)), refreshToken, accessTokens.ttlSeconds(),
      refreshTtlSeconds, user);
  }

  private record Verified(String userId, String rehashed) {
  }

  private record Registration(String skeleton, String passwordHash) {
  }
}
