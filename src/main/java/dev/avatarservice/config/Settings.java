package dev.avatarservice.config;

import dev.avatarservice.account.AccountSettings;
import dev.avatarservice.account.Argon2Settings;
import dev.avatarservice.account.TokenSettings;
import dev.avatarservice.http.realtime.RealtimeSettings;
import dev.avatarservice.store.StoreSettings;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The node's configuration, parsed and validated once at start-up ({@link #parse}) from the flat
 * JSON of {@link ConfigLoader}: one small record per consumer, handed to each verticle through its
 * constructor. An invalid value throws a {@link ConfigException} naming the key, before anything starts.
 *
 * <p>A new setting is one line in its consumer's record, one in {@link #parse} (with its bounds),
 * and its default in {@code conf/config.json} (documented in the README).
 *
 * @param storeTimeoutMs           STORE_TIMEOUT_MS: how long a request to the store may take
 * @param deletionConfirmTimeoutMs DELETION_CONFIRM_TIMEOUT_MS: how long {@code DELETE /api/user} waits for
 *                                 every node to confirm that it closed the user's sockets (then 202)
 * @param metricsRegistryName      the name of this node's metrics registry: Micrometer keeps registries
 *                                 by name for the whole JVM and closing a Vert.x closes its registry, so
 *                                 nodes that share a JVM (tests) need names of their own
 */
public record Settings(Set<Role> roles, HttpSettings http, StoreSettings store, TokenSettings tokens,
                       AccountSettings accounts, AvatarSettings avatars, RealtimeSettings realtime,
                       ClusterSettings cluster, ManagementSettings management, long storeTimeoutMs,
                       long deletionConfirmTimeoutMs, String metricsRegistryName) {

  private static final int MIN_SECRET_BYTES = 32;
  private static final String HOST = "[A-Za-z0-9.:\\-\\[\\]%]+";
  private static final String MEMBER = "[A-Za-z0-9.:\\-\\[\\]*]+";
  private static final String CLUSTER_NAME = "[A-Za-z0-9._-]{1,64}";

  public boolean runs(Role role) {
    return roles.contains(role);
  }

  /** Parses and checks every key; the first invalid one throws a {@link ConfigException} naming it. */
  public static Settings parse(JsonObject json) {
    ConfigValues values = new ConfigValues(json);
    Set<Role> roles = Role.parse(values.string("ROLES"));

    // Read by several consumers, and by the rules between keys below.
    String host = values.string("HTTP_HOST");
    int port = values.intIn("HTTP_PORT", 0, 65535);
    String publicBaseUrl = publicBaseUrl(values.string("PUBLIC_BASE_URL").trim(), port);
    Set<String> defaultOrigins = defaultOrigins(publicBaseUrl, port);
    String avatarsDir = values.string("AVATARS_DIR");
    long storeTimeoutMs = values.intIn("STORE_TIMEOUT_MS", 100, 600_000);
    long deletionConfirmTimeoutMs = values.intIn("DELETION_CONFIRM_TIMEOUT_MS", 100, 60_000);
    int leewaySeconds = values.intIn("JWT_LEEWAY_SECONDS", 0, 300);
    int pingIntervalSeconds = values.intIn("WS_PING_INTERVAL", 1, 3600);

    // Idle connections are cut, and socket pings are writes: only dead or idle peers may be cut.
    int idleTimeoutSeconds = values.intIn("HTTP_IDLE_TIMEOUT", 0, 86_400);
    if (idleTimeoutSeconds > 0 && idleTimeoutSeconds <= pingIntervalSeconds) {
      throw new ConfigException("HTTP_IDLE_TIMEOUT must be longer than WS_PING_INTERVAL (or 0 for none):"
        + " sockets would be closed between two pings");
    }

    HttpSettings http = new HttpSettings(
      host,
      port,
      values.perCore("HTTP_INSTANCES", 1024),
      publicBaseUrl,
      values.origins("CORS_ORIGINS", defaultOrigins),
      values.intIn("JSON_BODY_LIMIT", 1024, 1 << 20),
      idleTimeoutSeconds,
      values.intIn("SHUTDOWN_TIMEOUT", 0, 3600),
      values.intIn("AUTH_REQUESTS_PER_MINUTE", 1, 10_000_000));

    StoreSettings store = new StoreSettings(
      values.string("DB_PATH"),
      values.oneOf("DB_SYNCHRONOUS", List.of("OFF", "NORMAL", "FULL", "EXTRA")),
      values.intIn("DB_BUSY_TIMEOUT_MS", 0, 600_000),
      storeTimeoutMs,
      avatarsDir,
      values.intIn("STORE_USER_CACHE_SIZE", 0, 1_000_000),
      values.intIn("STORE_USER_CACHE_SECONDS", 1, 86_400),
      publicBaseUrl);

    TokenSettings tokens = new TokenSettings(
      secret(values),
      values.nonBlank("JWT_ISSUER"),
      values.nonBlank("JWT_AUDIENCE"),
      values.intIn("ACCESS_TOKEN_TTL", 1, 86_400),
      leewaySeconds,
      values.intIn("ACCESS_TOKEN_CACHE_SIZE", 0, 1_000_000));

    // Configuration may raise Argon2's cost above OWASP's minimum, never lower it.
    Argon2Settings minimum = Argon2Settings.OWASP_MINIMUM;
    AccountSettings accounts = new AccountSettings(
      new Argon2Settings(
        values.intIn("ARGON2_MEMORY_KIB", minimum.memoryKiB(), Argon2Settings.MAX_MEMORY_KIB),
        values.intIn("ARGON2_ITERATIONS", minimum.iterations(), Argon2Settings.MAX_ITERATIONS),
        values.intIn("ARGON2_PARALLELISM", minimum.parallelism(), 16)),
      values.perCore("HASH_THREADS", 256),
      values.intIn("HASH_QUEUE", 0, 100_000),
      values.intIn("LOGIN_FAILURES_LIMIT", 1, 1_000_000),
      values.intIn("LOGIN_FAILURES_WINDOW", 1, 86_400),
      values.intIn("REFRESH_TOKEN_TTL", 60, 366 * 86_400));

    AvatarSettings avatars = new AvatarSettings(
      values.longIn("AVATAR_MAX_BYTES", 1024, 1L << 30),
      values.longIn("AVATAR_MAX_PIXELS", 1, 1_000_000_000L),
      values.intIn("AVATAR_SIZE", 16, 4096),
      values.intIn("AVATAR_UPLOADS_PER_MINUTE", 1, 1_000_000),
      values.perCore("IMAGE_THREADS", 256),
      values.intIn("IMAGE_QUEUE", 0, 10_000),
      avatarsDir);

    RealtimeSettings realtime = new RealtimeSettings(
      values.intIn("WS_AUTH_TIMEOUT", 1, 3600) * 1000L,
      values.intIn("WS_MAX_MESSAGE", 256, 16 << 20),
      pingIntervalSeconds * 1000L,
      // a socket's token expires when the REST API would refuse it
      leewaySeconds,
      values.origins("WS_ORIGINS", defaultOrigins),
      // a deleted user is remembered at least as long as an answer of the store may take
      storeTimeoutMs,
      // the notify verticle waits DELETION_CONFIRM_TIMEOUT_MS for each node's sockets to be closed
      deletionConfirmTimeoutMs / 2);

    boolean clustered = values.bool("CLUSTER");
    if (clustered && !tokens.hasKey()) {
      throw new ConfigException("JWT_SECRET must be set when CLUSTER is true: every node must sign and verify with the same key");
    }
    ClusterSettings cluster = new ClusterSettings(
      clustered,
      // only a clustered node listens on it
      clustered ? clusterHost(values) : values.string("CLUSTER_HOST").trim(),
      values.intIn("CLUSTER_BUS_PORT", 0, 65535),
      clusterName(values),
      values.list("CLUSTER_MEMBERS", MEMBER, "is not a host, host:port or address range"),
      values.intIn("CLUSTER_PORT", 0, 65535),
      values.string("HAZELCAST_CONFIG").trim());

    ManagementSettings management = new ManagementSettings(
      values.nonBlank("MANAGEMENT_HOST"),
      values.intIn("MANAGEMENT_PORT", 0, 65535),
      values.bool("METRICS_PUBLIC"),
      adminToken(values),
      values.nonBlank("BACKUP_DIR"));
    if (management.enabled() && management.port() == port) {
      throw new ConfigException("MANAGEMENT_PORT must differ from HTTP_PORT");
    }

    return new Settings(roles, http, store, tokens, accounts, avatars, realtime, cluster, management, storeTimeoutMs,
      deletionConfirmTimeoutMs, "avatar-service@" + host + ":" + port);
  }

  /** The configured signing key, or an empty array when the store should keep one. */
  private static byte[] secret(ConfigValues values) {
    byte[] secret = values.string("JWT_SECRET").getBytes(StandardCharsets.UTF_8);
    if (secret.length > 0 && secret.length < MIN_SECRET_BYTES) {
      throw new ConfigException("JWT_SECRET must be at least " + MIN_SECRET_BYTES + " bytes");
    }
    return secret;
  }

  /** ADMIN_TOKEN: empty (the admin API is off) or at least 32 bytes. */
  private static byte[] adminToken(ConfigValues values) {
    byte[] token = values.string("ADMIN_TOKEN").trim().getBytes(StandardCharsets.UTF_8);
    if (token.length > 0 && token.length < ManagementSettings.MIN_TOKEN_BYTES) {
      throw new ConfigException("ADMIN_TOKEN must be at least " + ManagementSettings.MIN_TOKEN_BYTES
        + " bytes (for example: openssl rand -hex 32), or empty to turn the admin API off");
    }
    return token;
  }

  /** Scheme, host and port the clients use, without a trailing slash; this node's own when not configured. */
  private static String publicBaseUrl(String configured, int port) {
    if (configured.isEmpty()) {
      return "http://localhost:" + port;
    }
    String trimmed = configured.endsWith("/") ? configured.substring(0, configured.length() - 1) : configured;
    try {
      URI uri = new URI(trimmed);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
        && uri.getQuery() == null && uri.getFragment() == null) {
        return trimmed;
      }
    } catch (Exception ignored) {
      // reported below
    }
    throw new ConfigException("PUBLIC_BASE_URL must be an absolute http(s) URL such as https://avatars.example.com");
  }

  /** The origins of CORS and sockets when none are configured: the public origin, and localhost. */
  private static Set<String> defaultOrigins(String publicBaseUrl, int port) {
    URI base = URI.create(publicBaseUrl);
    String own = base.getScheme() + "://" + base.getAuthority();
    return Set.copyOf(List.of(own, "http://localhost", "http://127.0.0.1", "http://localhost:" + port,
      "http://127.0.0.1:" + port));
  }

  private static String clusterHost(ConfigValues values) {
    String host = values.nonBlank("CLUSTER_HOST");
    if (!host.matches(HOST)) {
      throw new ConfigException("CLUSTER_HOST must be a host name or an IP address, such as 127.0.0.1");
    }
    return host;
  }

  private static String clusterName(ConfigValues values) {
    String name = values.string("CLUSTER_NAME").trim();
    if (!name.isEmpty() && !name.matches(CLUSTER_NAME)) {
      throw new ConfigException("CLUSTER_NAME must be 1 to 64 letters, digits, dots, dashes or underscores");
    }
    return name;
  }
}
