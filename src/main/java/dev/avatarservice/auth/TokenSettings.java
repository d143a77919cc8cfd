package dev.avatarservice.auth;

import dev.avatarservice.config.AppConfig;

/**
 * What token issuing and verification need: the keys, the claims and times from configuration, and
 * how many verified tokens to remember.
 */
public record TokenSettings(SigningKeys keys, String issuer, String audience, int ttlSeconds, int leewaySeconds,
                            int cacheSize) {

  public static TokenSettings of(AppConfig config, SigningKeys keys) {
    return new TokenSettings(keys, config.jwtIssuer(), config.jwtAudience(), config.accessTokenTtl(),
      config.jwtLeewaySeconds(), config.accessTokenCacheSize());
  }
}
