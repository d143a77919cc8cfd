package dev.avatarservice;

import dev.avatarservice.config.AppConfig;
import dev.avatarservice.config.Role;
import dev.avatarservice.http.HttpVerticle;
import dev.avatarservice.notify.NotifyVerticle;
import dev.avatarservice.store.StoreVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Deploys the verticles of this node's roles, each with the whole configuration: the store first
 * (the others ask it for the signing key at start), then the notifier, then the HTTP verticle once
 * per core. The notifier comes before the HTTP verticle, which serves the sockets: by the time a
 * socket can open here, this node already takes the published events and is listed for confirmed
 * deletions, so no deletion can answer while missing it. Used by {@link Main} and by the tests, so
 * that tests run the real wiring.
 */
public final class Deployer {

  private Deployer() {
  }

  public static Future<Void> deploy(Vertx vertx, AppConfig config) {
    DeploymentOptions single = new DeploymentOptions().setConfig(config.toJson());
    Future<?> store = config.runs(Role.STORE)
      ? vertx.deployVerticle(StoreVerticle.class, single)
      : Future.succeededFuture();
    return store
      .compose(done -> config.runs(Role.NOTIFY)
        ? vertx.deployVerticle(NotifyVerticle.class, single)
        : Future.succeededFuture())
      .compose(done -> config.runs(Role.HTTP)
        ? vertx.deployVerticle(HttpVerticle.class, new DeploymentOptions(single).setInstances(config.httpInstances()))
        : Future.succeededFuture())
      .mapEmpty();
  }
}
