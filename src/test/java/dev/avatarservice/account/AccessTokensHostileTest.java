package dev.avatarservice.account;

import dev.avatarservice.support.Jwts;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import static dev.avatarservice.support.Jwts.HS256_HEADER;
import static dev.avatarservice.support.Jwts.hs256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The shape check of {@link AccessTokens}: only tokens shaped like the ones it issues reach the
 * signature check, whatever their signature. Server-level cases are in HostileTokenApiTest.
 */
class AccessTokensHostileTest {

  private static final byte[] KEY = "unit-test-key-unit-test-key-0123456789".getBytes(StandardCharsets.UTF_8);
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final String USER = UUID.randomUUID().toString();
  private static final String CLAIMS = Jwts.claims(USER, NOW.getEpochSecond());

  private static Vertx vertx;
  private static AccessTokens tokens;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    tokens = new AccessTokens(vertx, new TokenSettings(KEY, "avatar-service", "avatar-service", 900, 5, 100),
      Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterAll
  static void tearDown() {
    vertx.close().await();
  }

  @Test
  void theTokensItIssuesAndHonestForgeriesHaveTheShape() {
    assertThat(AccessTokens.issuedShape(tokens.issue(USER))).isTrue();
    assertAccepted(hs256(HS256_HEADER, CLAIMS, KEY));
    assertAccepted(hs256("{\"alg\":\"HS256\"}", CLAIMS, KEY));
    assertAccepted(hs256("{\"alg\" : \"HS256\"}\n", CLAIMS, KEY));
  }

  @Test
  void headersNamingOrCarryingKeysAreRefusedEvenWithTheRightSignature() {
    for (String member : new String[] {"\"kid\":\"1\"", "\"jku\":\"http://127.0.0.1:1/jwks\"", "\"jwk\":{\"kty\":\"oct\",\"k\":\"AA\"}",
      "\"x5u\":\"http://127.0.0.1:1/c.pem\"", "\"x5c\":[\"AA==\"]", "\"x5t\":\"AA\"", "\"x5t#S256\":\"AA\"",
      "\"crit\":[\"exp\"]", "\"cty\":\"JWT\"", "\"b64\":false", "\"zip\":\"DEF\"", "\"typ\":\"at+jwt\"", "\"typ\":null"}) {
      assertRefused(hs256("{\"alg\":\"HS256\"," + member + "}", CLAIMS, KEY));
    }
  }

  @Test
  void algorithmsOtherThanHs256AreRefusedBeforeTheLibrarySeesThem() {
    for (String alg : new String[] {"none", "None", "NONE", "hs256", "HS256 ", "HS384", "HS512", "RS256", "ES256", "PS256", ""}) {
      assertThat(AccessTokens.issuedShape(hs256("{\"alg\":\"" + alg + "\"}", CLAIMS, KEY))).as(alg).isFalse();
    }
    assertRefused(hs256("{\"alg\":null}", CLAIMS, KEY));
    assertRefused(hs256("{\"alg\":[\"HS256\"]}", CLAIMS, KEY));
    assertRefused(hs256("{\"alg\":{\"name\":\"HS256\"}}", CLAIMS, KEY));
  }

  @Test
  void repeatedMembersAreRefusedAnywhere() {
    String other = UUID.randomUUID().toString();
    assertRefused(hs256(HS256_HEADER, CLAIMS.replace("{", "{\"sub\":\"" + other + "\","), KEY));
    assertRefused(hs256(HS256_HEADER, CLAIMS.replace("}", ",\"sub\":\"" + other + "\"}"), KEY));
    // an escaped spelling is the same name once decoded
    assertRefused(hs256(HS256_HEADER, CLAIMS.replace("}", ",\"s\\u0075b\":\"" + other + "\"}"), KEY));
    // inside a nested object too
    assertRefused(hs256(HS256_HEADER, CLAIMS.replace("}", ",\"ctx\":{\"a\":1,\"a\":2}}"), KEY));
    assertRefused(hs256("{\"alg\":\"none\",\"alg\":\"HS256\"}", CLAIMS, KEY));
    assertRefused(hs256("{\"alg\":\"HS256\",\"alg\":\"HS256\"}", CLAIMS, KEY));
    // names that only look alike are different names
    assertAccepted(hs256(HS256_HEADER, CLAIMS.replace("}", ",\"SUB\":\"" + other + "\"}"), KEY));
  }

  @Test
  void segmentsThatAreNotOneJsonObjectAreRefused() {
    for (String claims : new String[] {"[" + CLAIMS + "]", "null", "\"text\"", "42", CLAIMS + "{}", CLAIMS + " x",
      "\ufeff" + CLAIMS, " " + CLAIMS, CLAIMS.substring(0, CLAIMS.length() - 1), "{\"n\":" + "[".repeat(5000) + "]".repeat(5000) + "}",
      CLAIMS.replace("}", ",\"big\":" + "9".repeat(2000) + "}")}) {
      assertThat(AccessTokens.issuedShape(hs256(HS256_HEADER, claims, KEY))).as(claims.substring(0, Math.min(40, claims.length()))).isFalse();
    }
    assertRefused(hs256("[]", CLAIMS, KEY));
  }

  @Test
  void onlyTheCanonicalSpellingOfTheSegmentsIsTaken() {
    String token = hs256(HS256_HEADER, CLAIMS, KEY);
    String[] parts = token.split("\\.");
    assertAccepted(token);
    assertRefused(parts[0] + "=." + parts[1] + "." + parts[2]);
    assertRefused(parts[0] + "." + parts[1] + "." + parts[2] + "=");
    assertRefused(token + ".");
    assertRefused(parts[0] + "." + parts[1]);
    assertRefused(parts[0] + "." + parts[1] + ".");
    assertRefused("." + parts[1] + "." + parts[2]);
    assertRefused(parts[0] + ".." + parts[2]);
    assertRefused(parts[0] + "." + parts[1].replace('-', '+').replace('_', '/') + "+/." + parts[2]);
  }

  @Test
  void lineBreaksAndSpacesAnywhereInATokenAreRefused() {
    String token = tokens.issue(USER);
    int middle = token.indexOf('.') + 5;
    for (String hostile : new String[] {token + "\r\n", "\r\n" + token, token + "\n", token + "\r",
      token.substring(0, middle) + "\r\nX-Injected: 1\r\n" + token.substring(middle), token + " ", " " + token,
      token.substring(0, middle) + " " + token.substring(middle), token + "\u0000", token + "\t", token + "\u2028"}) {
      assertRefused(hostile);
    }
  }

  @Test
  void hugeTokensAreRefusedWithoutParsing() {
    String huge = hs256(HS256_HEADER, CLAIMS.replace("{", "{\"pad\":\"" + "x".repeat(100 * 1024) + "\","), KEY);
    assertThat(huge.length()).isGreaterThan(100 * 1024);
    assertRefused(huge);
    assertRefused("a".repeat(AccessTokens.MAX_TOKEN_LENGTH + 1));
  }

  private static void assertAccepted(String token) {
    assertThat(tokens.verify(token).await().userId()).isEqualTo(USER);
  }

  private static void assertRefused(String token) {
    String shown = token.length() > 200 ? token.substring(0, 200) + "..." : token;
    assertThatThrownBy(() -> tokens.verify(token).await()).as(shown).isInstanceOf(InvalidTokenException.class);
  }
}
