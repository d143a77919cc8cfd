package dev.avatarservice.http;

import dev.avatarservice.bus.StoreClient;
import dev.avatarservice.config.BuildInfo;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.time.Instant;

/**
 * Operations: liveness ({@code /health}: the process answers), readiness ({@code /ready}: the store
 * answers over the event bus, which proves the bus too; the check's data names the node holding the
 * store role and whether it is this one), what is running ({@code /info}: name, version
 * and git commit of the build, and when this node started) and Prometheus metrics (unless
 * METRICS_PUBLIC is false: then only on the management listener).
 */
public final class OpsRoutes {

  private final HealthChecks readiness;
  private final String metricsRegistry;
  private final boolean metricsPublic;
  private final JsonObject info;

  /**
   * @param metricsPublic METRICS_PUBLIC: whether {@code /metrics} is served here too (it always is on
   *                      the management listener)
   * @param startedAt     when this node began serving, for {@code /info}
   */
  public OpsRoutes(Vertx vertx, StoreClient store, String metricsRegistry, boolean metricsPublic, Instant startedAt) {
    this.metricsRegistry = metricsRegistry;
    this.metricsPublic = metricsPublic;
    BuildInfo build = BuildInfo.current();
    this.info = new JsonObject().put("name", build.name()).put("version", build.version())
      .put("commit", build.commit()).put("startedAt", startedAt.toString());
    this.readiness = HealthChecks.create(vertx)
      // tryComplete: a ping that outlives the check's 2 s (a store node that died without leaving
      // the cluster) ends after the check has already answered KO for it
      .register("store", 2000, promise -> store.ping()
        .onSuccess(pong -> promise.tryComplete(Status.OK(pong)))
        .onFailure(error -> promise.tryComplete(Status.KO(new JsonObject().put("reason", reason(error))))));
  }

  public void mount(Router router) {
    router.get("/health").handler(ctx -> JSend.success(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/ready").handler(this::ready);
    router.get("/info").handler(ctx -> JSend.success(ctx, 200, info));
    if (metricsPublic) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(metricsRegistry));
    }
  }

  private void ready(RoutingContext ctx) {
    readiness.checkStatus().onComplete(done -> {
      CheckResult result = done.succeeded() ? done.result() : null;
      JsonArray checks = new JsonArray();
      if (result != null && result.getChecks() != null) {
        result.getChecks().forEach(check -> checks.add(new JsonObject()
          .put("id", check.getId())
          .put("status", check.getUp() ? "UP" : "DOWN")
          .put("data", check.getData())));
      }
      boolean up = result != null && result.getUp();
      JsonObject data = new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks);
      ctx.response().putHeader("Cache-Control", "no-store");
      if (up) {
        JSend.success(ctx, 200, data);
      } else {
        ctx.response().putHeader("Retry-After", "5");
        JSend.error(ctx, 503, "not ready", data);
      }
    });
  }

  private static String reason(Throwable error) {
    return error instanceof io.vertx.core.eventbus.ReplyException reply
      ? "store " + reply.failureType().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
      : "store unavailable";
  }
}
