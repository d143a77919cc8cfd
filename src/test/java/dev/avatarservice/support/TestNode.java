package dev.avatarservice.support;

import dev.avatarservice.Node;
import dev.avatarservice.config.ConfigLoader;
import dev.avatarservice.config.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real node for integration tests: the production {@link Deployer} on its own Vert.x, an
 * in-memory SQLite database, a temporary avatar folder and a free port. Tests drive it over HTTP
 * and WebSocket like any client; blocking {@code await()} is fine here (never on an event loop).
 * {@link #startClustered(Map)} starts a clustered node through the production {@link Node}
 * instead, several of which form a Hazelcast cluster in one JVM (see {@link TestCluster}).
 */
public final class TestNode implements AutoCloseable {

  /** A fixed test key, so tokens can be forged in tests that need a hostile one. */
  public static final String JWT_SECRET = "test-secret-test-secret-test-secret-0123456789";

  private final Node node;
  private final Vertx vertx;
  private final Settings settings;
  private final Path avatars;
  private final WebClient client;

  private TestNode(Node node, Settings settings, Path avatars) {
    this.node = node;
    this.vertx = node.vertx();
    this.settings = settings;
    this.avatars = avatars;
    this.client = WebClient.create(vertx, new WebClientOptions()
      .setDefaultHost("localhost").setDefaultPort(settings.http().port()).setFollowRedirects(false));
  }

  /** Starts a node with the defaults for tests and these overrides (keys of conf/config.json). */
  public static TestNode start(Map<String, Object> overrides) {
    return start(overrides, false);
  }

  /**
   * Starts a clustered node with the defaults for tests and these overrides, which must hold the
   * cluster settings ({@link TestCluster#member(int, Map)}). A failed start (the store role is taken)
   * throws its cause, after the node has left the cluster again.
   */
  public static TestNode startClustered(Map<String, Object> overrides) {
    return start(overrides, true);
  }

  private static TestNode start(Map<String, Object> overrides, boolean clustered) {
    Settings settings;
    try {
      JsonObject json = testDefaults(freePort(), Files.createTempDirectory("avatars-test"));
      overrides.forEach(json::put);
      settings = Settings.parse(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (clustered != settings.cluster().enabled()) {
      throw new IllegalArgumentException("startClustered needs the cluster settings, start() must not have them");
    }
    // the production start-up: metrics, cluster manager when clustered, roles
    return new TestNode(Node.start(settings).await(), settings, Path.of(settings.avatars().avatarsDir()));
  }

  /** The configuration every test node starts from. */
  public static JsonObject testDefaults(int port, Path avatars) {
    return ConfigLoader.bundledDefaults()
      .put("HTTP_HOST", "127.0.0.1")
      .put("HTTP_PORT", port)
      .put("HTTP_INSTANCES", 2)
      .put("DB_PATH", ":memory:")
      .put("AVATARS_DIR", avatars.toString())
      .put("JWT_SECRET", JWT_SECRET)
      // off unless a test asks for it: nodes in one JVM would all want 9090
      .put("MANAGEMENT_PORT", 0)
      .put("AUTH_REQUESTS_PER_MINUTE", 100_000);
  }

  public static TestNode start() {
    return start(Map.of());
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The settings the node was started with, as parsed from the test defaults and the overrides. */
  public Settings settings() {
    return settings;
  }

  public int port() {
    return settings.http().port();
  }

  public String baseUrl() {
    return settings.http().publicBaseUrl();
  }

  public Path avatarsDir() {
    return avatars;
  }

  /** A web client aimed at this node. */
  public WebClient client() {
    return client;
  }

  public ApiClient api() {
    return new ApiClient(client);
  }

  /** Stops the node as SIGTERM does ({@link Node#stop()}): gracefully, in the production order. */
  @Override
  public void close() {
    client.close();
    node.stop().await();
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
