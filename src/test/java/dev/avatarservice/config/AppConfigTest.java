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
  void signingKeySettingsAreCheckedTogether() {
    JsonObject json = ConfigLoader.bundledDefaults();
    String secret = "a-secret-of-at-least-32-bytes-0123456789";
    assertThatThrownBy(() -> AppConfig.from(json.copy().put("JWT_SECRET", secret).put("JWT_SECRET_FILE", "/run/secrets/jwt")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("JWT_SECRET_FILE");
    assertThatThrownBy(() -> AppConfig.from(json.copy().put("JWT_PREVIOUS_SECRETS", secret + ",short")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("JWT_PREVIOUS_SECRETS");
    assertThat(AppConfig.from(json.copy().put("JWT_PREVIOUS_SECRETS", " " + secret + " ,, " + secret.toUpperCase() + " "))
      .jwtPreviousSecrets()).hasSize(2);
    assertThatThrownBy(() -> AppConfig.from(json.copy().put("JWT_ALGORITHM", "RS256")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("JWT_ALGORITHM");
    assertThatThrownBy(() -> AppConfig.from(json.copy().put("JWT_ALGORITHM", "ES256")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("JWT_PRIVATE_KEY_FILE");
    JsonObject cluster = json.copy().put("CLUSTER", true);
    assertThatThrownBy(() -> AppConfig.from(cluster.copy()))
      .isInstanceOf(ConfigException.class).hasMessageContaining("JWT_SECRET");
    assertThat(AppConfig.from(cluster.copy().put("JWT_SECRET_FILE", "/run/secrets/jwt")).jwtSecretFile()).isEqualTo("/run/secrets/jwt");
    assertThat(AppConfig.from(cluster.copy().put("JWT_ALGORITHM", "EdDSA").put("JWT_PRIVATE_KEY_FILE", "/k.pem")).jwtAlgorithm())
      .isEqualTo("EdDSA");
    assertThatThrownBy(() -> AppConfig.from(json.copy().put("SESSION_MAX_AGE", 0)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("SESSION_MAX_AGE");
  }
}
