package dev.avatarservice.account;

/**
 * What token issuing and verification need: the keys, the claims and times from configuration, and
 * how many verified tokens to remember.
 *
 * @param keys          the signing keys; null in the settings parsed at start-up, until
 *                      {@link SigningKeys#resolve} has read or made them ({@link #withKeys})
 * @param issuer        JWT_ISSUER
 * @param audience      JWT_AUDIENCE
 * @param ttlSeconds    ACCESS_TOKEN_TTL
 * @param leewaySeconds JWT_LEEWAY_SECONDS: clock skew allowed when checking token times
 * @param cacheSize     ACCESS_TOKEN_CACHE_SIZE: verified tokens remembered (0: none)
 */
public record TokenSettings(SigningKeys keys, String issuer, String audience, int ttlSeconds, int leewaySeconds,
                            int cacheSize) {

  public TokenSettings withKeys(SigningKeys keys) {
    return new TokenSettings(keys, issuer, audience, ttlSeconds, leewaySeconds, cacheSize);
  }
}
