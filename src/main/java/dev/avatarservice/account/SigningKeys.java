package dev.avatarservice.account;

import dev.avatarservice.bus.StoreClient;
import dev.avatarservice.config.AppConfig;
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

  public static Future<byte[]> resolve(AppConfig config, StoreClient store) {
    byte[] configured = config.jwtSecret();
    if (configured.length > 0) {
      return Future.succeededFuture(configured);
    }
    return store.signingKey().map(key -> key.getBytes(StandardCharsets.UTF_8));
  }
}
