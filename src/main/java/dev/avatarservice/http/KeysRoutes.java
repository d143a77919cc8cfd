package dev.avatarservice.http;

import dev.avatarservice.account.SigningKeys;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;

/**
 * {@code GET /.well-known/jwks.json}: the public keys of access tokens, current and previous, as a
 * bare JWK Set (RFC 7517, not JSend), so that other services can verify our tokens. With shared
 * secrets (HS256) it is an empty set: a secret is never published. Cacheable for a while: a new key
 * is added here (as previous) before it signs, when rotated as the README describes.
 */
public final class KeysRoutes {

  static final String CACHE_CONTROL = "public, max-age=300";

  private final Buffer body;

  public KeysRoutes(SigningKeys keys) {
    this.body = keys.jwks().toBuffer();
  }

  public void mount(Router router) {
    router.get("/.well-known/jwks.json").handler(ctx -> ctx.response()
      .putHeader("Content-Type", "application/jwk-set+json")
      .putHeader("Cache-Control", CACHE_CONTROL)
      .end(body));
  }
}
