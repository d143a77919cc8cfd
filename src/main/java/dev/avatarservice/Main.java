package dev.avatarservice;

import dev.avatarservice.cluster.StoreRoleTakenException;
import dev.avatarservice.config.AppConfig;
import dev.avatarservice.config.ConfigException;
import dev.avatarservice.config.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Starts one node: reads the configuration (and the command line: {@code --cluster} joins the
 * cluster like {@code CLUSTER=true}), starts a {@link Node}, and closes it on SIGTERM, which leaves
 * the cluster. Exit codes: 2 for invalid configuration, 1 when the node cannot start.
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  private static final int START_TIMEOUT_SECONDS = 180;

  private Main() {
  }

  public static void main(String[] args) {
    AppConfig config;
    try {
      config = config(args, System.getenv(), Path.of("").toAbsolutePath());
    } catch (ConfigException e) {
      LOG.error("Invalid configuration: {}", e.getMessage());
      System.exit(2);
      return;
    }
    long started = System.nanoTime();
    Future<Vertx> node = Node.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(node), "shutdown"));
    try {
      await(node, START_TIMEOUT_SECONDS);
    } catch (Exception e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof ConfigException) {
        LOG.error("Invalid configuration: {}", cause.getMessage());
        System.exit(2);
      } else if (cause instanceof StoreRoleTakenException) {
        LOG.error("Refusing to start: {}", cause.getMessage());
        System.exit(1);
      } else {
        LOG.error("Start-up failed: {}", cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
        System.exit(1);
      }
      return;
    }
    LOG.info("avatar-service started in {} ms: roles {}, {}, listening on {} (public URL {})",
      TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), config.roles(),
      config.clustered() ? "clustered" : "not clustered", config.httpPort(), config.publicBaseUrl());
  }

  /** The configuration of conf/config.json and the environment, then the command line over both. */
  static AppConfig config(String[] args, Map<String, String> environment, Path workingDirectory) {
    JsonObject json = ConfigLoader.load(workingDirectory, environment);
    for (String arg : args) {
      if ("--cluster".equals(arg)) {
        json.put("CLUSTER", true);
      } else {
        throw new ConfigException("unknown command-line argument '" + arg + "' (the only one is --cluster;"
          + " everything else is set in conf/config.json or the environment)");
      }
    }
    return AppConfig.from(json);
  }

  /** On SIGTERM: closes the node (undeploys, then leaves the cluster), even one still starting. */
  private static void shutdown(Future<Vertx> node) {
    Vertx vertx;
    try {
      vertx = await(node, 30);
    } catch (Exception e) {
      return; // it never started, and a failed start has closed what it had opened
    }
    LOG.info("Shutting down");
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
}
