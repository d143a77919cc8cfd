package dev.avatarservice.http;

import dev.avatarservice.account.SigningKey;
import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.Jwts;
import dev.avatarservice.support.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signing keys through the real server: the {@code kid} every token carries, rotation with
 * JWT_PREVIOUS_SECRETS (on one node restarted over the same database, as an operator rotates),
 * the key file of a single node (generated owner-only beside the database, the key an earlier
 * version kept in the database moved into it), JWT_SECRET_FILE, and ES256/EdDSA with the JWK Set.
 */
@Timeout(120)
class SigningKeysApiTest {

  private static final String OLD = "old-key-old-key-old-key-old-key-0123456789";
  private static final String NEW = "new-key-new-key-new-key-new-key-0123456789";

  @TempDir
  Path dir;

  private TestNode node(Map<String, Object> settings) {
    Map<String, Object> all = new HashMap<>(Map.of("DB_PATH", dir.resolve("avatar-service.db").toString()));
    all.putAll(settings);
    return TestNode.start(all);
  }

  private static JsonObject user(TestNode node, String accessToken) {
    return JSendAssert.success(node.api().get("/api/user", accessToken));
  }

  @Test
  void aKeyRotatesWithoutLoggingAnyoneOutAndTheOldOneStopsWhenDropped() {
    String oldToken;
    String refreshToken;
    try (TestNode before = node(Map.of("JWT_SECRET", OLD))) {
      JsonObject registered = before.api().register("rotation-ann");
      oldToken = registered.getString("accessToken");
      refreshToken = registered.getString("refreshToken");
      assertThat(Jwts.header(oldToken, "kid")).isEqualTo(SigningKey.kid(OLD.getBytes(StandardCharsets.UTF_8)));
    }
    // step 1: the new key signs, the old one still verifies
    String newToken;
    try (TestNode during = node(Map.of("JWT_SECRET", NEW, "JWT_PREVIOUS_SECRETS", " " + OLD + " , "))) {
      assertThat(user(during, oldToken).getString("identifier")).isEqualTo("rotation-ann");
      JsonObject refreshed = JSendAssert.success(during.api().post("/api/refresh", new JsonObject().put("refreshToken", refreshToken)));
      newToken = refreshed.getString("accessToken");
      assertThat(Jwts.header(newToken, "kid")).isEqualTo(SigningKey.kid(NEW.getBytes(StandardCharsets.UTF_8)));
      user(during, newToken);
      // a token signed by the old key but naming the new one is not taken
      String mislabelled = Jwts.hs256("{\"alg\":\"HS256\",\"kid\":\"" + SigningKey.kid(NEW.getBytes(StandardCharsets.UTF_8)) + "\"}",
        Jwts.claims(refreshed.getJsonObject("user").getString("id"), (String) Jwts.claim(newToken, "sid"),
          Instant.now().getEpochSecond()), OLD.getBytes(StandardCharsets.UTF_8));
      JSendAssert.fail(during.api().get("/api/user", mislabelled), 401, "unauthorized");
    }
    // step 2: once the old tokens have expired, the old key is dropped: its tokens are refused
    try (TestNode after = node(Map.of("JWT_SECRET", NEW))) {
      JSendAssert.fail(after.api().get("/api/user", oldToken), 401, "unauthorized");
      user(after, newToken);
    }
  }

  @Test
  void aSingleNodeWithoutAKeyGeneratesOneBesideTheDatabaseOwnerOnlyAndKeepsIt() throws Exception {
    String token;
    try (TestNode first = node(Map.of("JWT_SECRET", ""))) {
      token = first.api().register("keyfile-bea").getString("accessToken");
    }
    Path keyFile = dir.resolve("jwt-secret.key");
    assertThat(keyFile).exists();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
    String key = Files.readString(keyFile).strip();
    assertThat(Jwts.header(token, "kid")).isEqualTo(SigningKey.kid(key.getBytes(StandardCharsets.UTF_8)));
    assertThat(legacyKeyInDatabase()).as("no key in the database").isNull();
    try (TestNode restarted = node(Map.of("JWT_SECRET", ""))) {
      user(restarted, token);
    }
  }

  @Test
  void theKeyAnEarlierVersionKeptInTheDatabaseIsMovedIntoTheFile() throws Exception {
    String legacy = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    String userId;
    String sid;
    try (TestNode first = node(Map.of("JWT_SECRET", OLD))) {
      JsonObject registered = first.api().register("keyfile-cid");
      userId = registered.getJsonObject("user").getString("id");
      sid = (String) Jwts.claim(registered.getString("accessToken"), "sid");
    }
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("avatar-service.db"));
         Statement statement = connection.createStatement()) {
      statement.execute("INSERT INTO settings (name, value) VALUES ('jwt-signing-key', '" + legacy + "')");
    }
    // a token the earlier version signed with its stored key (it had no kid; ours name it)
    String signedBefore = Jwts.hs256("{\"alg\":\"HS256\",\"kid\":\"" + SigningKey.kid(legacy.getBytes(StandardCharsets.UTF_8)) + "\"}",
      Jwts.claims(userId, sid, Instant.now().getEpochSecond()), legacy.getBytes(StandardCharsets.UTF_8));

    try (TestNode upgraded = node(Map.of("JWT_SECRET", ""))) {
      user(upgraded, signedBefore);
    }
    assertThat(Files.readString(dir.resolve("jwt-secret.key")).strip()).isEqualTo(legacy);
    assertThat(legacyKeyInDatabase()).isNull();
  }

  @Test
  void aClusteredStoreNodeDoesNotMakeUpAKeyWhenItsFileIsMissing() {
    dev.avatarservice.support.TestCluster cluster = new dev.avatarservice.support.TestCluster(1);
    Path missing = dir.resolve("not-there.key");
    Map<String, Object> settings = new HashMap<>(cluster.member(0, Map.of("JWT_SECRET", "", "JWT_SECRET_FILE", missing.toString(),
      "DB_PATH", dir.resolve("cluster.db").toString())));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestNode.startClustered(settings).close())
      .hasMessageContaining("JWT_SECRET_FILE");
    assertThat(missing).doesNotExist();
  }

  @Test
  void jwtSecretFileSignsWhenGiven() throws Exception {
    Path file = dir.resolve("elsewhere.key");
    Files.writeString(file, NEW + "\n");
    try (TestNode withFile = node(Map.of("JWT_SECRET", "", "JWT_SECRET_FILE", file.toString()))) {
      String token = withFile.api().register("keyfile-dan").getString("accessToken");
      assertThat(Jwts.header(token, "kid")).isEqualTo(SigningKey.kid(NEW.getBytes(StandardCharsets.UTF_8)));
      user(withFile, token);
    }
    assertThat(dir.resolve("jwt-secret.key")).doesNotExist();
  }

  @Test
  void es256SignsPublishesItsKeyAndRefusesAlgorithmConfusion() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = generator.generateKeyPair();
    Path privateKey = dir.resolve("es256.pem");
    Files.writeString(privateKey, pem(pair.getPrivate().getEncoded(), "PRIVATE KEY"));
    KeyPairGenerator ed = KeyPairGenerator.getInstance("Ed25519");
    KeyPair previous = ed.generateKeyPair();
    Path previousKey = dir.resolve("ed25519.pub.pem");
    Files.writeString(previousKey, pem(previous.getPublic().getEncoded(), "PUBLIC KEY"));

    try (TestNode es = node(Map.of("JWT_ALGORITHM", "ES256", "JWT_PRIVATE_KEY_FILE", privateKey.toString(),
      "JWT_PREVIOUS_PUBLIC_KEY_FILES", previousKey.toString()))) {
      JsonObject registered = es.api().register("es256-eve");
      String token = registered.getString("accessToken");
      assertThat(Jwts.header(token, "alg")).isEqualTo("ES256");
      String kid = SigningKey.kid(pair.getPublic().getEncoded());
      assertThat(Jwts.header(token, "kid")).isEqualTo(kid);
      user(es, token);

      HttpResponse<Buffer> jwks = es.client().get("/.well-known/jwks.json").send().await();
      assertThat(jwks.statusCode()).isEqualTo(200);
      assertThat(jwks.getHeader("Cache-Control")).isEqualTo("public, max-age=300");
      assertThat(jwks.getHeader("Content-Type")).isEqualTo("application/jwk-set+json");
      JsonObject set = jwks.bodyAsJsonObject();
      assertThat(set.fieldNames()).containsExactly("keys");
      JsonObject jwk = set.getJsonArray("keys").getJsonObject(0);
      assertThat(jwk.getString("kid")).isEqualTo(kid);
      assertThat(set.getJsonArray("keys").getJsonObject(1).getString("kid"))
        .isEqualTo(SigningKey.kid(previous.getPublic().getEncoded()));
      assertThat(set.getJsonArray("keys").getJsonObject(1).getString("crv")).isEqualTo("Ed25519");
      // another service verifies the token with the published key alone
      assertThat(verifiesWith(jwk, token)).isTrue();

      // a token of the previous Ed25519 key could not be made here (no private key), but an
      // HS256 token "signed" with a public key, naming its kid, is algorithm confusion
      String claims = Jwts.claims(registered.getJsonObject("user").getString("id"), (String) Jwts.claim(token, "sid"),
        Instant.now().getEpochSecond());
      for (byte[] material : new byte[][] {pair.getPublic().getEncoded(),
        pem(pair.getPublic().getEncoded(), "PUBLIC KEY").getBytes(StandardCharsets.US_ASCII)}) {
        JSendAssert.fail(es.api().get("/api/user", Jwts.hs256("{\"alg\":\"HS256\",\"kid\":\"" + kid + "\"}", claims, material)),
          401, "unauthorized");
      }
      JSendAssert.fail(es.api().get("/api/user", Jwts.hs256("{\"alg\":\"HS256\",\"kid\":\""
        + SigningKey.kid(previous.getPublic().getEncoded()) + "\"}", claims, previous.getPublic().getEncoded())), 401, "unauthorized");
    }
  }

  @Test
  void withSharedSecretsTheJwkSetIsEmpty() {
    try (TestNode hs = TestNode.start()) {
      HttpResponse<Buffer> jwks = hs.client().get("/.well-known/jwks.json").send().await();
      assertThat(jwks.statusCode()).isEqualTo(200);
      assertThat(jwks.bodyAsJsonObject()).isEqualTo(new JsonObject().put("keys", new io.vertx.core.json.JsonArray()));
    }
  }

  private static boolean verifiesWith(JsonObject jwk, String token) throws Exception {
    KeyFactory factory = KeyFactory.getInstance("EC");
    ECPublicKey template = (ECPublicKey) KeyPairGenerator.getInstance("EC").generateKeyPair().getPublic();
    PublicKey key = factory.generatePublic(new ECPublicKeySpec(new ECPoint(
      new BigInteger(1, Base64.getUrlDecoder().decode(jwk.getString("x"))),
      new BigInteger(1, Base64.getUrlDecoder().decode(jwk.getString("y")))), template.getParams()));
    String[] parts = token.split("\\.");
    Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
    signature.initVerify(key);
    signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    return signature.verify(Base64.getUrlDecoder().decode(parts[2]));
  }

  private String legacyKeyInDatabase() throws Exception {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("avatar-service.db"));
         Statement statement = connection.createStatement();
         ResultSet row = statement.executeQuery("SELECT value FROM settings WHERE name = 'jwt-signing-key'")) {
      return row.next() ? row.getString(1) : null;
    }
  }

  private static String pem(byte[] der, String type) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type + "-----\n";
  }
}
