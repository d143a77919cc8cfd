package dev.avatarservice.account;

import dev.avatarservice.bus.StoreClient;
import io.vertx.core.Future;

import java.nio.charset.StandardCharsets;

/**
 * The key that signs access tokens: {@code JWT_SECRET} when configured (required in a cluster), or
 * else the one the store generated once and keeps in the database, so that a single node needs no
 * configuration and its tokens survive a restart.
 */
public final class SigningKeys {

  private SigningKeys() {
  }

  /** The settings with the key to sign with: the configured one, else the store's. */
  public static Future<TokenSettings> resolve(TokenSettings settings, StoreClient store) {
    if (settings.hasKey()) {
      return Future.succeededFuture(settings);
    }
    return store.signingKey().map(key -> settings.withKey(key.getBytes(StandardCharsets.UTF_8)));
  }
}
