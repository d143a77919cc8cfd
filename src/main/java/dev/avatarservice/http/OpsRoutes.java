package dev.avatarservice.http;

import dev.avatarservice.bus.StoreClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * Operations: liveness ({@code /health}: the process answers), readiness ({@code /ready}: the store
 * answers over the event bus, which proves the bus too) and Prometheus metrics.
 */
public final class OpsRoutes {

  private final HealthChecks readiness;
  private final String metricsRegistry;

  public OpsRoutes(Vertx vertx, StoreClient store, String metricsRegistry) {
    this.metricsRegistry = metricsRegistry;
    this.readiness = HealthChecks.create(vertx)
      // tryComplete: a ping that outlives the check's 2 s (a store node that died without leaving
      // the cluster) ends after the check has already answered KO for it
      .register("store", 2000, promise -> store.ping()
        .onSuccess(pong -> promise.tryComplete(Status.OK()))
        .onFailure(error -> promise.tryComplete(Status.KO(new JsonObject().put("reason", reason(error))))));
  }

  public void mount(Router router) {
    router.get("/health").handler(ctx -> JSend.success(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/ready").handler(this::ready);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(metricsRegistry));
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
