package dev.avatarservice.account;

import dev.avatarservice.config.AppConfig;

/**
 * What token issuing and verification need: the key, the claims and times from configuration, and
 * how many verified tokens to remember.
 */
public record TokenSettings(byte[] key, String issuer, String audience, int ttlSeconds, int leewaySeconds,
                            int cacheSize) {

  public static TokenSettings of(AppConfig config, byte[] key) {
    return new TokenSettings(key, config.jwtIssuer(), config.jwtAudience(), config.accessTokenTtl(),
      config.jwtLeewaySeconds(), config.accessTokenCacheSize());
  }
}
