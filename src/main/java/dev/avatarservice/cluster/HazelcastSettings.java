package dev.avatarservice.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.ConfigPatternMatcher;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import dev.avatarservice.config.ClusterSettings;
import dev.avatarservice.config.ConfigException;
import dev.avatarservice.bus.SharedNames;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * The Hazelcast configuration of a clustered node: the file named by {@code HAZELCAST_CONFIG}
 * (operators tune Hazelcast there, in Hazelcast's own format), then the few settings that tests and
 * deployments override through our configuration keys ({@code CLUSTER_NAME}, {@code CLUSTER_MEMBERS},
 * {@code CLUSTER_PORT}), and the expiry of the failed-login counts ({@code LOGIN_FAILURES_WINDOW}).
 *
 * <p>vertx-hazelcast keeps the event-bus subscriptions and node information in {@code __vertx.*}
 * maps whose settings it ships in its own default configuration; a file passed to
 * {@code HazelcastClusterManager} replaces that default entirely. The shipped {@code conf/hazelcast.xml}
 * repeats those settings so operators see them, and any {@code __vertx.*} map or multimap that a file
 * leaves out is taken from vertx-hazelcast's own configuration ({@link ConfigUtil#loadConfig()}), so
 * they stay what the library version in use expects.
 */
public final class HazelcastSettings {

  private static final Logger LOG = LoggerFactory.getLogger(HazelcastSettings.class);
  private static final String CLASSPATH = "classpath:";
  private static final String VERTX_PREFIX = "__vertx.";
  static final String LOGGING_TYPE = "hazelcast.logging.type";
  static final String PHONE_HOME = "hazelcast.phone.home.enabled";

  private HazelcastSettings() {
  }

  /**
   * Reads and completes the Hazelcast configuration; blocking (it reads files).
   *
   * @param loginFailuresWindowSeconds LOGIN_FAILURES_WINDOW, the time to live of the failed-login counts
   */
  public static Config load(ClusterSettings config, int loginFailuresWindowSeconds) {
    // Hazelcast's static loggers read the system property before any instance exists.
    if (System.getProperty(LOGGING_TYPE) == null) {
      System.setProperty(LOGGING_TYPE, "slf4j");
    }
    Config hazelcast = read(config.hazelcastConfig());
    apply(config, loginFailuresWindowSeconds, hazelcast);
    List<String> added = keepVertxStructures(hazelcast, ConfigUtil.loadConfig());
    if (!added.isEmpty()) {
      LOG.info("{} has no settings for {}: using vertx-hazelcast's", describe(config.hazelcastConfig()), added);
    }
    return hazelcast;
  }

  static Config read(String location) {
    try {
      if (location.isEmpty()) {
        Config config = ConfigUtil.loadConfig();
        if (config == null) {
          throw new ConfigException("HAZELCAST_CONFIG is empty and vertx-hazelcast found no configuration of its own");
        }
        return config;
      }
      if (location.startsWith(CLASSPATH)) {
        return fromClasspath(location.substring(CLASSPATH.length()), location);
      }
      Path file = Path.of(location);
      if (Files.isRegularFile(file)) {
        return Config.loadFromFile(file.toFile(), System.getProperties());
      }
      return fromClasspath(location, location);
    } catch (FileNotFoundException e) {
      throw new ConfigException("HAZELCAST_CONFIG: cannot read " + location);
    } catch (InvalidConfigurationException | IllegalArgumentException e) {
      throw new ConfigException("HAZELCAST_CONFIG: " + location + " is not a valid Hazelcast configuration: "
        + e.getMessage());
    }
  }

  private static Config fromClasspath(String name, String location) {
    ClassLoader loader = HazelcastSettings.class.getClassLoader();
    if (loader.getResource(name) == null) {
      throw new ConfigException("HAZELCAST_CONFIG: no file or class-path resource " + location);
    }
    return Config.loadFromClasspath(loader, name, new Properties(System.getProperties()));
  }

  /** Our keys over the file: cluster name, member port, TCP/IP members; SLF4J logging; no phoning home. */
  static void apply(ClusterSettings config, int loginFailuresWindowSeconds, Config hazelcast) {
    if (!config.name().isEmpty()) {
      hazelcast.setClusterName(config.name());
    }
    if (config.port() > 0) {
      hazelcast.getNetworkConfig().setPort(config.port());
    }
    List<String> members = config.members();
    if (!members.isEmpty()) {
      JoinConfig join = hazelcast.getNetworkConfig().getJoin();
      join.getMulticastConfig().setEnabled(false);
      join.getAutoDetectionConfig().setEnabled(false);
      join.getTcpIpConfig().setEnabled(true).setMembers(new ArrayList<>(members));
      try {
        join.verify();
      } catch (InvalidConfigurationException e) {
        throw new ConfigException("CLUSTER_MEMBERS needs TCP/IP join, but the Hazelcast configuration enables another: "
          + e.getMessage());
      }
    }
    loginFailuresExpire(hazelcast, loginFailuresWindowSeconds);
    if (hazelcast.getProperty(LOGGING_TYPE) == null) {
      hazelcast.setProperty(LOGGING_TYPE, "slf4j");
    }
    if (hazelcast.getProperty(PHONE_HOME) == null) {
      hazelcast.setProperty(PHONE_HOME, "false");
    }
  }

  /**
   * The failed-login counts expire with their window ({@link HazelcastAttemptCounts} sets each
   * entry's time to live); the map's own time to live, a window, is the backstop for an entry
   * written without one.
   */
  private static void loginFailuresExpire(Config hazelcast, int windowSeconds) {
    MapConfig failures = hazelcast.getMapConfigs().get(SharedNames.LOGIN_FAILURES);
    if (failures == null) {
      failures = new MapConfig(hazelcast.findMapConfig(SharedNames.LOGIN_FAILURES)).setName(SharedNames.LOGIN_FAILURES);
      hazelcast.addMapConfig(failures);
    }
    failures.setTimeToLiveSeconds(windowSeconds);
  }

  /**
   * Adds the {@code __vertx.*} maps and multimaps of {@code defaults} that {@code hazelcast} does not
   * configure (by name or pattern); returns their names.
   */
  static List<String> keepVertxStructures(Config hazelcast, Config defaults) {
    List<String> added = new ArrayList<>();
    if (defaults == null) {
      LOG.warn("vertx-hazelcast's default configuration could not be read; the __vertx.* maps keep Hazelcast defaults");
      return added;
    }
    ConfigPatternMatcher matcher = hazelcast.getConfigPatternMatcher();
    for (MapConfig map : defaults.getMapConfigs().values()) {
      if (map.getName().startsWith(VERTX_PREFIX) && !configures(hazelcast.getMapConfigs().keySet(), map.getName(), matcher)) {
        hazelcast.addMapConfig(new MapConfig(map));
        added.add(map.getName());
      }
    }
    for (MultiMapConfig multimap : defaults.getMultiMapConfigs().values()) {
      if (multimap.getName().startsWith(VERTX_PREFIX)
        && !configures(hazelcast.getMultiMapConfigs().keySet(), multimap.getName(), matcher)) {
        hazelcast.addMultiMapConfig(new MultiMapConfig(multimap));
        added.add(multimap.getName());
      }
    }
    return added;
  }

  /** Whether a configuration is named for that structure, exactly or by a wildcard pattern. */
  private static boolean configures(Set<String> names, String name, ConfigPatternMatcher matcher) {
    return names.contains(name) || matcher.matches(names, name) != null;
  }

  private static String describe(String location) {
    return location.isEmpty() ? "vertx-hazelcast's configuration" : location;
  }
}
