package dev.avatarservice.http;

import dev.avatarservice.support.ContractAssert;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.Jwts;
import dev.avatarservice.support.Jwts.Attacker;
import dev.avatarservice.support.HostileRequest;
import dev.avatarservice.support.RawHttp;
import dev.avatarservice.support.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static dev.avatarservice.support.Jwts.HS256_HEADER;
import static dev.avatarservice.support.Jwts.claims;
import static dev.avatarservice.support.Jwts.hs256;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile access tokens through the real server: each one is refused with 401, JSend fail and
 * {@code WWW-Authenticate}, on the REST routes and the WebSocket handshake. Tokens that point at a
 * key somewhere ({@code jku}, {@code x5u}) point at a server of this test, which must see no
 * connection at all: the verifier fetches nothing and trusts no key a token brings.
 */
class HostileTokenApiTest {

  private static final byte[] KEY = TestNode.JWT_SECRET.getBytes(StandardCharsets.UTF_8);
  /** A key being rotated out: it verifies, with its own kid and algorithm only. */
  private static final String PREVIOUS = "previous-test-key-previous-test-key-0123";
  private static final String PREVIOUS_KID = dev.avatarservice.account.SigningKey.kid(PREVIOUS.getBytes(StandardCharsets.UTF_8));

  private static TestNode node;
  private static HttpServer keyServer;
  private static final AtomicInteger keyServerConnections = new AtomicInteger();
  private static String userId;
  private static String validToken;
  private static String sid;
  private static Attacker attacker;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("JWT_PREVIOUS_SECRETS", PREVIOUS));
    JsonObject registered = node.api().register("token-target@example.com");
    userId = registered.getJsonObject("user").getString("id");
    validToken = registered.getString("accessToken");
    sid = (String) Jwts.claim(validToken, "sid");
    attacker = Attacker.load();
    String jwks = "{\"keys\":[" + attacker.jwk() + "]}";
    keyServer = node.vertx().createHttpServer()
      .connectionHandler(connection -> keyServerConnections.incrementAndGet())
      .requestHandler(request -> request.response().putHeader("Content-Type", "application/json").end(jwks))
      .listen(0, "127.0.0.1").await();
  }

  @AfterAll
  static void stop() {
    try {
      assertThat(keyServerConnections.get()).as("connections to the key URL a token named").isZero();
    } finally {
      keyServer.close().await();
      node.close();
    }
  }

  private static long now() {
    return Instant.now().getEpochSecond();
  }

  private static String keyUrl() {
    return "http://127.0.0.1:" + keyServer.actualPort() + "/jwks.json";
  }

  @Test
  void theForgingHelperMakesTokensTheServerTakes() {
    // the control: a token forged like the hostile ones, but honest, is accepted
    String honest = hs256(HS256_HEADER, claims(userId, sid, now()), KEY);
    assertThat(JSendAssert.success(node.api().get("/api/user", honest)).getString("id")).isEqualTo(userId);
    String previous = hs256("{\"alg\":\"HS256\",\"kid\":\"" + PREVIOUS_KID + "\"}", claims(userId, sid, now()),
      PREVIOUS.getBytes(StandardCharsets.UTF_8));
    assertThat(JSendAssert.success(node.api().get("/api/user", previous)).getString("id")).isEqualTo(userId);
    assertThat(JSendAssert.success(node.api().get("/api/user", validToken)).getString("id")).isEqualTo(userId);
  }

  @TestFactory
  Stream<DynamicTest> hostileTokensAreRefusedWith401() {
    return hostileTokens().entrySet().stream().map(entry -> DynamicTest.dynamicTest(entry.getKey(), () -> {
      for (String path : new String[] {"/api/user", "/user"}) {
        assertRefused(node.api().get(path, entry.getValue()), entry.getKey());
      }
      // were one taken here, the account would be gone and the next checks would fail
      assertRefused(node.client().delete("/api/user").bearerTokenAuthentication(entry.getValue()).send().await(),
        entry.getKey());
      JSendAssert.success(node.api().get("/api/user", validToken));
      assertThat(keyServerConnections.get()).as("connections to the key URL").isZero();
    }));
  }

  /** Every kind of token the brief of issue 9 names, and a few more; all must be refused. */
  private static Map<String, String> hostileTokens() {
    long now = now();
    String claims = claims(userId, sid, now);
    String other = UUID.randomUUID().toString();
    Map<String, String> tokens = new LinkedHashMap<>();
    // keys named or carried by the token, signed with the right key and with the attacker's
    tokens.put("jku, right key", hs256("{\"alg\":\"HS256\",\"kid\":\"" + Jwts.KID + "\",\"jku\":\"" + keyUrl() + "\"}", claims, KEY));
    tokens.put("jku, attacker key", Jwts.rs256("{\"alg\":\"RS256\",\"jku\":\"" + keyUrl() + "\"}", claims, attacker.key()));
    tokens.put("x5u, right key", hs256("{\"alg\":\"HS256\",\"kid\":\"" + Jwts.KID + "\",\"x5u\":\"" + keyUrl() + "\"}", claims, KEY));
    tokens.put("x5u, attacker key", Jwts.rs256("{\"alg\":\"RS256\",\"x5u\":\"" + keyUrl() + "\"}", claims, attacker.key()));
    tokens.put("jwk RSA, attacker key", Jwts.rs256("{\"alg\":\"RS256\",\"jwk\":" + attacker.jwk() + "}", claims, attacker.key()));
    byte[] attackerSecret = "attacker-secret-attacker-secret-0123".getBytes(StandardCharsets.UTF_8);
    tokens.put("jwk oct, attacker secret", hs256("{\"alg\":\"HS256\",\"kid\":\"" + Jwts.KID + "\",\"jwk\":{\"kty\":\"oct\",\"k\":\""
      + Jwts.b64(attackerSecret) + "\"}}", claims, attackerSecret));
    tokens.put("jwk, right key", hs256("{\"alg\":\"HS256\",\"kid\":\"" + Jwts.KID + "\",\"jwk\":" + attacker.jwk() + "}", claims, KEY));
    tokens.put("x5c, attacker key", Jwts.rs256("{\"alg\":\"RS256\",\"x5c\":[\"" + attacker.x5c() + "\"]}", claims, attacker.key()));
    tokens.put("x5c, right key", hs256("{\"alg\":\"HS256\",\"kid\":\"" + Jwts.KID + "\",\"x5c\":[\"" + attacker.x5c() + "\"]}", claims, KEY));
    tokens.put("kid, right key", hs256("{\"alg\":\"HS256\",\"kid\":\"1\"}", claims, KEY));
    tokens.put("kid unknown, right key", hs256("{\"alg\":\"HS256\",\"kid\":\"AAAAAAAAAAAAAAAA\"}", claims, KEY));
    tokens.put("no kid, right key", hs256("{\"alg\":\"HS256\"}", claims, KEY));
    byte[] previousKey = PREVIOUS.getBytes(StandardCharsets.UTF_8);
    tokens.put("previous kid, HS512 with the previous key", Jwts.hmac("{\"alg\":\"HS512\",\"kid\":\"" + PREVIOUS_KID + "\"}",
      claims, previousKey, "HmacSHA512"));
    tokens.put("previous kid, RS256", Jwts.rs256("{\"alg\":\"RS256\",\"kid\":\"" + PREVIOUS_KID + "\"}", claims, attacker.key()));
    tokens.put("previous kid, signed with the current key", hs256("{\"alg\":\"HS256\",\"kid\":\"" + PREVIOUS_KID + "\"}", claims, KEY));
    tokens.put("current kid, signed with the previous key", hs256(HS256_HEADER, claims, previousKey));
    tokens.put("sid of another session", hs256(HS256_HEADER, claims.replace(sid, other), KEY));
    tokens.put("no sid", hs256(HS256_HEADER, claims.replace("\"sid\":\"" + sid + "\",", ""), KEY));
    tokens.put("kid path traversal, right key", hs256("{\"alg\":\"HS256\",\"kid\":\"../../../../dev/null\"}", claims, KEY));
    tokens.put("crit, right key", hs256("{\"alg\":\"HS256\",\"kid\":\"" + Jwts.KID + "\",\"crit\":[\"exp\"]}", claims, KEY));
    tokens.put("typ at+jwt, right key", hs256("{\"alg\":\"HS256\",\"kid\":\"" + Jwts.KID + "\",\"typ\":\"at+jwt\"}", claims, KEY));
    // algorithms
    for (String none : new String[] {"none", "None", "NONE", "nOnE"}) {
      tokens.put("alg " + none + ", no signature", Jwts.unsigned("{\"alg\":\"" + none + "\"}", claims, ""));
      tokens.put("alg " + none + ", two segments", Jwts.unsigned("{\"alg\":\"" + none + "\"}", claims, null));
    }
    tokens.put("alg HS384, right key", Jwts.hmac("{\"alg\":\"HS384\",\"kid\":\"" + Jwts.KID + "\"}", claims, KEY, "HmacSHA384"));
    tokens.put("alg HS512, right key", Jwts.hmac("{\"alg\":\"HS512\",\"kid\":\"" + Jwts.KID + "\"}", claims, KEY, "HmacSHA512"));
    tokens.put("alg RS256, HMAC key as public key", Jwts.hs256("{\"alg\":\"RS256\"}", claims, KEY));
    tokens.put("alg hs256, right key", hs256("{\"alg\":\"hs256\",\"kid\":\"" + Jwts.KID + "\"}", claims, KEY));
    tokens.put("no alg, right key", hs256("{\"typ\":\"JWT\",\"kid\":\"" + Jwts.KID + "\"}", claims, KEY));
    tokens.put("alg as array, right key", hs256("{\"alg\":[\"HS256\"]}", claims, KEY));
    // claims of the wrong type or time
    tokens.put("exp a string", hs256(HS256_HEADER, claims.replace("\"exp\":" + (now + 900), "\"exp\":\"" + (now + 900) + "\""), KEY));
    tokens.put("exp a fraction", hs256(HS256_HEADER, claims.replace("\"exp\":" + (now + 900), "\"exp\":" + (now + 900) + ".5"), KEY));
    tokens.put("exp huge", hs256(HS256_HEADER, claims.replace("\"exp\":" + (now + 900), "\"exp\":1e300"), KEY));
    tokens.put("exp an object", hs256(HS256_HEADER, claims.replace("\"exp\":" + (now + 900), "\"exp\":{}"), KEY));
    tokens.put("exp null", hs256(HS256_HEADER, claims.replace("\"exp\":" + (now + 900), "\"exp\":null"), KEY));
    tokens.put("exp past", hs256(HS256_HEADER, claims(userId, sid, now - 3600), KEY));
    tokens.put("sub a number", hs256(HS256_HEADER, claims.replace("\"" + userId + "\"", "42"), KEY));
    tokens.put("sub an array", hs256(HS256_HEADER, claims.replace("\"" + userId + "\"", "[\"" + userId + "\"]"), KEY));
    tokens.put("sub an object", hs256(HS256_HEADER, claims.replace("\"" + userId + "\"", "{\"id\":\"" + userId + "\"}"), KEY));
    tokens.put("sub null", hs256(HS256_HEADER, claims.replace("\"" + userId + "\"", "null"), KEY));
    tokens.put("sub the identifier", hs256(HS256_HEADER, claims.replace(userId, "token-target@example.com"), KEY));
    tokens.put("sub upper-case uuid", hs256(HS256_HEADER, claims.replace(userId, userId.toUpperCase(java.util.Locale.ROOT)), KEY));
    tokens.put("iat a string", hs256(HS256_HEADER, claims.replace("\"iat\":" + now, "\"iat\":\"" + now + "\""), KEY));
    tokens.put("iat far future", hs256(HS256_HEADER, claims.replace("\"iat\":" + now, "\"iat\":32503680000"), KEY));
    tokens.put("nbf future", hs256(HS256_HEADER, claims.replace("{", "{\"nbf\":" + (now + 600) + ","), KEY));
    tokens.put("nbf a string", hs256(HS256_HEADER, claims.replace("{", "{\"nbf\":\"" + now + "\","), KEY));
    tokens.put("iss a number", hs256(HS256_HEADER, claims.replace("\"iss\":\"avatar-service\"", "\"iss\":1"), KEY));
    tokens.put("aud an object", hs256(HS256_HEADER, claims.replace("\"aud\":\"avatar-service\"", "\"aud\":{}"), KEY));
    // repeated members: parsers disagree on which one wins
    tokens.put("sub twice, ours last", hs256(HS256_HEADER, claims.replace("{", "{\"sub\":\"" + other + "\","), KEY));
    tokens.put("sub twice, ours first", hs256(HS256_HEADER, claims.replace("}", ",\"sub\":\"" + other + "\"}"), KEY));
    tokens.put("exp twice", hs256(HS256_HEADER, claims.replace("{", "{\"exp\":" + (now - 3600) + ","), KEY));
    tokens.put("alg twice, none last", hs256("{\"alg\":\"HS256\",\"alg\":\"none\"}", claims, KEY));
    tokens.put("alg twice, HS256 last", hs256("{\"alg\":\"none\",\"alg\":\"HS256\"}", claims, KEY));
    // spelling
    String[] parts = validToken.split("\\.");
    tokens.put("padded segments", parts[0] + "==." + parts[1] + "." + parts[2] + "=");
    tokens.put("signature spelled non-canonically", nonCanonical(hs256(HS256_HEADER, claims, KEY)));
    tokens.put("four segments", validToken + ".");
    tokens.put("whitespace inside", parts[0] + ". " + parts[1] + "." + parts[2]);
    tokens.put("5 KiB, past the length limit", hs256(HS256_HEADER, claims.replace("{", "{\"pad\":\"" + "x".repeat(5000) + "\","), KEY));
    tokens.put("deeply nested claims", hs256(HS256_HEADER, claims.replace("{", "{\"n\":" + "[".repeat(1500) + "]".repeat(1500) + ","), KEY));
    tokens.put("claims an array", hs256(HS256_HEADER, "[" + claims + "]", KEY));
    tokens.put("trailing data after the claims", hs256(HS256_HEADER, claims + "{}", KEY));
    return tokens;
  }

  /**
   * The same token with the last character of its signature changed in the bits base64url leaves
   * over (a 32-byte MAC is 43 characters, the last carrying 4 bits and 2 spare): lenient decoders
   * read the same MAC, so it would verify, and a token would have several spellings.
   */
  private static String nonCanonical(String token) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int last = alphabet.indexOf(token.charAt(token.length() - 1));
    assertThat(last & 3).as("a canonical last character has zero spare bits").isZero();
    return token.substring(0, token.length() - 1) + alphabet.charAt(last | 1);
  }

  private static void assertRefused(HttpResponse<Buffer> response, String what) {
    JSendAssert.fail(response, 401, "unauthorized");
    assertThat(response.getHeader("WWW-Authenticate")).as(what).startsWith("Bearer ").contains("invalid_token");
  }

  @Test
  void theWebSocketHandshakeRefusesThemToo() {
    Map<String, String> tokens = hostileTokens();
    for (String name : new String[] {"jku, right key", "x5c, attacker key", "sub twice, ours last", "alg none, no signature",
      "alg RS256, HMAC key as public key"}) {
      HttpResponse<Buffer> response = node.client().get("/ws").putHeader("Upgrade", "websocket")
        .putHeader("Connection", "Upgrade").putHeader("Sec-WebSocket-Version", "13")
        .putHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
        .bearerTokenAuthentication(tokens.get(name)).send().await();
      assertRefused(response, name);
    }
    assertThat(keyServerConnections.get()).isZero();
  }

  /**
   * 100 KiB is far past the 8 KiB the HTTP codec takes for all headers: the request is refused
   * with 431 (JSend) before any handler, so the verifier never sees it (its own limit is 4 KiB, see
   * AccessTokensHostileTest). The server closes the connection at once, so a client still writing
   * may get a reset instead of the answer; either way, the node goes on serving.
   */
  @Test
  void aTokenPastTheHeaderLimitIsRefusedBeforeAnyHandler() {
    String huge = hs256(HS256_HEADER, claims(userId, sid, now()).replace("{", "{\"pad\":\"" + "x".repeat(100 * 1024) + "\","), KEY);
    HostileRequest request = HostileRequest.of("GET", "/api/user").withHeader("Authorization", "Bearer " + huge);
    request.sendTo(node.port()).ifPresent(response -> {
      assertThat(response.status()).as(response.toString()).isEqualTo(431);
      ContractAssert.legitimate(request, java.util.Optional.of(response));
    });
    JSendAssert.success(node.api().get("/api/user", validToken));
  }

  @Test
  void aTokenInTheUrlIsIgnored() {
    HttpResponse<Buffer> response = node.client().get("/api/user?access_token=" + validToken).send().await();
    JSendAssert.fail(response, 401, "unauthorized");
    // as if no token had been sent: the challenge without an error code
    assertThat(response.getHeader("WWW-Authenticate")).isEqualTo("Bearer realm=\"avatar-service\"");
  }

  /**
   * HTTP clients refuse to send CR or LF in a header value; a raw socket can. The codec refuses bare
   * CR, LF and other controls (400, JSend); an obs-fold (CRLF then a space) is whitespace by RFC 9112
   * §5.2, so it can only separate the scheme from an intact token, and anything it joins onto the
   * token makes it invalid.
   */
  @Test
  void lineBreaksInTheAuthorizationHeader() {
    String half = validToken.substring(0, 20);
    Map<String, Integer> expected = new LinkedHashMap<>();
    expected.put("Bearer " + validToken + "\rX-Evil: 1", 400);
    expected.put("Bearer " + validToken + "\nX-Evil: 1", 400);
    expected.put("Bearer " + validToken + "\u0000", 400);
    expected.put("Bearer " + validToken + "\u000b", 400);
    expected.put("Bearer " + validToken + "\r\n X-Evil: 1", 401);
    expected.put("Bearer " + half + "\r\n " + validToken.substring(20), 401);
    expected.put("Bearer \r\n " + validToken, 200);
    expected.forEach((value, status) -> {
      HostileRequest request = HostileRequest.of("GET", "/api/user").withHeader("Authorization", value);
      RawHttp.Response response = request.sendTo(node.port()).orElseThrow();
      assertThat(response.status()).as(HostileRequest.visible(value)).isEqualTo(status);
      ContractAssert.legitimate(request, java.util.Optional.of(response));
    });
  }
}
