package dev.avatarservice.account;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Issues and verifies the access tokens (JWT). The algorithm is pinned per key: a token names its
 * key by {@code kid}, the key must be one of ours (current or previous, see {@link SigningKeys}), the
 * token's {@code alg} must be that key's, and it is verified by a provider that holds that key
 * alone, so {@code none}, an unknown kid, and a token that claims another algorithm for a known key
 * (an HS256 token "signed" with a public key: algorithm confusion) all fail. Signature, issuer and
 * audience are checked by vertx-auth-jwt; the time claims are checked here, strictly typed, because
 * {@code exp} is required (the library accepts a token without one) and a claim of the wrong type
 * must be a 401, not an exception.
 * <p>
 * Before the library sees a token, its shape must be exactly what {@link #issue} makes: three
 * canonical base64url segments; a header of {@code alg}, {@code kid} and {@code typ: JWT} only, so no
 * {@code jku}, {@code jwk}, {@code x5u}, {@code x5c} or {@code crit} (no key is ever fetched or taken
 * from a token, whatever a library version would do with them; {@code kid} only picks among ours); and no
 * member repeated in the header or the claims: JSON parsers disagree on which of two {@code sub}
 * wins, so such a token means different things to different readers and is refused.
 * <p>
 * A token that passed all of that is remembered (up to {@code cacheSize}, 0 for none, by Caffeine's
 * Window TinyLFU, and no longer than until it expires): the same string verifies the same way until
 * it expires, and parsing and checking it was most of an authenticated read's cost. Only its expiry
 * is checked again, on every use, against {@code clock}. Whether its account and its session
 * ({@code sid}) still exist is not this class's business: every use asks the store ({@code BearerAuth}).
 */
public final class AccessTokens {

  /** Longer than any token we issue by far; larger ones are refused before any parsing. */
  static final int MAX_TOKEN_LENGTH = 4096;
  private static final String TYPE = "JWT";
  private static final Set<String> HEADER_MEMBERS = Set.of("alg", "typ", "kid");
  private static final JsonFactory STRICT_JSON = JsonFactory.builder()
    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private final SigningKeys keys;
  /** One provider per key, by kid: each accepts its own key's algorithm only. */
  private final Map<String, JWTAuth> providers = new java.util.HashMap<>();
  private final JWTOptions signing;
  private final int ttlSeconds;
  private final long leewaySeconds;
  private final Clock clock;
  /** Null when the cache size is 0. */
  private final Cache<String, VerifiedToken> verified;

  public AccessTokens(Vertx vertx, TokenSettings settings, Clock clock) {
    this.ttlSeconds = settings.ttlSeconds();
    this.leewaySeconds = settings.leewaySeconds();
    this.clock = clock;
    // each entry leaves when its token expires, so expired tokens do not hold memory until evicted;
    // Caffeine is thread-safe: nothing forces sockets and requests of one verticle onto one thread
    this.verified = settings.cacheSize() <= 0 ? null : Caffeine.newBuilder()
      .maximumSize(settings.cacheSize())
      .expireAfter(Expiry.writing((String token, VerifiedToken checked) -> untilExpired(checked)))
      .build();
    this.keys = settings.keys();
    this.signing = new JWTOptions()
      .setAlgorithm(keys.current().algorithm())
      .setHeader(new JsonObject().put("kid", keys.current().kid()))
      .setIssuer(settings.issuer())
      .setAudience(List.of(settings.audience()))
      .setNoTimestamp(true);
    JWTOptions verifying = new JWTOptions()
      .setIssuer(settings.issuer())
      .setAudience(List.of(settings.audience()))
      .setIgnoreExpiration(true);
    for (SigningKey key : keys.all()) {
      JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(verifying);
      key.options().forEach(options::addPubSecKey);
      providers.put(key.kid(), JWTAuth.create(vertx, options));
    }
  }

  public int ttlSeconds() {
    return ttlSeconds;
  }

  /** A new access token for that user and session, signed by the current key. */
  public String issue(String userId, String sessionId) {
    long now = clock.instant().getEpochSecond();
    JsonObject claims = new JsonObject()
      .put("sub", userId)
      .put("sid", sessionId)
      .put("jti", UUID.randomUUID().toString())
      .put("iat", now)
      .put("exp", now + ttlSeconds);
    return providers.get(keys.current().kid()).generateToken(claims, signing);
  }

  /** The verified claims of a token, or a failed future with an {@link InvalidTokenException}. */
  public Future<VerifiedToken> verify(String token) {
    VerifiedToken known = verified == null || token == null || token.length() > MAX_TOKEN_LENGTH ? null
      : verified.getIfPresent(token);
    if (known != null) {
      // Caffeine's clock is not ours (a test's, a wall clock that moved): this check is the one that counts
      if (known.expiresAt() + leewaySeconds < clock.instant().getEpochSecond()) {
        verified.invalidate(token);
        return Future.failedFuture(new InvalidTokenException("access token expired"));
      }
      return Future.succeededFuture(known);
    }
    String kid = token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH ? null : issuedKid(token, keys);
    if (kid == null) {
      return Future.failedFuture(new InvalidTokenException("invalid access token"));
    }
    Future<io.vertx.ext.auth.User> authenticated;
    try {
      authenticated = providers.get(kid).authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // the provider reads some claims with typed getters and throws on a claim of the wrong type
      authenticated = Future.failedFuture(e);
    }
    return authenticated
      .recover(error -> Future.failedFuture(new InvalidTokenException("invalid access token")))
      .compose(user -> {
        try {
          VerifiedToken checked = checkClaims(user.attributes().getJsonObject("accessToken"));
          if (verified != null) {
            verified.put(token, checked);
          }
          return Future.succeededFuture(checked);
        } catch (InvalidTokenException e) {
          return Future.failedFuture(e);
        }
      });
  }

  /** How long a verified token may stay remembered: to the end of its last good second, leeway included. */
  private Duration untilExpired(VerifiedToken checked) {
    long seconds = checked.expiresAt() + leewaySeconds + 1 - clock.instant().getEpochSecond();
    // an exp so large that this overflows is only left out of the cache
    return Duration.ofSeconds(Math.max(0, seconds));
  }

  /**
   * The kid of a token that has the shape of one we issue (see the class comment) and names one of
   * our keys with that key's algorithm, else null; cheap, no signature.
   */
  static String issuedKid(String token, SigningKeys keys) {
    String[] segments = token.split("\\.", -1);
    if (segments.length != 3) {
      return null;
    }
    byte[] header = canonicalBase64Url(segments[0]);
    byte[] claims = canonicalBase64Url(segments[1]);
    if (header == null || claims == null || canonicalBase64Url(segments[2]) == null
      || !isObjectWithoutRepeatedMembers(header) || !isObjectWithoutRepeatedMembers(claims)) {
      return null;
    }
    try {
      JsonObject headerJson = new JsonObject(Buffer.buffer(header));
      if (!HEADER_MEMBERS.containsAll(headerJson.fieldNames())
        || headerJson.containsKey("typ") && !TYPE.equals(headerJson.getValue("typ"))
        || !(headerJson.getValue("kid") instanceof String kid)) {
        return null;
      }
      SigningKey key = keys.byKid(kid);
      return key != null && key.algorithm().equals(headerJson.getValue("alg")) ? kid : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The bytes of an unpadded base64url segment, or null unless it is their one canonical spelling. */
  private static byte[] canonicalBase64Url(String segment) {
    try {
      byte[] bytes = Base64.getUrlDecoder().decode(segment);
      return bytes.length > 0 && Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(segment)
        ? bytes : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * True for one JSON object, from the first byte (no byte-order mark, which the parser would skip)
   * with nothing after it, and no member name twice in any object of it.
   */
  private static boolean isObjectWithoutRepeatedMembers(byte[] json) {
    if (json[0] != '{') {
      return false;
    }
    try (JsonParser parser = STRICT_JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      int depth = 1;
      while (depth > 0) {
        JsonToken next = parser.nextToken();
        if (next == null) {
          return false;
        }
        if (next.isStructStart()) {
          depth++;
        } else if (next.isStructEnd()) {
          depth--;
        }
      }
      return parser.nextToken() == null;
    } catch (IOException | RuntimeException e) {
      // repeated member, malformed JSON, nesting or number limits
      return false;
    }
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
    if (!(claims.getValue("sub") instanceof String sub) || !isUuid(sub)
      || !(claims.getValue("sid") instanceof String sid) || !isUuid(sid)) {
      throw new InvalidTokenException("invalid access token");
    }
    return new VerifiedToken(sub, sid, exp);
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

  /** Who a verified token names, in which session, and until when (epoch seconds) it is good. */
  public record VerifiedToken(String userId, String sessionId, long expiresAt) {
  }
}
