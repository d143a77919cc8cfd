package dev.avatarservice.account;

import dev.avatarservice.bus.StoreClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys of access tokens: the current one, which signs, then the previous ones, which only
 * verify (rotation without logging anyone out). Where the current key comes from:
 * <ul>
 *   <li>{@code JWT_ALGORITHM=ES256|EdDSA}: the PKCS#8 PEM of {@code JWT_PRIVATE_KEY_FILE}, with the
 *   public keys of {@code JWT_PREVIOUS_PUBLIC_KEY_FILES} still verifying;</li>
 *   <li>HS256 (default): {@code JWT_SECRET}; else, on a single node, the store's
 *   {@code SecretFile} ({@code JWT_SECRET_FILE}, generated there when missing); else (a cluster)
 *   the file {@code JWT_SECRET_FILE} read here, which every node must be given;</li>
 * </ul>
 * and {@code JWT_PREVIOUS_SECRETS} (HS256) verify whatever the algorithm.
 */
public final class SigningKeys {

  private final SigningKey current;
  private final Map<String, SigningKey> byKid;

  public SigningKeys(SigningKey current, List<SigningKey> previous) {
    this.current = current;
    this.byKid = new LinkedHashMap<>();
    byKid.put(current.kid(), current);
    for (SigningKey key : previous) {
      byKid.putIfAbsent(key.kid(), key);
    }
  }

  public static SigningKeys of(byte[] secret, List<byte[]> previousSecrets) {
    List<SigningKey> previous = new ArrayList<>();
    previousSecrets.forEach(bytes -> previous.add(SigningKey.hs256(bytes)));
    return new SigningKeys(SigningKey.hs256(secret), previous);
  }

  public SigningKey current() {
    return current;
  }

  /** Every key that verifies, current first. */
  public List<SigningKey> all() {
    return List.copyOf(byKid.values());
  }

  public SigningKey byKid(String kid) {
    return byKid.get(kid);
  }

  /** The JWK Set of the public keys, current and previous (empty with shared secrets only). */
  public JsonObject jwks() {
    JsonArray keys = new JsonArray();
    for (SigningKey key : byKid.values()) {
      if (key.publicJwk() != null) {
        keys.add(key.publicJwk().copy());
      }
    }
    return new JsonObject().put("keys", keys);
  }

  /**
   * Reads or makes the keys; {@code storeOnThisNode}: this node runs the store role, which keeps a
   * single node's generated key.
   */
  public static Future<SigningKeys> resolve(Vertx vertx, KeySettings config, boolean storeOnThisNode,
                                            StoreClient store) {
    List<SigningKey> previous = new ArrayList<>();
    config.previousSecrets().forEach(bytes -> previous.add(SigningKey.hs256(bytes)));
    if (!SigningKey.HS256.equals(config.algorithm())) {
      return AsymmetricKeys.load(vertx, config).map(loaded -> {
        List<SigningKey> verifying = new ArrayList<>(loaded.previous());
        verifying.addAll(previous);
        return new SigningKeys(loaded.current(), verifying);
      });
    }
    byte[] configured = config.secret();
    Future<byte[]> secret;
    if (configured.length > 0) {
      secret = Future.succeededFuture(configured);
    } else if (config.secretFile().isEmpty() || !config.clustered() && storeOnThisNode) {
      // a single node: the store reads the key file, or makes it (and moves an earlier version's key)
      secret = store.signingKey().map(key -> key.getBytes(StandardCharsets.UTF_8));
    } else {
      secret = vertx.fileSystem().readFile(config.secretFile())
        .recover(error -> Future.failedFuture(new IllegalStateException("JWT_SECRET_FILE cannot be read: "
          + error.getClass().getSimpleName())))
        .map(buffer -> buffer.toString(StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8));
    }
    return secret.compose(bytes -> bytes.length < 32
      ? Future.failedFuture(new IllegalStateException("the signing key must be at least 32 bytes"))
      : Future.succeededFuture(new SigningKeys(SigningKey.hs256(bytes), previous)));
  }
}
