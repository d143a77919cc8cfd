package dev.avatarservice.account;

import io.vertx.ext.auth.PubSecKeyOptions;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * One key that verifies access tokens, and signs them when it is the current one. Its {@code kid} is
 * derived from the key material (the first 16 characters of the base64url SHA-256 of it: the secret's
 * bytes, or a public key's SubjectPublicKeyInfo DER), so every node names a key alike without being
 * told, and the kid reveals nothing usable about a secret.
 *
 * @param options what the JWT provider needs: for HS256 the secret; for ES256 and EdDSA the public
 *                key (PEM) and, for the current key, the private key (PEM) too
 * @param publicJwk the public JWK for {@code /.well-known/jwks.json}, or null for a shared secret
 */
public record SigningKey(String kid, String algorithm, List<PubSecKeyOptions> options,
                         io.vertx.core.json.JsonObject publicJwk) {

  public static final String HS256 = "HS256";

  public static SigningKey hs256(byte[] secret) {
    String kid = kid(secret);
    return new SigningKey(kid, HS256, List.of(new PubSecKeyOptions().setAlgorithm(HS256).setId(kid)
      .setBuffer(io.vertx.core.buffer.Buffer.buffer(Arrays.copyOf(secret, secret.length)))), null);
  }

  public static SigningKey hs256(String secret) {
    return hs256(secret.getBytes(StandardCharsets.UTF_8));
  }

  /** The first 16 characters of the unpadded base64url SHA-256 of the key material. */
  public static String kid(byte[] material) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(material);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }

  @Override
  public String toString() {
    // never the material
    return "SigningKey[" + kid + ", " + algorithm + "]";
  }
}
