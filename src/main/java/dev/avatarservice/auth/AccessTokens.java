package dev.avatarservice.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

/**
 * Issues and verifies the access tokens (JWT). HS256 is pinned: the provider holds only an HS256
 * key, so {@code none} and every other algorithm find no key and fail. Signature, issuer and
 * audience are checked by vertx-auth-jwt; the time claims are checked here, strictly typed, because
 * {@code exp} is required (the library accepts a token without one) and a claim of the wrong type
 * must be a 401, not an exception.
 */
public final class AccessTokens {

  public static final String ALGORITHM = "HS256";
  /** Longer than any token we issue by far; larger ones are refused before any parsing. */
  static final int MAX_TOKEN_LENGTH = 4096;

  private final JWTAuth provider;
  private final JWTOptions signing;
  private final int ttlSeconds;
  private final long leewaySeconds;
  private final Clock clock;

  public AccessTokens(Vertx vertx, TokenSettings settings, Clock clock) {
    this.ttlSeconds = settings.ttlSeconds();
    this.leewaySeconds = settings.leewaySeconds();
    this.clock = clock;
    this.signing = new JWTOptions()
      .setAlgorithm(ALGORITHM)
      .setIssuer(settings.issuer())
      .setAudience(List.of(settings.audience()))
      .setNoTimestamp(true);
    JWTOptions verifying = new JWTOptions()
      .setIssuer(settings.issuer())
      .setAudience(List.of(settings.audience()))
      .setIgnoreExpiration(true);
    this.provider = JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setBuffer(Buffer.buffer(settings.key())))
      .setJWTOptions(verifying));
  }

  public int ttlSeconds() {
    return ttlSeconds;
  }

  /** A new access token for that user. */
  public String issue(String userId) {
    long now = clock.instant().getEpochSecond();
    JsonObject claims = new JsonObject()
      .put("sub", userId)
      .put("jti", UUID.randomUUID().toString())
      .put("iat", now)
      .put("exp", now + ttlSeconds);
    return provider.generateToken(claims, signing);
  }

  /** The verified claims of a token, or a failed future with an {@link InvalidTokenException}. */
  public Future<VerifiedToken> verify(String token) {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
      return Future.failedFuture(new InvalidTokenException("invalid access token"));
    }
    Future<io.vertx.ext.auth.User> authenticated;
    try {
      authenticated = provider.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // the provider reads some claims with typed getters and throws on a claim of the wrong type
      authenticated = Future.failedFuture(e);
    }
    return authenticated
      .recover(error -> Future.failedFuture(new InvalidTokenException("invalid access token")))
      .compose(user -> {
        try {
          return Future.succeededFuture(checkClaims(user.attributes().getJsonObject("accessToken")));
        } catch (InvalidTokenException e) {
          return Future.failedFuture(e);
        }
      });
  }

  private VerifiedToken checkClaims(JsonObject claims) {
    long now = clock.instant().getEpochSecond();
    long exp = numericDate(claims, "exp", true);
    long iat = numericDate(claims, "iat", true);
    long nbf = numericDate(claims, "nbf", false);
    if (exp + leewaySeconds < now) {
      throw new InvalidTokenException("access token expired");
    }
    if (iat - leewaySeconds > now || nbf - leewaySeconds > now || iat > exp) {
      throw new InvalidTokenException("invalid access token");
    }
    if (!(claims.getValue("sub") instanceof String sub) || !isUuid(sub)) {
      throw new InvalidTokenException("invalid access token");
    }
    return new VerifiedToken(sub, exp);
  }

  private static long numericDate(JsonObject claims, String name, boolean required) {
    Object value = claims.getValue(name);
    if (value == null && !required) {
      return Long.MIN_VALUE / 2;
    }
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    throw new InvalidTokenException("invalid access token");
  }

  private static boolean isUuid(String text) {
    try {
      return text.length() == 36 && UUID.fromString(text).toString().equals(text);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Who a verified token names, and until when (epoch seconds) it is good. */
  public record VerifiedToken(String userId, long expiresAt) {
  }
}
