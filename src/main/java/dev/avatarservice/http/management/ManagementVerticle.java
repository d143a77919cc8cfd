package dev.avatarservice.http.management;

import dev.avatarservice.account.SessionEnds;
import dev.avatarservice.account.UserDeletion;
import dev.avatarservice.bus.StoreClient;
import dev.avatarservice.bus.NotifyClient;
import dev.avatarservice.config.ManagementSettings;
import dev.avatarservice.config.Role;
import dev.avatarservice.config.Settings;
import dev.avatarservice.http.AccessLog;
import dev.avatarservice.http.AllowedMethods;
import dev.avatarservice.http.FailureHandler;
import dev.avatarservice.http.Listen;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The management listener ({@code MANAGEMENT_HOST}:{@code MANAGEMENT_PORT}, loopback by default):
 * {@code /metrics} and, when {@code ADMIN_TOKEN} is set, the admin API ({@link AdminRoutes}). Apart
 * from the public server, so that operators' routes are never reachable where the clients are, and
 * Prometheus can scrape a node whose public port is saturated. One instance per node; like the HTTP
 * verticle it reaches the store only over the event bus.
 */
public final class ManagementVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ManagementVerticle.class);

  private final Settings settings;
  private HttpServer server;

  public ManagementVerticle(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    ManagementSettings management = settings.management();
    Router router = Router.router(vertx);
    router.route().handler(new AccessLog());
    router.route().handler(ctx -> {
      ctx.response().putHeader("X-Content-Type-Options", "nosniff").putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cache-Control", "no-store");
      ctx.next();
    });
    router.get("/metrics").handler(PrometheusScrapingHandler.create(settings.metricsRegistryName()));
    if (management.adminEnabled()) {
      StoreClient store = new StoreClient(vertx.eventBus(), settings.storeTimeoutMs(), settings.runs(Role.STORE));
      NotifyClient notify = new NotifyClient(vertx, settings.deletionConfirmTimeoutMs());
      new AdminRoutes(management, store, new UserDeletion(store, notify), new SessionEnds(notify)).mount(router);
    }
    // without ADMIN_TOKEN no admin route exists: /admin/... is the router's JSend 404
    FailureHandler failures = new FailureHandler(AllowedMethods.of(router));
    router.route().failureHandler(failures);
    for (int status : new int[] {400, 401, 404, 405, 500, 503}) {
      router.errorHandler(status, failures);
    }
    return Listen.on(vertx.createHttpServer(new HttpServerOptions()
          .setIdleTimeout(settings.http().idleTimeoutSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS)
          .setHttp2ClearTextEnabled(false))
        .requestHandler(router).invalidRequestHandler(FailureHandler::invalidRequest),
        "MANAGEMENT_PORT", management.host(), management.port())
      .onSuccess(listening -> {
        server = listening;
        LOG.info("Management listener on {}:{} (metrics{})", management.host(), listening.actualPort(),
          management.adminEnabled() ? ", admin API" : "; admin API off: ADMIN_TOKEN is not set");
      });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture()
      : server.shutdown(settings.http().shutdownTimeoutSeconds(), TimeUnit.SECONDS);
  }
}
