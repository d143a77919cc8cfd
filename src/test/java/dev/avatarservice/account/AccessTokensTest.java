package dev.avatarservice.account;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue and verification of access tokens, including the hostile ones a client might send. */
class AccessTokensTest {

  private static final byte[] KEY = "unit-test-key-unit-test-key-0123456789".getBytes(StandardCharsets.UTF_8);
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final String USER = UUID.randomUUID().toString();
  private static final String SESSION = java.util.UUID.randomUUID().toString();

  private static Vertx vertx;
  private static AccessTokens tokens;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    tokens = tokensAt(NOW, KEY, "avatar-service");
  }

  @AfterAll
  static void tearDown() {
    vertx.close().await();
  }

  private static AccessTokens tokensAt(Instant now, byte[] key, String audience) {
    return new AccessTokens(vertx, new TokenSettings(SigningKeys.of(key, java.util.List.of()), "avatar-service", audience, 900, 5, 100),
      Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void anIssuedTokenCarriesTheContractClaimsAndVerifies() {
    String token = tokens.issue(USER, SESSION);
    JsonObject header = part(token, 0);
    JsonObject claims = part(token, 1);

    assertThat(header.getString("alg")).isEqualTo("HS256");
    assertThat(claims.getString("sub")).isEqualTo(USER);
    assertThat(claims.getString("iss")).isEqualTo("avatar-service");
    assertThat(claims.getValue("aud").toString()).contains("avatar-service");
    assertThat(claims.getLong("iat")).isEqualTo(NOW.getEpochSecond());
    assertThat(claims.getLong("exp")).isEqualTo(NOW.getEpochSecond() + 900);
    assertThat(claims.getString("jti")).isNotBlank();
    assertThat(tokens.verify(token).await().userId()).isEqualTo(USER);
  }

  @Test
  void tokensExpireAfterTheirLifetimePlusLeeway() {
    String token = tokens.issue(USER, SESSION);
    assertThat(tokensAt(NOW.plusSeconds(904), KEY, "avatar-service").verify(token).await().userId()).isEqualTo(USER);
    assertRefused(tokensAt(NOW.plusSeconds(906), KEY, "avatar-service"), token);
  }

  @Test
  void aRememberedTokenIsRefusedOnceItExpires() {
    MutableClock clock = new MutableClock(NOW);
    AccessTokens remembering = new AccessTokens(vertx, new TokenSettings(SigningKeys.of(KEY, java.util.List.of()), "avatar-service", "avatar-service", 900, 5,
      100), clock);
    String token = remembering.issue(USER, SESSION);
    assertThat(remembering.verify(token).await().userId()).isEqualTo(USER);
    clock.now = NOW.plusSeconds(904);
    assertThat(remembering.verify(token).await().userId()).isEqualTo(USER);
    clock.now = NOW.plusSeconds(906);
    assertRefused(remembering, token);
  }

  @Test
  void aTamperedPayloadIsRefusedEvenAfterTheGenuineTokenWasRemembered() {
    String token = tokens.issue(USER, SESSION);
    assertThat(tokens.verify(token).await().userId()).isEqualTo(USER);
    String[] parts = token.split("\\.");
    String otherUser = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
      new String(java.util.Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8)
        .replace(USER, "00000000-0000-4000-8000-000000000000").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertRefused(tokens, parts[0] + "." + otherUser + "." + parts[2]);
    assertRefused(tokens, token + " ");
  }

  /** A clock the test moves. */
  private static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void aTamperedPayloadIsRefused() {
    String token = tokens.issue(USER, SESSION);
    String[] parts = token.split("\\.");
    JsonObject claims = part(token, 1).put("sub", UUID.randomUUID().toString());
    assertRefused(tokens, parts[0] + "." + encode(claims) + "." + parts[2]);
  }

  @Test
  void theNoneAlgorithmIsRefused() {
    JsonObject header = new JsonObject().put("alg", "none").put("typ", "JWT");
    String unsigned = encode(header) + "." + encode(validClaims());
    assertRefused(tokens, unsigned + ".");
    assertRefused(tokens, unsigned);
  }

  @Test
  void otherAlgorithmsAreRefusedEvenWithTheRightKey() {
    assertRefused(tokens, sign(new JsonObject().put("alg", "HS512").put("typ", "JWT"), validClaims(), KEY, "HmacSHA512"));
  }

  @Test
  void aTokenSignedWithAnotherKeyIsRefused() {
    byte[] other = "another-key-another-key-another-key-42".getBytes(StandardCharsets.UTF_8);
    assertRefused(tokens, tokensAt(NOW, other, "avatar-service").issue(USER, SESSION));
  }

  @Test
  void aTokenWithoutExpiryIsRefused() {
    JsonObject claims = validClaims();
    claims.remove("exp");
    assertRefused(tokens, hs256(claims));
  }

  @Test
  void claimsOfTheWrongTypeAreRefused() {
    assertRefused(tokens, hs256(validClaims().put("exp", "tomorrow")));
    assertRefused(tokens, hs256(validClaims().put("sub", 42)));
    assertRefused(tokens, hs256(validClaims().put("sub", "alice@example.com")));
  }

  @Test
  void aTokenForAnotherAudienceOrIssuerIsRefused() {
    assertRefused(tokens, tokensAt(NOW, KEY, "someone-else").issue(USER, SESSION));
    assertRefused(tokens, hs256(validClaims().put("iss", "someone-else")));
  }

  @Test
  void futureIssueAndNotBeforeTimesAreRefused() {
    assertRefused(tokens, hs256(validClaims().put("iat", NOW.getEpochSecond() + 3600)));
    assertRefused(tokens, hs256(validClaims().put("nbf", NOW.getEpochSecond() + 3600)));
  }

  @Test
  void garbageAndOversizedTokensAreRefused() {
    assertRefused(tokens, "not-a-token");
    assertRefused(tokens, "a.b.c");
    assertRefused(tokens, "");
    assertRefused(tokens, tokens.issue(USER, SESSION) + "x".repeat(AccessTokens.MAX_TOKEN_LENGTH));
  }

  private static JsonObject validClaims() {
    return new JsonObject().put("sub", USER).put("iss", "avatar-service").put("aud", "avatar-service")
      .put("iat", NOW.getEpochSecond()).put("exp", NOW.getEpochSecond() + 900).put("jti", UUID.randomUUID().toString());
  }

  private static String hs256(JsonObject claims) {
    return sign(new JsonObject().put("alg", "HS256").put("typ", "JWT"), claims, KEY, "HmacSHA256");
  }

  private static String sign(JsonObject header, JsonObject claims, byte[] key, String macAlgorithm) {
    String input = encode(header) + "." + encode(claims);
    try {
      Mac mac = Mac.getInstance(macAlgorithm);
      mac.init(new SecretKeySpec(key, macAlgorithm));
      return input + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String encode(JsonObject json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject part(String token, int index) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[index]), StandardCharsets.UTF_8));
  }

  private static void assertRefused(AccessTokens verifier, String token) {
    assertThatThrownBy(() -> verifier.verify(token).await()).isInstanceOf(InvalidTokenException.class);
  }
}
