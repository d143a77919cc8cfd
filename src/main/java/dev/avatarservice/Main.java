package dev.avatarservice;

import dev.avatarservice.cli.AdminCli;
import dev.avatarservice.config.PortInUseException;
import dev.avatarservice.store.StoreRoleTakenException;
import dev.avatarservice.config.ConfigException;
import dev.avatarservice.config.ConfigLoader;
import dev.avatarservice.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Starts one node: reads the configuration (and the command line: {@code --cluster} joins the
 * cluster like {@code CLUSTER=true}), starts a {@link Node}, and stops it gracefully on SIGTERM
 * ({@link Node#stop()}: no new connections, sockets closed with 1001, requests in flight finished
 * within {@code SHUTDOWN_TIMEOUT}, the database closed, the cluster left). Exit codes: 0 after a
 * clean stop on SIGTERM or SIGINT, 1 when the node cannot start or did not stop cleanly, 2 for
 * invalid configuration.
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  private static final int START_TIMEOUT_SECONDS = 180;
  /** Beyond SHUTDOWN_TIMEOUT: closing the database and leaving the cluster. */
  private static final int STOP_MARGIN_SECONDS = 30;

  /** Set when main itself ends the JVM (failed start), whose exit code the shutdown hook keeps. */
  private static volatile boolean exiting;
  /**
   * Netty 4.2 sets up JFR events for its buffer allocator on first use, which loads the JFR
   * machinery: about 7% of the start-up CPU on one core. Off unless asked for with
   * {@code -Dio.netty.jfr.enabled=true}; JFR itself ({@code jcmd JFR.start}) works either way.
   */
  private static final String NETTY_JFR = "io.netty.jfr.enabled";

  private Main() {
  }

  static final String USAGE = """
    Usage: java -jar avatar-service.jar [--cluster]        start a node
           java -jar avatar-service.jar admin <command>    administer a running node (admin --help)
           java -jar avatar-service.jar --help | --version

    A node is configured by conf/config.json and environment variables of the same names (see README).
      --cluster    join the Hazelcast cluster, like CLUSTER=true
      --help       this help
      --version    the version and git commit of this build
    Exit codes of a node: 0 stopped cleanly, 1 could not start (a port in use, the store role taken)
    or did not stop cleanly, 2 invalid configuration.
    """;

  public static void main(String[] args) {
    if (args.length > 0 && "admin".equals(args[0])) {
      System.exit(AdminCli.run(Arrays.copyOfRange(args, 1, args.length), System.getenv(),
        Path.of("").toAbsolutePath(), System.out, System.err));
      return;
    }
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.print(USAGE);
      return;
    }
    if (Arrays.asList(args).contains("--version")) {
      System.out.println(AdminCli.version());
      return;
    }
    if (System.getProperty(NETTY_JFR) == null) {
      System.setProperty(NETTY_JFR, "false");
    }
    Settings settings;
    try {
      settings = config(args, System.getenv(), Path.of("").toAbsolutePath());
    } catch (ConfigException e) {
      LOG.error("Invalid configuration: {}", e.getMessage());
      exit(2);
      return;
    }
    long started = System.nanoTime();
    Future<Node> node = Node.start(settings);
    int stopSeconds = settings.http().shutdownTimeoutSeconds() + STOP_MARGIN_SECONDS;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(node, stopSeconds), "shutdown"));
    try {
      await(node, START_TIMEOUT_SECONDS);
    } catch (Exception e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof ConfigException) {
        LOG.error("Invalid configuration: {}", cause.getMessage());
        exit(2);
      } else if (cause instanceof PortInUseException) {
        // one line, no stack trace: the key and the port say what to change
        LOG.error("Refusing to start: {}", cause.getMessage());
        exit(1);
      } else if (cause instanceof StoreRoleTakenException) {
        LOG.error("Refusing to start: {}", cause.getMessage());
        exit(1);
      } else {
        LOG.error("Start-up failed: {}", cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
        exit(1);
      }
      return;
    }
    LOG.info("{} started in {} ms: roles {}, {}, listening on {} (public URL {}), management {}",
      AdminCli.version(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), settings.roles(),
      settings.cluster().enabled() ? "clustered" : "not clustered", settings.http().port(),
      settings.http().publicBaseUrl(), settings.management().enabled()
        ? settings.management().host() + ":" + settings.management().port() : "off");
  }

  /** The configuration of conf/config.json and the environment, then the command line over both, parsed. */
  static Settings config(String[] args, Map<String, String> environment, Path workingDirectory) {
    JsonObject json = ConfigLoader.load(workingDirectory, environment);
    for (String arg : args) {
      if ("--cluster".equals(arg)) {
        json.put("CLUSTER", true);
      } else {
        throw new ConfigException("unknown command-line argument '" + arg + "' (the options are --cluster, --help"
          + " and --version, the command admin; everything else is set in conf/config.json or the environment)");
      }
    }
    return Settings.parse(json);
  }

  private static void exit(int status) {
    exiting = true;
    System.exit(status);
  }

  /**
   * The shutdown hook (SIGTERM, SIGINT): stops the node gracefully, even one still starting, then
   * ends the JVM with 0 after a clean stop, 1 otherwise. Without the halt a JVM ended by a signal
   * exits with 128 + the signal's number (143 for SIGTERM) however cleanly it stopped. The JVM's
   * other hooks run alongside this one: Hazelcast's is disabled by vertx-hazelcast, and Logback's
   * console appender writes each line as it comes, so halting loses nothing once the node is down.
   */
  private static void shutdown(Future<Node> starting, int stopSeconds) {
    Node node;
    try {
      node = await(starting, 30);
    } catch (Exception e) {
      return; // it never started, and a failed start has closed what it had opened
    }
    long began = System.nanoTime();
    LOG.info("Shutting down: no new connections; requests in flight may take up to {} s", stopSeconds - STOP_MARGIN_SECONDS);
    boolean clean;
    try {
      await(node.stop(), stopSeconds);
      LOG.info("Stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
      clean = true;
    } catch (Exception e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      LOG.warn("Shutdown did not complete cleanly: {}", cause.toString());
      clean = false;
    }
    if (!exiting) {
      Runtime.getRuntime().halt(clean ? 0 : 1);
    }
  }

  /** Blocks the calling thread, which is never an event loop here: main, or the shutdown hook. */
  private static <T> T await(Future<T> future, int seconds) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }
}
