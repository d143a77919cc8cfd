package dev.avatarservice.account;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * ES256 (P-256) and EdDSA (Ed25519) keys from PEM files: the current private key (PKCS#8), whose
 * public key is derived from it (BouncyCastle, already here for Argon2id: the JDK cannot derive one),
 * and the previous public keys (SubjectPublicKeyInfo). File reads are asynchronous.
 */
final class AsymmetricKeys {

  record Loaded(SigningKey current, List<SigningKey> previous) {
  }

  /** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows. */
  private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

  private AsymmetricKeys() {
  }

  static Future<Loaded> load(Vertx vertx, KeySettings config) {
    String algorithm = config.algorithm();
    Future<SigningKey> current = read(vertx, config.privateKeyFile(), "JWT_PRIVATE_KEY_FILE")
      .map(pem -> fromPrivate(algorithm, pem));
    List<Future<SigningKey>> previous = new ArrayList<>();
    for (String file : config.previousPublicKeyFiles()) {
      previous.add(read(vertx, file, "JWT_PREVIOUS_PUBLIC_KEY_FILES").map(AsymmetricKeys::fromPublic));
    }
    return Future.all(current, Future.all(previous)).map(done -> new Loaded(current.result(),
      previous.stream().map(Future::result).toList()));
  }

  private static Future<String> read(Vertx vertx, String file, String key) {
    return vertx.fileSystem().readFile(file)
      .recover(error -> Future.failedFuture(new IllegalStateException(key + " cannot be read: " + file)))
      .map(buffer -> buffer.toString(StandardCharsets.UTF_8));
  }

  static SigningKey fromPrivate(String algorithm, String pem) {
    byte[] der = der(pem, "PRIVATE KEY");
    try {
      PublicKey publicKey;
      if ("ES256".equals(algorithm)) {
        ECPrivateKey privateKey = (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        ECNamedCurveParameterSpec curve = ECNamedCurveTable.getParameterSpec("secp256r1");
        var q = curve.getG().multiply(privateKey.getS()).normalize();
        publicKey = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(
          new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), privateKey.getParams()));
        if (privateKey.getParams().getCurve().getField().getFieldSize() != 256) {
          throw new IllegalStateException("JWT_PRIVATE_KEY_FILE: ES256 needs a P-256 key");
        }
      } else {
        KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        byte[] seed = Arrays.copyOfRange(der, der.length - 32, der.length);
        byte[] raw = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
        byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
        System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, 32);
        publicKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
      }
      SigningKey verifying = key(algorithm, publicKey);
      List<PubSecKeyOptions> options = new ArrayList<>(verifying.options());
      options.add(new PubSecKeyOptions().setAlgorithm(algorithm).setId(verifying.kid()).setBuffer(pem(der, "PRIVATE KEY")));
      return new SigningKey(verifying.kid(), algorithm, List.copyOf(options), verifying.publicJwk());
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new IllegalStateException("JWT_PRIVATE_KEY_FILE is not a PKCS#8 " + algorithm + " private key");
    }
  }

  static SigningKey fromPublic(String pem) {
    byte[] der = der(pem, "PUBLIC KEY");
    for (String algorithm : List.of("ES256", "EdDSA")) {
      try {
        PublicKey key = KeyFactory.getInstance("ES256".equals(algorithm) ? "EC" : "Ed25519")
          .generatePublic(new X509EncodedKeySpec(der));
        return key(algorithm, key);
      } catch (GeneralSecurityException | RuntimeException e) {
        // try the other
      }
    }
    throw new IllegalStateException("JWT_PREVIOUS_PUBLIC_KEY_FILES: not an ES256 or Ed25519 public key (PEM)");
  }

  private static SigningKey key(String algorithm, PublicKey publicKey) {
    byte[] spki = publicKey.getEncoded();
    String kid = SigningKey.kid(spki);
    JsonObject jwk = new JsonObject().put("kid", kid).put("alg", algorithm).put("use", "sig");
    if (publicKey instanceof ECPublicKey ec) {
      jwk.put("kty", "EC").put("crv", "P-256")
        .put("x", b64(unsigned(ec.getW().getAffineX()))).put("y", b64(unsigned(ec.getW().getAffineY())));
    } else {
      jwk.put("kty", "OKP").put("crv", "Ed25519").put("x", b64(Arrays.copyOfRange(spki, spki.length - 32, spki.length)));
    }
    return new SigningKey(kid, algorithm,
      List.of(new PubSecKeyOptions().setAlgorithm(algorithm).setId(kid).setBuffer(pem(spki, "PUBLIC KEY"))), jwk);
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    byte[] out = new byte[32];
    int copy = Math.min(32, bytes.length);
    System.arraycopy(bytes, bytes.length - copy, out, 32 - copy, copy);
    return out;
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] der(String pem, String type) {
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalStateException("not a PEM " + type);
    }
    return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
  }

  private static String pem(byte[] der, String type) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
      + "\n-----END " + type + "-----\n";
  }
}
