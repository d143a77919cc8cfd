package dev.avatarservice.account;

/**
 * What token issuing and verification need: the key, the claims and times from configuration, and
 * how many verified tokens to remember.
 *
 * @param key           JWT_SECRET as UTF-8; empty when it is not configured, until {@link SigningKeys}
 *                      puts the store's key in ({@link #withKey})
 * @param issuer        JWT_ISSUER
 * @param audience      JWT_AUDIENCE
 * @param ttlSeconds    ACCESS_TOKEN_TTL
 * @param leewaySeconds JWT_LEEWAY_SECONDS: clock skew allowed when checking token times
 * @param cacheSize     ACCESS_TOKEN_CACHE_SIZE: verified tokens remembered (0: none)
 */
public record TokenSettings(byte[] key, String issuer, String audience, int ttlSeconds, int leewaySeconds,
                            int cacheSize) {

  /** Whether a key is configured; without one, the store's is used. */
  public boolean hasKey() {
    return key.length > 0;
  }

  public TokenSettings withKey(byte[] key) {
    return new TokenSettings(key, issuer, audience, ttlSeconds, leewaySeconds, cacheSize);
  }
}
