package dev.avatarservice.config;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The validated, typed configuration. Built from the flat JSON of {@link ConfigLoader} (which is
 * also what each verticle receives as its deployment config), so every verticle reads the same
 * settings the same way. An invalid value throws a {@link ConfigException} naming the key.
 */
public final class AppConfig {

  /** OWASP's current minimum for Argon2id; configuration may raise it, never lower it. */
  public static final int ARGON2_MIN_MEMORY_KIB = 19456;
  public static final int ARGON2_MIN_ITERATIONS = 2;
  private static final int MIN_SECRET_BYTES = 32;

  private final JsonObject json;
  private final Set<Role> roles;
  private final String publicBaseUrl;

  private AppConfig(JsonObject json) {
    this.json = json;
    this.roles = Role.parse(string("ROLES"));
    int port = intIn("HTTP_PORT", 0, 65535);
    String base = string("PUBLIC_BASE_URL").trim();
    this.publicBaseUrl = base.isEmpty() ? "http://localhost:" + port : validBaseUrl(base);
    validate();
  }

  public static AppConfig from(JsonObject json) {
    return new AppConfig(json.copy());
  }

  /** The flat JSON this was read from, for deploying verticles with it. */
  public JsonObject toJson() {
    return json.copy();
  }

  private void validate() {
    intIn("HTTP_INSTANCES", 0, 1024);
    intIn("JSON_BODY_LIMIT", 1024, 1 << 20);
    shutdownTimeoutSeconds();
    dbSynchronous();
    intIn("DB_BUSY_TIMEOUT_MS", 0, 600_000);
    intIn("STORE_TIMEOUT_MS", 100, 600_000);
    storeUserCacheSize();
    storeUserCacheSeconds();
    accessTokenTtl();
    refreshTokenTtl();
    intIn("JWT_LEEWAY_SECONDS", 0, 300);
    accessTokenCacheSize();
    argon2MemoryKib();
    argon2Iterations();
    intIn("ARGON2_PARALLELISM", 1, 16);
    intIn("HASH_THREADS", 0, 256);
    intIn("HASH_QUEUE", 0, 100_000);
    intIn("LOGIN_FAILURES_LIMIT", 1, 1_000_000);
    intIn("LOGIN_FAILURES_WINDOW", 1, 86_400);
    intIn("AUTH_REQUESTS_PER_MINUTE", 1, 10_000_000);
    longIn("AVATAR_MAX_BYTES", 1024, 1L << 30);
    longIn("AVATAR_MAX_PIXELS", 1, 1_000_000_000L);
    intIn("AVATAR_SIZE", 16, 4096);
    intIn("AVATAR_UPLOADS_PER_MINUTE", 1, 1_000_000);
    avatarSizes();
    avatarDecodeMemory();
    avatarCpuBudgetMs();
    avatarCacheBytes();
    intIn("IMAGE_THREADS", 0, 256);
    intIn("IMAGE_QUEUE", 0, 10_000);
    intIn("WS_AUTH_TIMEOUT", 1, 3600);
    intIn("WS_MAX_MESSAGE", 256, 16 << 20);
    intIn("WS_PING_INTERVAL", 1, 3600);
    httpIdleTimeoutSeconds();
    deletionConfirmTimeoutMs();
    wsOrigins();
    corsOrigins();
    byte[] secret = jwtSecret();
    if (secret.length > 0 && secret.length < MIN_SECRET_BYTES) {
      throw new ConfigException("JWT_SECRET must be at least " + MIN_SECRET_BYTES + " bytes");
    }
    if (clustered() && secret.length == 0) {
      throw new ConfigException("JWT_SECRET must be set when CLUSTER is true: every node must sign and verify with the same key");
    }
    if (clustered()) {
      clusterHost();
    }
    clusterBusPort();
    clusterName();
    clusterMembers();
    clusterPort();
  }

  public Set<Role> roles() {
    return roles;
  }

  public boolean runs(Role role) {
    return roles.contains(role);
  }

  public String httpHost() {
    return string("HTTP_HOST");
  }

  public int httpPort() {
    return intIn("HTTP_PORT", 0, 65535);
  }

  /**
   * The name of this node's metrics registry. Micrometer keeps registries by name for the whole JVM
   * and closing a Vert.x closes its registry, so nodes that share a JVM (tests) need names of their own.
   */
  public String metricsRegistryName() {
    return "avatar-service@" + httpHost() + ":" + httpPort();
  }

  /** Instances of the HTTP verticle; 0 means one per core. */
  public int httpInstances() {
    int configured = intIn("HTTP_INSTANCES", 0, 1024);
    return configured == 0 ? Runtime.getRuntime().availableProcessors() : configured;
  }

  /** Scheme, host and port the clients use, without a trailing slash. */
  public String publicBaseUrl() {
    return publicBaseUrl;
  }

  /** Seconds a stopping node gives the requests in flight before it closes their connections. */
  public int shutdownTimeoutSeconds() {
    return intIn("SHUTDOWN_TIMEOUT", 0, 3600);
  }

  public int jsonBodyLimit() {
    return intIn("JSON_BODY_LIMIT", 1024, 1 << 20);
  }

  public String dbPath() {
    return string("DB_PATH");
  }

  public String dbSynchronous() {
    String value = string("DB_SYNCHRONOUS").toUpperCase(Locale.ROOT);
    if (!List.of("OFF", "NORMAL", "FULL", "EXTRA").contains(value)) {
      throw new ConfigException("DB_SYNCHRONOUS must be one of OFF, NORMAL, FULL, EXTRA");
    }
    return value;
  }

  public int dbBusyTimeoutMs() {
    return intIn("DB_BUSY_TIMEOUT_MS", 0, 600_000);
  }

  public String avatarsDir() {
    return string("AVATARS_DIR");
  }

  public long storeTimeoutMs() {
    return intIn("STORE_TIMEOUT_MS", 100, 600_000);
  }

  /** Accounts the store keeps in memory for the lookup of every authenticated request (0: none). */
  public int storeUserCacheSize() {
    return intIn("STORE_USER_CACHE_SIZE", 0, 1_000_000);
  }

  /** How long the store trusts a remembered account before reading it again (see store.UserCache). */
  public int storeUserCacheSeconds() {
    return intIn("STORE_USER_CACHE_SECONDS", 1, 86_400);
  }

  /** The configured signing key, or an empty array when the store should keep one. */
  public byte[] jwtSecret() {
    return string("JWT_SECRET").getBytes(StandardCharsets.UTF_8);
  }

  public String jwtIssuer() {
    return nonBlank("JWT_ISSUER");
  }

  public String jwtAudience() {
    return nonBlank("JWT_AUDIENCE");
  }

  public int jwtLeewaySeconds() {
    return intIn("JWT_LEEWAY_SECONDS", 0, 300);
  }

  /** Verified access tokens each HTTP verticle remembers, so that a token's signature is checked once (0: none). */
  public int accessTokenCacheSize() {
    return intIn("ACCESS_TOKEN_CACHE_SIZE", 0, 1_000_000);
  }

  public int accessTokenTtl() {
    return intIn("ACCESS_TOKEN_TTL", 1, 86_400);
  }

  public int refreshTokenTtl() {
    return intIn("REFRESH_TOKEN_TTL", 60, 366 * 86_400);
  }

  public int argon2MemoryKib() {
    return intIn("ARGON2_MEMORY_KIB", ARGON2_MIN_MEMORY_KIB, 4 << 20);
  }

  public int argon2Iterations() {
    return intIn("ARGON2_ITERATIONS", ARGON2_MIN_ITERATIONS, 100);
  }

  public int argon2Parallelism() {
    return intIn("ARGON2_PARALLELISM", 1, 16);
  }

  /** Threads that hash passwords; 0 means one per core. */
  public int hashThreads() {
    int configured = intIn("HASH_THREADS", 0, 256);
    return configured == 0 ? Runtime.getRuntime().availableProcessors() : configured;
  }

  /** Hashes that may wait for a thread before more are refused with 503. */
  public int hashQueue() {
    return intIn("HASH_QUEUE", 0, 100_000);
  }

  public int loginFailuresLimit() {
    return intIn("LOGIN_FAILURES_LIMIT", 1, 1_000_000);
  }

  public int loginFailuresWindow() {
    return intIn("LOGIN_FAILURES_WINDOW", 1, 86_400);
  }

  public int authRequestsPerMinute() {
    return intIn("AUTH_REQUESTS_PER_MINUTE", 1, 10_000_000);
  }

  public long avatarMaxBytes() {
    return longIn("AVATAR_MAX_BYTES", 1024, 1L << 30);
  }

  public long avatarMaxPixels() {
    return longIn("AVATAR_MAX_PIXELS", 1, 1_000_000_000L);
  }

  public int avatarSize() {
    return intIn("AVATAR_SIZE", 16, 4096);
  }

  public int avatarUploadsPerMinute() {
    return intIn("AVATAR_UPLOADS_PER_MINUTE", 1, 1_000_000);
  }

  /**
   * The smaller variants rendered at upload besides the {@link #avatarSize()} box, ascending, each
   * below it: {@code AVATAR_SIZES}, comma-separated (empty for none).
   */
  public List<Integer> avatarSizes() {
    int box = avatarSize();
    TreeSet<Integer> sizes = new TreeSet<>();
    for (String part : string("AVATAR_SIZES").split(",")) {
      String trimmed = part.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      int size;
      try {
        size = Integer.parseInt(trimmed);
      } catch (NumberFormatException e) {
        throw new ConfigException("AVATAR_SIZES must be a comma-separated list of whole numbers from 1 to AVATAR_SIZE - 1");
      }
      if (size < 1 || size >= box) {
        throw new ConfigException("AVATAR_SIZES must be a comma-separated list of whole numbers from 1 to AVATAR_SIZE - 1");
      }
      sizes.add(size);
    }
    if (sizes.size() > 8) {
      throw new ConfigException("AVATAR_SIZES may name at most 8 sizes");
    }
    return List.copyOf(sizes);
  }

  /** Bytes that decoding one upload may need, estimated from its header; above it the upload is 422. */
  public long avatarDecodeMemory() {
    return longIn("AVATAR_DECODE_MEMORY", 1L << 20, 1L << 34);
  }

  /** CPU milliseconds one upload's decoding, scaling and encoding may take before it is refused with 422. */
  public int avatarCpuBudgetMs() {
    return intIn("AVATAR_CPU_BUDGET_MS", 50, 60_000);
  }

  /** Bytes of avatar images each HTTP node keeps in memory for serving; 0 turns the cache off. */
  public long avatarCacheBytes() {
    return longIn("AVATAR_CACHE_BYTES", 0, 1L << 34);
  }

  /** Threads that decode and re-encode avatar images; 0 means one per core. */
  public int imageThreads() {
    int configured = intIn("IMAGE_THREADS", 0, 256);
    return configured == 0 ? Runtime.getRuntime().availableProcessors() : configured;
  }

  /** Images that may wait for a thread before more are refused with 503. */
  public int imageQueue() {
    return intIn("IMAGE_QUEUE", 0, 10_000);
  }

  /** Origins allowed to open sockets: the configured list, or the public origin and localhost. */
  public Set<String> wsOrigins() {
    return origins("WS_ORIGINS");
  }

  /** Origins allowed by CORS: the configured list, or the public origin and localhost. */
  public Set<String> corsOrigins() {
    return origins("CORS_ORIGINS");
  }

  public int wsAuthTimeoutSeconds() {
    return intIn("WS_AUTH_TIMEOUT", 1, 3600);
  }

  public int wsMaxMessage() {
    return intIn("WS_MAX_MESSAGE", 256, 16 << 20);
  }

  public int wsPingIntervalSeconds() {
    return intIn("WS_PING_INTERVAL", 1, 3600);
  }

  /**
   * Seconds a connection may stay without reading or writing a byte before it is closed (0: never).
   * Longer than the socket pings, which are writes, so that only dead or idle peers are cut.
   */
  public int httpIdleTimeoutSeconds() {
    int seconds = intIn("HTTP_IDLE_TIMEOUT", 0, 86_400);
    if (seconds > 0 && seconds <= wsPingIntervalSeconds()) {
      throw new ConfigException("HTTP_IDLE_TIMEOUT must be longer than WS_PING_INTERVAL (or 0 for none):"
        + " sockets would be closed between two pings");
    }
    return seconds;
  }

  /**
   * How long {@code DELETE /api/user} waits for every node to confirm that it closed the user's
   * sockets before it answers without that confirmation (503).
   */
  public long deletionConfirmTimeoutMs() {
    return intIn("DELETION_CONFIRM_TIMEOUT_MS", 100, 60_000);
  }

  public boolean clustered() {
    return bool("CLUSTER");
  }

  /** The address this node's event bus listens on and other nodes reach it at. */
  public String clusterHost() {
    String host = nonBlank("CLUSTER_HOST");
    if (!host.matches("[A-Za-z0-9.:\\-\\[\\]%]+")) {
      throw new ConfigException("CLUSTER_HOST must be a host name or an IP address, such as 127.0.0.1");
    }
    return host;
  }

  /** The event bus port; 0 picks a free one (set one when a firewall sits between the nodes). */
  public int clusterBusPort() {
    return intIn("CLUSTER_BUS_PORT", 0, 65535);
  }

  /** The Hazelcast cluster name; empty keeps the one of the Hazelcast configuration file. */
  public String clusterName() {
    String name = string("CLUSTER_NAME").trim();
    if (!name.isEmpty() && !name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new ConfigException("CLUSTER_NAME must be 1 to 64 letters, digits, dots, dashes or underscores");
    }
    return name;
  }

  /**
   * The Hazelcast members to join over TCP/IP ({@code host}, {@code host:port}, or Hazelcast's
   * {@code 10.0.0.1-9} ranges); empty keeps the join settings of the Hazelcast configuration file.
   */
  public List<String> clusterMembers() {
    String text = string("CLUSTER_MEMBERS").trim();
    if (text.isEmpty()) {
      return List.of();
    }
    return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty())
      .map(member -> {
        if (!member.matches("[A-Za-z0-9.:\\-\\[\\]*]+")) {
          throw new ConfigException("CLUSTER_MEMBERS: '" + member + "' is not a host, host:port or address range");
        }
        return member;
      })
      .toList();
  }

  /** The Hazelcast member port; 0 keeps the one of the Hazelcast configuration file. */
  public int clusterPort() {
    return intIn("CLUSTER_PORT", 0, 65535);
  }

  /**
   * The Hazelcast configuration (XML or YAML): a file, else a class-path resource of that name (the
   * jar bundles {@code conf/hazelcast.xml}); {@code classpath:NAME} for a resource only; empty for
   * vertx-hazelcast's own lookup ({@code -Dvertx.hazelcast.config}, {@code cluster.xml}, its default).
   */
  public String hazelcastConfig() {
    return string("HAZELCAST_CONFIG").trim();
  }

  private Set<String> origins(String key) {
    String text = string(key).trim();
    if (text.isEmpty()) {
      URI base = URI.create(publicBaseUrl);
      String own = base.getScheme() + "://" + base.getAuthority();
      return Set.copyOf(List.of(own, "http://localhost", "http://127.0.0.1", "http://localhost:" + httpPort(),
        "http://127.0.0.1:" + httpPort()));
    }
    return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty())
      .map(origin -> {
        if (!origin.equals("*") && !origin.matches("https?://[^/\\s]+")) {
          throw new ConfigException(key + ": '" + origin + "' is not an origin like https://example.com");
        }
        return origin;
      })
      .collect(Collectors.toUnmodifiableSet());
  }

  private static String validBaseUrl(String base) {
    String trimmed = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
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

  private Object value(String key) {
    if (!json.containsKey(key)) {
      throw new ConfigException(key + " is missing");
    }
    return json.getValue(key);
  }

  private String string(String key) {
    Object value = value(key);
    return value == null ? "" : value.toString();
  }

  private String nonBlank(String key) {
    String value = string(key).trim();
    if (value.isEmpty()) {
      throw new ConfigException(key + " must not be empty");
    }
    return value;
  }

  private boolean bool(String key) {
    String value = string(key).trim().toLowerCase(Locale.ROOT);
    return switch (value) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off", "" -> false;
      default -> throw new ConfigException(key + " must be true or false");
    };
  }

  private int intIn(String key, int min, int max) {
    return (int) longIn(key, min, max);
  }

  private long longIn(String key, long min, long max) {
    Object value = value(key);
    long parsed;
    try {
      parsed = value instanceof Number number && number.doubleValue() == number.longValue()
        ? number.longValue() : Long.parseLong(String.valueOf(value).trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key + " must be a whole number from " + min + " to " + max);
    }
    if (parsed < min || parsed > max) {
      throw new ConfigException(key + " must be a whole number from " + min + " to " + max);
    }
    return parsed;
  }
}
