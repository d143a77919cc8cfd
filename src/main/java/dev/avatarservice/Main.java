package dev.avatarservice;

import dev.avatarservice.config.AppConfig;
import dev.avatarservice.config.ConfigException;
import dev.avatarservice.config.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Starts one node: reads the configuration, builds Vert.x with Micrometer metrics, deploys the
 * verticles of the configured roles, and closes everything on SIGTERM.
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    AppConfig config;
    try {
      config = AppConfig.from(ConfigLoader.load(Path.of("").toAbsolutePath(), System.getenv()));
    } catch (ConfigException e) {
      LOG.error("Invalid configuration: {}", e.getMessage());
      System.exit(2);
      return;
    }
    long started = System.nanoTime();
    Vertx vertx = vertx(config);
    try {
      await(Deployer.deploy(vertx, config), 120);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      LOG.error("Start-up failed: {}", cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
      close(vertx);
      System.exit(1);
      return;
    }
    LOG.info("avatar-service started in {} ms: roles {}, listening on {} (public URL {})",
      TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), config.roles(), config.httpPort(),
      config.publicBaseUrl());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Shutting down");
      close(vertx);
    }, "shutdown"));
  }

  private static void close(Vertx vertx) {
    try {
      await(vertx.close(), 30);
    } catch (Exception e) {
      LOG.warn("Shutdown did not complete cleanly: {}", e.toString());
    }
  }

  /** Blocks the calling thread, which is never an event loop here: main, or the shutdown hook. */
  private static <T> T await(Future<T> future, int seconds) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }

  /** Builds Vert.x for this configuration, with Micrometer metrics. */
  public static Vertx vertx(AppConfig config) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
      .setEnabled(true)
      .setRegistryName(config.metricsRegistryName())
      .setJvmMetricsEnabled(true)
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
    return Vertx.builder()
      .with(new VertxOptions().setMetricsOptions(metrics))
      .withMetrics(new MicrometerMetricsFactory())
      .build();
  }
}
