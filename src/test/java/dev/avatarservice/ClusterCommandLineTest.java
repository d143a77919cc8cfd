package dev.avatarservice;

import dev.avatarservice.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --cluster} on the command line joins the cluster like {@code CLUSTER=true}. */
class ClusterCommandLineTest {

  private static final Map<String, String> ENV = Map.of("JWT_SECRET", "cluster-secret-cluster-secret-0123456789");

  @Test
  void withoutTheFlagANodeRunsAlone(@TempDir Path dir) {
    assertThat(Main.config(new String[0], ENV, dir).cluster().enabled()).isFalse();
  }

  @Test
  void theFlagClustersTheNode(@TempDir Path dir) {
    assertThat(Main.config(new String[] {"--cluster"}, ENV, dir).cluster().enabled()).isTrue();
  }

  @Test
  void theFlagStillNeedsTheSigningKey(@TempDir Path dir) {
    assertThatThrownBy(() -> Main.config(new String[] {"--cluster"}, Map.of(), dir))
      .isInstanceOf(ConfigException.class).hasMessageContaining("JWT_SECRET");
  }

  @Test
  void unknownArgumentsAreRefused(@TempDir Path dir) {
    assertThatThrownBy(() -> Main.config(new String[] {"--clustered"}, ENV, dir))
      .isInstanceOf(ConfigException.class).hasMessageContaining("--clustered");
  }
}
