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
  private static final String SID = UUID.randomUUID().toString();
  private static final String CLAIMS = Jwts.claims(USER, NOW.getEpochSecond());
  private static final String KID = SigningKey.kid(KEY);
  private static final String HS256_HEADER = "{\"typ\":\"JWT\",\"alg\":\"HS256\",\"kid\":\"" + KID + "\"}";
  /** A key being rotated out: it still verifies, never signs. */
  private static final byte[] PREVIOUS = "previous-key-previous-key-0123456789".getBytes(StandardCharsets.UTF_8);
  private static final SigningKeys KEYS = SigningKeys.of(KEY, java.util.List.of(PREVIOUS));

  private static Vertx vertx;
  private static AccessTokens tokens;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    tokens = new AccessTokens(vertx, new TokenSettings(KEYS, "avatar-service", "avatar-service", 900, 5, 100),
      Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterAll
  static void tearDown() {
    vertx.close().await();
  }

  @Test
  void theTokensItIssuesAndHonestForgeriesHaveTheShape() {
    assertThat(AccessTokens.issuedKid(tokens.issue(USER, SID), KEYS)).isEqualTo(KID);
    assertAccepted(hs256(HS256_HEADER, CLAIMS, KEY));
    assertAccepted(hs256("{\"alg\":\"HS256\",\"kid\":\"" + KID + "\"}", CLAIMS, KEY));
    assertAccepted(hs256("{\"alg\" : \"HS256\", \"kid\": \"" + KID + "\"}\n", CLAIMS, KEY));
  }

  @Test
  void headersNamingOrCarryingKeysAreRefusedEvenWithTheRightSignature() {
    for (String member : new String[] {"\"kid\":\"1\"", "\"jku\":\"http://127.0.0.1:1/jwks\"", "\"jwk\":{\"kty\":\"oct\",\"k\":\"AA\"}",
      "\"x5u\":\"http://127.0.0.1:1/c.pem\"", "\"x5c\":[\"AA==\"]", "\"x5t\":\"AA\"", "\"x5t#S256\":\"AA\"",
      "\"crit\":[\"exp\"]", "\"cty\":\"JWT\"", "\"b64\":false", "\"zip\":\"DEF\"", "\"typ\":\"at+jwt\"", "\"typ\":null"}) {
      assertRefused(hs256((member.startsWith("\"kid\"") ? "{\"alg\":\"HS256\"," : "{\"alg\":\"HS256\",\"kid\":\"" + KID + "\",")
        + member + "}", CLAIMS, KEY));
    }
  }

  @Test
  void algorithmsOtherThanHs256AreRefusedBeforeTheLibrarySeesThem() {
    for (String alg : new String[] {"none", "None", "NONE", "hs256", "HS256 ", "HS384", "HS512", "RS256", "ES256", "PS256", ""}) {
      assertThat(AccessTokens.issuedKid(hs256("{\"alg\":\"" + alg + "\",\"kid\":\"" + KID + "\"}", CLAIMS, KEY), KEYS)).as(alg).isNull();
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
      assertThat(AccessTokens.issuedKid(hs256(HS256_HEADER, claims, KEY), KEYS)).as(claims.substring(0, Math.min(40, claims.length()))).isNull();
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
    String token = tokens.issue(USER, SID);
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

  @Test
  void tokensNamingAKidThatIsNotOursAreRefused() {
    assertRefused(hs256("{\"alg\":\"HS256\",\"kid\":\"AAAAAAAAAAAAAAAA\"}", CLAIMS, KEY));
    assertRefused(hs256("{\"alg\":\"HS256\",\"kid\":\"" + KID.toLowerCase(java.util.Locale.ROOT) + "x\"}", CLAIMS, KEY));
    assertRefused(hs256("{\"alg\":\"HS256\",\"kid\":1}", CLAIMS, KEY));
    assertRefused(hs256("{\"alg\":\"HS256\",\"kid\":null}", CLAIMS, KEY));
    // a token without kid: what this version issues always names its key
    assertRefused(hs256("{\"alg\":\"HS256\"}", CLAIMS, KEY));
  }

  @Test
  void aPreviousKeyVerifiesOnlyWithItsOwnKidAndAlgorithm() {
    String previousKid = SigningKey.kid(PREVIOUS);
    assertAccepted(hs256("{\"alg\":\"HS256\",\"kid\":\"" + previousKid + "\"}", CLAIMS, PREVIOUS));
    // signed by the previous key, but naming the current one, and the other way round
    assertRefused(hs256(HS256_HEADER, CLAIMS, PREVIOUS));
    assertRefused(hs256("{\"alg\":\"HS256\",\"kid\":\"" + previousKid + "\"}", CLAIMS, KEY));
    // the previous kid with another algorithm, correctly computed with the previous key
    assertRefused(Jwts.hmac("{\"alg\":\"HS512\",\"kid\":\"" + previousKid + "\"}", CLAIMS, PREVIOUS, "HmacSHA512"));
    assertRefused(Jwts.hmac("{\"alg\":\"HS384\",\"kid\":\"" + previousKid + "\"}", CLAIMS, PREVIOUS, "HmacSHA384"));
    // what is issued is signed by the current key only
    String issued = tokens.issue(USER, SID);
    assertThat(Jwts.header(issued, "kid")).isEqualTo(KID);
    assertThat(Jwts.header(issued, "alg")).isEqualTo("HS256");
  }

  @Test
  void asymmetricKeysSignAndVerifyAndRefuseAlgorithmConfusion() throws Exception {
    for (String algorithm : new String[] {"ES256", "EdDSA"}) {
      java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("ES256".equals(algorithm) ? "EC" : "Ed25519");
      if ("ES256".equals(algorithm)) {
        generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
      }
      java.security.KeyPair pair = generator.generateKeyPair();
      SigningKey key = AsymmetricKeys.fromPrivate(algorithm, pem(pair.getPrivate().getEncoded(), "PRIVATE KEY"));
      assertThat(key.kid()).isEqualTo(SigningKey.kid(pair.getPublic().getEncoded()));
      SigningKeys keys = new SigningKeys(key, java.util.List.of(SigningKey.hs256(PREVIOUS)));
      AccessTokens asymmetric = new AccessTokens(vertx, new TokenSettings(keys, "avatar-service", "avatar-service", 900, 5, 100),
        Clock.fixed(NOW, ZoneOffset.UTC));
      String issued = asymmetric.issue(USER, SID);
      assertThat(Jwts.header(issued, "alg")).isEqualTo(algorithm);
      assertThat(asymmetric.verify(issued).await().sessionId()).isEqualTo(SID);
      // the published key verifies it
      assertThat(keys.jwks().getJsonArray("keys").getJsonObject(0).getString("kid")).isEqualTo(key.kid());
      // algorithm confusion: HS256 "signed" with the public key, in every spelling an attacker has
      String header = "{\"alg\":\"HS256\",\"kid\":\"" + key.kid() + "\"}";
      for (byte[] material : new byte[][] {pair.getPublic().getEncoded(),
        pem(pair.getPublic().getEncoded(), "PUBLIC KEY").getBytes(StandardCharsets.US_ASCII)}) {
        String confused = hs256(header, CLAIMS, material);
        assertThatThrownBy(() -> asymmetric.verify(confused).await()).isInstanceOf(InvalidTokenException.class);
      }
      // the previous HS256 key still verifies, with its own kid
      assertThat(asymmetric.verify(hs256("{\"alg\":\"HS256\",\"kid\":\"" + SigningKey.kid(PREVIOUS) + "\"}", CLAIMS, PREVIOUS))
        .await().userId()).isEqualTo(USER);
      // and the asymmetric kid with the HS256 secret's signature is refused
      assertThatThrownBy(() -> asymmetric.verify(hs256(header, CLAIMS, PREVIOUS)).await()).isInstanceOf(InvalidTokenException.class);
    }
  }

  private static String pem(byte[] der, String type) {
    return "-----BEGIN " + type + "-----\n" + java.util.Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  private static void assertAccepted(String token) {
    assertThat(tokens.verify(token).await().userId()).isEqualTo(USER);
  }

  private static void assertRefused(String token) {
    String shown = token.length() > 200 ? token.substring(0, 200) + "..." : token;
    assertThatThrownBy(() -> tokens.verify(token).await()).as(shown).isInstanceOf(InvalidTokenException.class);
  }
}
