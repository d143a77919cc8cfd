package dev.avatarservice.cluster;

import dev.avatarservice.bus.SharedNames;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import dev.avatarservice.config.ConfigException;
import dev.avatarservice.config.ConfigLoader;
import dev.avatarservice.config.Settings;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The cluster configuration keys and the Hazelcast configuration a clustered node starts with. */
class ClusterSettingsTest {

  private static final String SECRET = "cluster-secret-cluster-secret-0123456789";

  @Test
  void theShippedOneMachineConfigurationJoinsOnLoopbackOnly() {
    Config hazelcast = load(config(Map.of()));

    assertThat(hazelcast.getClusterName()).isEqualTo("avatar-service");
    JoinConfig join = hazelcast.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1");
    assertThat(hazelcast.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
    assertThat(hazelcast.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
    assertThat(hazelcast.getProperty("hazelcast.logging.type")).isEqualTo("slf4j");
    assertThat(hazelcast.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
  }

  @Test
  void theShippedConfigurationsKeepTheVertxStructuresOfVertxHazelcast() throws IOException {
    Config vertxDefaults = ConfigUtil.loadConfig();
    for (Config shipped : List.of(HazelcastSettings.read("conf/hazelcast.xml"),
      HazelcastSettings.read("conf/hazelcast-multi-host.xml"), HazelcastSettings.read("conf/hazelcast-docker.xml"))) {
      assertThat(HazelcastSettings.keepVertxStructures(shipped, vertxDefaults)).isEmpty();
      vertxDefaults.getMapConfigs().forEach((name, map) -> {
        if (name.startsWith("__vertx.")) {
          assertThat(shipped.getMapConfig(name).getBackupCount()).as(name).isEqualTo(map.getBackupCount());
          assertThat(shipped.getMapConfig(name).getAsyncBackupCount()).as(name).isEqualTo(map.getAsyncBackupCount());
        }
      });
      MultiMapConfig subs = vertxDefaults.getMultiMapConfig("__vertx.subs");
      assertThat(shipped.getMultiMapConfig("__vertx.subs").getBackupCount()).isEqualTo(subs.getBackupCount());
      assertThat(shipped.getMultiMapConfig("__vertx.subs").getValueCollectionType()).isEqualTo(subs.getValueCollectionType());
      assertThat(shipped.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
    }
  }

  @Test
  void aConfigurationWithoutTheVertxStructuresGetsThoseOfVertxHazelcast() {
    Config bare = HazelcastSettings.read("classpath:hazelcast-test.xml");

    List<String> added = HazelcastSettings.keepVertxStructures(bare, ConfigUtil.loadConfig());

    assertThat(added).contains("__vertx.subs", "__vertx.haInfo", "__vertx.nodeInfo");
    assertThat(bare.getMultiMapConfigs()).containsKey("__vertx.subs");
    assertThat(bare.getMapConfigs()).containsKeys("__vertx.haInfo", "__vertx.nodeInfo");
  }

  @Test
  void configurationKeysOverrideTheFile() {
    Config hazelcast = load(config(Map.of(
      "CLUSTER_NAME", "staging",
      "CLUSTER_MEMBERS", "10.0.0.11, 10.0.0.12:5702",
      "CLUSTER_PORT", 6701,
      "LOGIN_FAILURES_WINDOW", 600)));

    assertThat(hazelcast.getClusterName()).isEqualTo("staging");
    assertThat(hazelcast.getNetworkConfig().getPort()).isEqualTo(6701);
    assertThat(hazelcast.getNetworkConfig().getJoin().getTcpIpConfig().getMembers())
      .containsExactly("10.0.0.11", "10.0.0.12:5702");
    MapConfig failures = hazelcast.getMapConfigs().get(SharedNames.LOGIN_FAILURES);
    assertThat(failures.getTimeToLiveSeconds()).isEqualTo(600);
  }

  @Test
  void aMissingOrBrokenHazelcastConfigurationIsAConfigurationError(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> HazelcastSettings.read(dir.resolve("absent.xml").toString()))
      .isInstanceOf(ConfigException.class).hasMessageContaining("HAZELCAST_CONFIG").hasMessageContaining("absent.xml");
    assertThatThrownBy(() -> HazelcastSettings.read("classpath:absent.xml"))
      .isInstanceOf(ConfigException.class).hasMessageContaining("classpath:absent.xml");
    Path broken = Files.writeString(dir.resolve("broken.xml"), "<hazelcast><network><port>many</port></network></hazelcast>");
    assertThatThrownBy(() -> HazelcastSettings.read(broken.toString()))
      .isInstanceOf(ConfigException.class).hasMessageContaining("not a valid Hazelcast configuration");
  }

  @Test
  void aClusteredNodeNeedsAnExplicitSigningKey() {
    JsonObject json = ConfigLoader.bundledDefaults().put("CLUSTER", true);
    assertThatThrownBy(() -> Settings.parse(json))
      .isInstanceOf(ConfigException.class).hasMessageContaining("JWT_SECRET");
    assertThat(Settings.parse(json.put("JWT_SECRET", SECRET)).cluster().enabled()).isTrue();
  }

  @Test
  void clusterKeysAreValidated() {
    assertThatThrownBy(() -> config(Map.of("CLUSTER_NAME", "two words")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("CLUSTER_NAME");
    assertThatThrownBy(() -> config(Map.of("CLUSTER_MEMBERS", "10.0.0.1;rm -rf")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("CLUSTER_MEMBERS");
    assertThatThrownBy(() -> config(Map.of("CLUSTER_PORT", 70_000)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("CLUSTER_PORT");
    assertThatThrownBy(() -> config(Map.of("CLUSTER_BUS_PORT", -1)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("CLUSTER_BUS_PORT");
    assertThatThrownBy(() -> config(Map.of("CLUSTER_HOST", " ")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("CLUSTER_HOST");
    assertThat(config(Map.of()).cluster().members()).isEmpty();
  }

  private static Settings config(Map<String, Object> overrides) {
    JsonObject json = ConfigLoader.bundledDefaults().put("CLUSTER", true).put("JWT_SECRET", SECRET);
    overrides.forEach(json::put);
    return Settings.parse(json);
  }

  /** The Hazelcast configuration the node of these settings starts with, as {@code Node} loads it. */
  private static Config load(Settings settings) {
    return HazelcastSettings.load(settings.cluster(), settings.accounts().loginFailuresWindowSeconds());
  }
}
