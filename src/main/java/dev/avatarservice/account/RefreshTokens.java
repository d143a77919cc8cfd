package dev.avatarservice.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Opaque refresh tokens: 256 random bits, URL-safe. The store only ever sees their SHA-256, so a
 * copy of the database holds no usable token; a fast hash is right here because the token has full
 * entropy (no password-style stretching is needed to resist guessing).
 */
public final class RefreshTokens {

  private static final int BYTES = 32;

  private final SecureRandom random = new SecureRandom();

  public String newToken() {
    byte[] bytes = new byte[BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The stored form of a token; any string hashes, so unknown and malformed tokens look alike. */
  public static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }
}
