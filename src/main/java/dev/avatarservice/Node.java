package dev.avatarservice;

import dev.avatarservice.cluster.HazelcastSettings;
import dev.avatarservice.config.ClusterSettings;
import dev.avatarservice.config.PortInUseException;
import dev.avatarservice.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.List;

/**
 * One node, as {@link Main} starts it and as tests start several in one JVM: Vert.x with Micrometer
 * metrics, joined to the Hazelcast cluster when {@code CLUSTER} is true, with the verticles of the
 * configured roles deployed. Blocking only while it reads the Hazelcast configuration file.
 */
public final class Node {

  private final Vertx vertx;
  private final List<String> deployments;

  private Node(Vertx vertx, List<String> deployments) {
    this.vertx = vertx;
    this.deployments = deployments;
  }

  /**
   * Builds Vert.x and deploys the roles. When a deployment fails (the store role is taken, a port is
   * in use), Vert.x is closed, which leaves the cluster, and the future fails with that cause.
   */
  public static Future<Node> start(Settings settings) {
    // Not a chain of compose/recover: those futures belong to the node's event loops, which are gone
    // once a failed node is closed; this promise has no context and completes on any thread.
    Promise<Node> started = Promise.promise();
    vertx(settings).onComplete(built -> {
      if (built.failed()) {
        started.fail(built.cause());
        return;
      }
      Vertx vertx = built.result();
      Deployer.deploy(vertx, settings).onComplete(deployed -> {
        if (deployed.succeeded()) {
          started.complete(new Node(vertx, deployed.result()));
        } else {
          vertx.close().onComplete(closed -> started.fail(deployed.cause()));
        }
      });
    });
    return started.future();
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * Stops the node gracefully: undeploys the roles in the reverse order of their start (see
   * {@link Deployer#undeploy}: no new connections, sockets closed with 1001, requests in flight
   * finished, the database closed last), then closes Vert.x, which leaves the cluster. Vert.x is
   * closed even when a verticle failed to stop; the future then fails with that cause.
   */
  public Future<Void> stop() {
    Promise<Void> stopped = Promise.promise();
    Deployer.undeploy(vertx, deployments).onComplete(undeployed -> vertx.close().onComplete(closed -> {
      if (undeployed.failed()) {
        stopped.fail(undeployed.cause());
      } else if (closed.failed()) {
        stopped.fail(closed.cause());
      } else {
        stopped.complete();
      }
    }));
    return stopped.future();
  }

  /** Builds Vert.x for this configuration: clustered on Hazelcast or not, with Micrometer metrics. */
  public static Future<Vertx> vertx(Settings settings) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
      .setEnabled(true)
      .setRegistryName(settings.metricsRegistryName())
      .setJvmMetricsEnabled(true)
      // the route pattern a request matched (vertx-web reports it), never the raw path: bounded label values
      .addLabels(Label.HTTP_ROUTE)
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
    VertxOptions options = new VertxOptions().setMetricsOptions(metrics);
    ClusterSettings cluster = settings.cluster();
    if (!cluster.enabled()) {
      return Future.succeededFuture(builder(options).build());
    }
    HazelcastClusterManager clusterManager;
    try {
      clusterManager = new HazelcastClusterManager(
        HazelcastSettings.load(cluster, settings.accounts().loginFailuresWindowSeconds()));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    options.setEventBusOptions(new EventBusOptions()
      .setHost(cluster.host())
      .setPort(cluster.busPort()));
    return builder(options).withClusterManager(clusterManager).buildClustered()
      .recover(error -> Future.failedFuture(cluster.busPort() != 0 && PortInUseException.isAddressInUse(error)
        && !fromHazelcast(error) ? new PortInUseException("CLUSTER_BUS_PORT", cluster.host(), cluster.busPort()) : error));
  }

  /** Hazelcast's own port (CLUSTER_PORT) fails inside Hazelcast; the event bus's inside Vert.x. */
  private static boolean fromHazelcast(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      for (StackTraceElement frame : cause.getStackTrace()) {
        if (frame.getClassName().startsWith("com.hazelcast.")) {
          return true;
        }
      }
    }
    return false;
  }

  private static VertxBuilder builder(VertxOptions options) {
    return Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory());
  }
}
