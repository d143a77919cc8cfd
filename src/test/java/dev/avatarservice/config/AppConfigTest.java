package dev.avatarservice.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings that depend on each other, refused at start-up with one clear line. */
class AppConfigTest {

  @Test
  void theIdleTimeoutMustOutlastTheSocketPings() {
    JsonObject json = ConfigLoader.bundledDefaults().put("WS_PING_INTERVAL", 30);
    assertThat(AppConfig.from(json.copy().put("HTTP_IDLE_TIMEOUT", 31)).httpIdleTimeoutSeconds()).isEqualTo(31);
    assertThat(AppConfig.from(json.copy().put("HTTP_IDLE_TIMEOUT", 0)).httpIdleTimeoutSeconds()).isZero();
    assertThatThrownBy(() -> AppConfig.from(json.copy().put("HTTP_IDLE_TIMEOUT", 30)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("HTTP_IDLE_TIMEOUT").hasMessageContaining("WS_PING_INTERVAL");
  }

  @Test
  void theCachesHaveBounds() {
    JsonObject json = ConfigLoader.bundledDefaults();
    assertThatThrownBy(() -> AppConfig.from(json.copy().put("STORE_USER_CACHE_SIZE", 2_000_000)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("STORE_USER_CACHE_SIZE");
    assertThatThrownBy(() -> AppConfig.from(json.copy().put("STORE_USER_CACHE_SECONDS", 0)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("STORE_USER_CACHE_SECONDS");
    assertThatThrownBy(() -> AppConfig.from(json.copy().put("ACCESS_TOKEN_CACHE_SIZE", -1)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("ACCESS_TOKEN_CACHE_SIZE");
  }

  @Test
  void trustedProxiesAreAddressesOrRangesNeverNames() {
    JsonObject json = ConfigLoader.bundledDefaults();
    assertThat(AppConfig.from(json.copy()).trustedProxies()).isEmpty();
    assertThat(AppConfig.from(json.copy().put("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7 ,fd00::/8")).trustedProxies())
      .extracting(Object::toString).containsExactly("10.0.0.0/8", "192.0.2.7", "fd00::/8");
    for (String bad : new String[] {"proxy.internal", "10.0.0.0/40", "10.0.0.1/"}) {
      assertThatThrownBy(() -> AppConfig.from(json.copy().put("TRUSTED_PROXIES", bad)))
        .as(bad).isInstanceOf(ConfigException.class).hasMessageStartingWith("TRUSTED_PROXIES");
    }
  }

  @Test
  void theDefaultOriginsDependOnThePublicUrl() {
    JsonObject json = ConfigLoader.bundledDefaults().put("HTTP_PORT", 8080);
    AllowedOrigins developer = AppConfig.from(json.copy()).corsOrigins();
    assertThat(developer.allows("http://localhost:5173")).isTrue();
    assertThat(developer.allows("http://127.0.0.1:3000")).isTrue();
    assertThat(developer.allows("http://localhost:8080")).isTrue();
    assertThat(developer.allows("http://localhost.evil.example")).isFalse();
    AllowedOrigins deployed = AppConfig.from(json.copy().put("PUBLIC_BASE_URL", "https://avatars.example.com/")).wsOrigins();
    assertThat(deployed.allows("https://avatars.example.com")).isTrue();
    assertThat(deployed.allows("http://localhost")).isFalse();
    assertThat(deployed.allows("http://localhost:8080")).isFalse();
  }
}
