package dev.avatarservice;

import dev.avatarservice.config.Role;
import dev.avatarservice.config.Settings;
import dev.avatarservice.http.HttpVerticle;
import dev.avatarservice.http.management.ManagementVerticle;
import dev.avatarservice.notify.NotifyVerticle;
import dev.avatarservice.store.StoreVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Deploys the verticles of this node's roles, each built with its part of the parsed {@link Settings}
 * (no verticle reads a JSON configuration of its own): the store first
 * (the others ask it for the signing key at start), then the notifier, then the HTTP verticle once
 * per core, and the management listener last (when MANAGEMENT_PORT is not 0). The notifier comes before the HTTP verticle, which serves the sockets: by the time a
 * socket can open here, this node already takes the published events and is listed for confirmed
 * deletions, so no deletion can answer while missing it. Used by {@link Main} and by the tests, so
 * that tests run the real wiring.
 *
 * <p>{@link #undeploy} takes them down one after the other in the reverse order: the HTTP verticle
 * (no new connections, sockets closed with 1001, requests in flight finish, within
 * {@code SHUTDOWN_TIMEOUT}), then the notifier (this node stops taking cluster events), and the
 * store last, so that the requests still in flight can reach it. {@code Vertx.close()} alone would
 * undeploy them all at once, closing the database under requests that are still being answered.
 */
public final class Deployer {

  private Deployer() {
  }

  /** Deploys the roles; answers the deployment ids in the order they were deployed. */
  public static Future<List<String>> deploy(Vertx vertx, Settings settings) {
    List<String> deployed = Collections.synchronizedList(new ArrayList<>());
    Future<?> store = settings.runs(Role.STORE)
      ? vertx.deployVerticle(new StoreVerticle(settings.store())).onSuccess(deployed::add)
      : Future.succeededFuture();
    return store
      .compose(done -> settings.runs(Role.NOTIFY)
        ? vertx.deployVerticle(new NotifyVerticle(settings.deletionConfirmTimeoutMs())).onSuccess(deployed::add)
        : Future.succeededFuture())
      .compose(done -> settings.runs(Role.HTTP)
        ? vertx.deployVerticle(() -> new HttpVerticle(settings),
            new DeploymentOptions().setInstances(settings.http().instances()))
          .onSuccess(deployed::add)
        : Future.succeededFuture())
      // last: it serves nothing the others need, and is taken down first
      .compose(done -> settings.management().enabled()
        ? vertx.deployVerticle(new ManagementVerticle(settings)).onSuccess(deployed::add)
        : Future.succeededFuture())
      .map(done -> List.copyOf(deployed));
  }

  /**
   * Undeploys what {@link #deploy} answered, last deployed first, each once the one before it has
   * stopped; a failure to stop one is carried on past, and reported at the end.
   */
  public static Future<Void> undeploy(Vertx vertx, List<String> deploymentIds) {
    Future<Void> chain = Future.succeededFuture();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    for (int i = deploymentIds.size() - 1; i >= 0; i--) {
      String id = deploymentIds.get(i);
      chain = chain.transform(previous -> vertx.undeploy(id).onFailure(failures::add).otherwiseEmpty());
    }
    return chain.compose(done -> failures.isEmpty() ? Future.succeededFuture() : Future.failedFuture(failures.get(0)));
  }
}
