package dev.avatarservice.support;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.UUID;

/**
 * Forges JWTs for tests of hostile tokens. Header and claims are JSON text written by hand, so that
 * they may repeat a member or hold anything a JSON library would not write.
 */
public final class Jwts {

  /** The kid of the test nodes' key ({@link TestNode#JWT_SECRET}). */
  public static final String KID = dev.avatarservice.account.SigningKey.kid(TestNode.JWT_SECRET.getBytes(StandardCharsets.UTF_8));
  public static final String HS256_HEADER = "{\"typ\":\"JWT\",\"alg\":\"HS256\",\"kid\":\"" + KID + "\"}";

  private Jwts() {
  }

  /** Claims JSON like the server's own, for that user (in a made-up session), issued at {@code iat}, good for 900 s. */
  public static String claims(String userId, long iat) {
    return claims(userId, UUID.randomUUID().toString(), iat);
  }

  /** Claims JSON like the server's own, for that user and session, issued at {@code iat} and good for 900 s. */
  public static String claims(String userId, String sessionId, long iat) {
    return "{\"sub\":\"" + userId + "\",\"sid\":\"" + sessionId + "\",\"jti\":\"" + UUID.randomUUID() + "\",\"iat\":"
      + iat + ",\"exp\":" + (iat + 900) + ",\"aud\":\"avatar-service\",\"iss\":\"avatar-service\"}";
  }

  /** A claim of a JWT's payload (tests read their own tokens). */
  public static Object claim(String jwt, String name) {
    return new io.vertx.core.json.JsonObject(io.vertx.core.buffer.Buffer.buffer(
      Base64.getUrlDecoder().decode(jwt.split("\\.")[1]))).getValue(name);
  }

  /** A member of a JWT's header. */
  public static Object header(String jwt, String name) {
    return new io.vertx.core.json.JsonObject(io.vertx.core.buffer.Buffer.buffer(
      Base64.getUrlDecoder().decode(jwt.split("\\.")[0]))).getValue(name);
  }

  /** An HMAC-signed token: {@code macAlgorithm} is a JCA name such as HmacSHA256. */
  public static String hmac(String header, String claims, byte[] key, String macAlgorithm) {
    String input = b64(header) + "." + b64(claims);
    try {
      Mac mac = Mac.getInstance(macAlgorithm);
      mac.init(new SecretKeySpec(key, macAlgorithm));
      return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String hs256(String header, String claims, byte[] key) {
    return hmac(header, claims, key, "HmacSHA256");
  }

  /** An RS256-signed token. */
  public static String rs256(String header, String claims, PrivateKey key) {
    String input = b64(header) + "." + b64(claims);
    try {
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(key);
      signature.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + b64(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Header and claims with the signature given as it is (empty, or absent when null). */
  public static String unsigned(String header, String claims, String signature) {
    String input = b64(header) + "." + b64(claims);
    return signature == null ? input : input + "." + signature;
  }

  public static String b64(String json) {
    return b64(json.getBytes(StandardCharsets.UTF_8));
  }

  public static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The test attacker's RSA key and self-signed certificate (test resources, protecting nothing). */
  public record Attacker(PrivateKey key, X509Certificate certificate) {

    public static Attacker load() {
      try {
        String pem = resource("/hostile/attacker-key.pem");
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        X509Certificate certificate;
        try (InputStream in = Jwts.class.getResourceAsStream("/hostile/attacker-cert.pem")) {
          certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        return new Attacker(key, certificate);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The certificate as an {@code x5c} entry: standard base64 of the DER. */
    public String x5c() {
      try {
        return Base64.getEncoder().encodeToString(certificate.getEncoded());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    /** The public key as a JWK. */
    public String jwk() {
      RSAPublicKey publicKey = (RSAPublicKey) certificate.getPublicKey();
      return "{\"kty\":\"RSA\",\"n\":\"" + b64(unsigned(publicKey.getModulus().toByteArray())) + "\",\"e\":\""
        + b64(unsigned(publicKey.getPublicExponent().toByteArray())) + "\"}";
    }

    private static byte[] unsigned(byte[] twosComplement) {
      return twosComplement.length > 1 && twosComplement[0] == 0
        ? java.util.Arrays.copyOfRange(twosComplement, 1, twosComplement.length) : twosComplement;
    }

    private static String resource(String name) throws IOException {
      try (InputStream in = Jwts.class.getResourceAsStream(name)) {
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      }
    }
  }
}
