package dev.avatarservice.notify;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Fans avatar and deletion events out to this node's sockets. The realtime issue fills it in; until
 * then it deploys so that roles and start-up order are already the final ones.
 */
public final class NotifyVerticle extends VerticleBase {

  @Override
  public Future<?> start() {
    return Future.succeededFuture();
  }
}
