package dev.avatarservice.config;

import dev.avatarservice.account.AccountSettings;
import dev.avatarservice.account.Argon2Settings;
import dev.avatarservice.account.KeySettings;
import dev.avatarservice.account.TokenSettings;
import dev.avatarservice.http.realtime.RealtimeSettings;
import dev.avatarservice.store.StoreSettings;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

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
public record Settings(Set<Role> roles, HttpSettings http, StoreSettings store, KeySettings keys, TokenSettings tokens,
                       AccountSettings accounts, AvatarSettings avatars, RealtimeSettings realtime,
                       ClusterSettings cluster, ManagementSettings management, long storeTimeoutMs,
                       long deletionConfirmTimeoutMs, String metricsRegistryName) {

  private static final int MIN_SECRET_BYTES = 32;
  private static final String HOST = "[A-Za-z0-9.:\\-\\[\\]%]+";
  private static final String MEMBER = "[A-Za-z0-9.:\\-\\[\\]*]+";
  private static final String SQLITE_URL = "jdbc:sqlite:";
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
    String configuredBaseUrl = values.string("PUBLIC_BASE_URL").trim();
    String publicBaseUrl = publicBaseUrl(configuredBaseUrl, port);
    // with a public URL, that origin only; without (a developer's machine), also loopback on any port
    AllowedOrigins defaultOrigins = AllowedOrigins.byDefault(publicBaseUrl, !configuredBaseUrl.isEmpty());
    String avatarsDir = values.string("AVATARS_DIR");
    int avatarSize = values.intIn("AVATAR_SIZE", 16, 4096);
    List<Integer> avatarSizes = avatarSizes(values, avatarSize);
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
      origins(values, "CORS_ORIGINS", defaultOrigins),
      values.intIn("JSON_BODY_LIMIT", 1024, 1 << 20),
      idleTimeoutSeconds,
      values.intIn("SHUTDOWN_TIMEOUT", 0, 3600),
      values.intIn("AUTH_REQUESTS_PER_MINUTE", 1, 10_000_000),
      trustedProxies(values),
      values.intIn("HTTP_HEADER_TIMEOUT", 0, 3600),
      values.intIn("HTTP_BODY_MIN_RATE", 0, 100 << 20));

    String dbUrl = values.string("DB_URL").trim();
    String dbPath = values.string("DB_PATH");
    if (dbUrl.startsWith(SQLITE_URL)) {
      dbPath = dbUrl.substring(SQLITE_URL.length());
      dbUrl = "";
      if (dbPath.isBlank()) {
        // sqlite-jdbc would open a temporary database, and every write would be lost on restart
        throw new ConfigException("DB_URL jdbc:sqlite: needs a file after the colon (or leave DB_URL empty and set DB_PATH)");
      }
    } else if (!dbUrl.isEmpty() && !dbUrl.startsWith("jdbc:postgresql:")) {
      // not the value: a URL may carry a password
      throw new ConfigException("DB_URL must be empty (SQLite at DB_PATH), jdbc:sqlite:<file> or jdbc:postgresql://host:port/database");
    }
    String dbPassword = values.string("DB_PASSWORD");
    String dbPasswordFile = values.string("DB_PASSWORD_FILE").trim();
    if (!dbPassword.isEmpty() && !dbPasswordFile.isEmpty()) {
      throw new ConfigException("DB_PASSWORD and DB_PASSWORD_FILE: set one of them, not both");
    }
    StoreSettings store = new StoreSettings(
      dbUrl,
      values.string("DB_USER").trim(),
      dbPassword,
      dbPasswordFile,
      values.intIn("DB_POOL_SIZE", 1, 200),
      dbPath,
      values.oneOf("DB_SYNCHRONOUS", List.of("OFF", "NORMAL", "FULL", "EXTRA")),
      values.intIn("DB_BUSY_TIMEOUT_MS", 0, 600_000),
      storeTimeoutMs,
      avatarsDir,
      values.intIn("STORE_USER_CACHE_SIZE", 0, 1_000_000),
      values.intIn("STORE_USER_CACHE_SECONDS", 1, 86_400),
      publicBaseUrl,
      values.longIn("SESSION_MAX_AGE", 1, 10L * 365 * 86_400),
      values.string("JWT_SECRET_FILE").trim(),
      values.bool("CLUSTER"),
      avatarSizes);

    boolean clustered = values.bool("CLUSTER");
    KeySettings keys = keys(values, clustered);
    // the keys are read or made at start-up (SigningKeys.resolve)
    TokenSettings tokens = new TokenSettings(
      null,
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
      avatarSize,
      values.intIn("AVATAR_UPLOADS_PER_MINUTE", 1, 1_000_000),
      values.perCore("IMAGE_THREADS", 256),
      values.intIn("IMAGE_QUEUE", 0, 10_000),
      avatarsDir,
      avatarSizes,
      values.longIn("AVATAR_DECODE_MEMORY", 1L << 20, 1L << 34),
      values.intIn("AVATAR_CPU_BUDGET_MS", 50, 60_000),
      values.longIn("AVATAR_CACHE_BYTES", 0, 1L << 34));

    RealtimeSettings realtime = new RealtimeSettings(
      values.intIn("WS_AUTH_TIMEOUT", 1, 3600) * 1000L,
      values.intIn("WS_MAX_MESSAGE", 256, 16 << 20),
      pingIntervalSeconds * 1000L,
      // a socket's token expires when the REST API would refuse it
      leewaySeconds,
      origins(values, "WS_ORIGINS", defaultOrigins),
      // a deleted user is remembered at least as long as an answer of the store may take
      storeTimeoutMs,
      // the notify verticle waits DELETION_CONFIRM_TIMEOUT_MS for each node's sockets to be closed
      deletionConfirmTimeoutMs / 2,
      values.intIn("WS_MAX_PER_USER", 1, 1_000_000),
      values.intIn("WS_MAX_PER_ADDRESS", 1, 10_000_000),
      publicBaseUrl.startsWith("https:"));

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

    return new Settings(roles, http, store, keys, tokens, accounts, avatars, realtime, cluster, management, storeTimeoutMs,
      deletionConfirmTimeoutMs, "avatar-service@" + host + ":" + port);
  }

  /** The signing keys' settings, checked together. */
  private static KeySettings keys(ConfigValues values, boolean clustered) {
    byte[] secret = values.string("JWT_SECRET").getBytes(StandardCharsets.UTF_8);
    if (secret.length > 0 && secret.length < MIN_SECRET_BYTES) {
      throw new ConfigException("JWT_SECRET must be at least " + MIN_SECRET_BYTES + " bytes");
    }
    String secretFile = values.string("JWT_SECRET_FILE").trim();
    if (secret.length > 0 && !secretFile.isEmpty()) {
      throw new ConfigException("JWT_SECRET and JWT_SECRET_FILE: set one of them, not both");
    }
    List<byte[]> previousSecrets = values.list("JWT_PREVIOUS_SECRETS", ".+", "").stream()
      .map(previous -> previous.getBytes(StandardCharsets.UTF_8)).toList();
    if (previousSecrets.stream().anyMatch(previous -> previous.length < MIN_SECRET_BYTES)) {
      throw new ConfigException("JWT_PREVIOUS_SECRETS: each key must be at least " + MIN_SECRET_BYTES + " bytes");
    }
    String algorithm = switch (values.string("JWT_ALGORITHM").trim()) {
      case "", "HS256" -> "HS256";
      case "ES256" -> "ES256";
      case "EdDSA" -> "EdDSA";
      default -> throw new ConfigException("JWT_ALGORITHM must be HS256, ES256 or EdDSA");
    };
    String privateKeyFile = values.string("JWT_PRIVATE_KEY_FILE").trim();
    if (!"HS256".equals(algorithm) && privateKeyFile.isEmpty()) {
      throw new ConfigException("JWT_PRIVATE_KEY_FILE must be set when JWT_ALGORITHM is " + algorithm);
    }
    if (clustered && "HS256".equals(algorithm) && secret.length == 0 && secretFile.isEmpty()) {
      throw new ConfigException("JWT_SECRET or JWT_SECRET_FILE must be set when CLUSTER is true:"
        + " every node must sign and verify with the same key");
    }
    return new KeySettings(algorithm, secret, secretFile, previousSecrets, privateKeyFile,
      values.list("JWT_PREVIOUS_PUBLIC_KEY_FILES", ".+", ""), clustered);
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

  /** The smaller variants besides the {@code box}: ascending, each below it, at most 8 (empty: none). */
  private static List<Integer> avatarSizes(ConfigValues values, int box) {
    String refusal = "AVATAR_SIZES must be a comma-separated list of whole numbers from 1 to AVATAR_SIZE - 1";
    TreeSet<Integer> sizes = new TreeSet<>();
    for (String size : values.list("AVATAR_SIZES", ".+", "")) {
      int parsed;
      try {
        parsed = Integer.parseInt(size);
      } catch (NumberFormatException e) {
        throw new ConfigException(refusal);
      }
      if (parsed < 1 || parsed >= box) {
        throw new ConfigException(refusal);
      }
      sizes.add(parsed);
    }
    if (sizes.size() > 8) {
      throw new ConfigException("AVATAR_SIZES may name at most 8 sizes");
    }
    return List.copyOf(sizes);
  }

  /** The configured origins ({@code *} for any), or the default when none are. */
  private static AllowedOrigins origins(ConfigValues values, String key, AllowedOrigins defaults) {
    Set<String> configured = values.origins(key);
    return configured.isEmpty() ? defaults : AllowedOrigins.of(configured);
  }

  /** Addresses or CIDR ranges, never names (a name would be resolved, and could be spoofed). */
  private static List<AddressRange> trustedProxies(ConfigValues values) {
    return values.list("TRUSTED_PROXIES", "[^,\\s]+", "is not an address or range").stream()
      .map(range -> {
        try {
          return AddressRange.parse(range);
        } catch (IllegalArgumentException e) {
          throw new ConfigException("TRUSTED_PROXIES: " + e.getMessage());
        }
      })
      .toList();
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
