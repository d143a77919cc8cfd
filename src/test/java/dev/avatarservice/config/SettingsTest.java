package dev.avatarservice.config;

import dev.avatarservice.account.Argon2Settings;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings that depend on each other, refused at start-up with one clear line. */
class SettingsTest {

  @Test
  void theIdleTimeoutMustOutlastTheSocketPings() {
    JsonObject json = ConfigLoader.bundledDefaults().put("WS_PING_INTERVAL", 30);
    assertThat(Settings.parse(json.copy().put("HTTP_IDLE_TIMEOUT", 31)).http().idleTimeoutSeconds()).isEqualTo(31);
    assertThat(Settings.parse(json.copy().put("HTTP_IDLE_TIMEOUT", 0)).http().idleTimeoutSeconds()).isZero();
    assertThatThrownBy(() -> Settings.parse(json.copy().put("HTTP_IDLE_TIMEOUT", 30)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("HTTP_IDLE_TIMEOUT").hasMessageContaining("WS_PING_INTERVAL");
  }

  @Test
  void theDatabaseIsSqliteAtDbPathUnlessDbUrlNamesPostgresql() {
    JsonObject json = ConfigLoader.bundledDefaults();
    assertThat(Settings.parse(json).store().postgres()).isFalse();
    assertThat(Settings.parse(json).store().dbPoolSize()).isEqualTo(8);
    assertThat(Settings.parse(json.copy().put("DB_URL", "jdbc:sqlite:/data/a.db")).store().dbPath()).isEqualTo("/data/a.db");
    var postgres = Settings.parse(json.copy().put("DB_URL", "jdbc:postgresql://db:5432/avatars")
      .put("DB_USER", "avatars").put("DB_PASSWORD", "s3cret-password")).store();
    assertThat(postgres.postgres()).isTrue();
    // the password never shows in the settings' text
    assertThat(postgres.toString()).doesNotContain("s3cret").doesNotContain("db:5432");
    // sqlite-jdbc would open a temporary database for an empty path: every write lost on restart
    assertThatThrownBy(() -> Settings.parse(json.copy().put("DB_URL", "jdbc:sqlite:")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("needs a file");
    assertThatThrownBy(() -> Settings.parse(json.copy().put("DB_URL", "jdbc:mysql://db/avatars?password=s3cret")))
      .isInstanceOf(ConfigException.class).hasMessageStartingWith("DB_URL must be").hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> Settings.parse(json.copy().put("DB_PASSWORD", "x").put("DB_PASSWORD_FILE", "/run/secrets/db")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("DB_PASSWORD and DB_PASSWORD_FILE");
  }

  @Test
  void theAdminTokenIsLongOrAbsent() {
    JsonObject json = ConfigLoader.bundledDefaults();
    assertThat(Settings.parse(json).management().adminEnabled()).isFalse();
    assertThat(Settings.parse(json.copy().put("ADMIN_TOKEN", "a".repeat(32))).management().adminEnabled()).isTrue();
    assertThatThrownBy(() -> Settings.parse(json.copy().put("ADMIN_TOKEN", "a".repeat(31))))
      .isInstanceOf(ConfigException.class).hasMessageStartingWith("ADMIN_TOKEN must be at least 32 bytes")
      .hasMessageNotContaining("aaaa");
    // the token never shows in the settings' text (which a debug log might print)
    assertThat(Settings.parse(json.copy().put("ADMIN_TOKEN", "secret-".repeat(6))).management().toString())
      .doesNotContain("secret");
  }

  @Test
  void theManagementListenerHasItsOwnPort() {
    JsonObject json = ConfigLoader.bundledDefaults();
    ManagementSettings defaults = Settings.parse(json).management();
    assertThat(defaults.host()).isEqualTo("127.0.0.1");
    assertThat(defaults.port()).isEqualTo(9090);
    assertThat(defaults.metricsPublic()).isTrue();
    assertThat(Settings.parse(json.copy().put("MANAGEMENT_PORT", 0)).management().enabled()).isFalse();
    assertThatThrownBy(() -> Settings.parse(json.copy().put("MANAGEMENT_PORT", 8080)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("MANAGEMENT_PORT");
    assertThatThrownBy(() -> Settings.parse(json.copy().put("METRICS_PUBLIC", "maybe")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("METRICS_PUBLIC");
  }

  @Test
  void theCachesHaveBounds() {
    JsonObject json = ConfigLoader.bundledDefaults();
    assertThatThrownBy(() -> Settings.parse(json.copy().put("STORE_USER_CACHE_SIZE", 2_000_000)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("STORE_USER_CACHE_SIZE");
    assertThatThrownBy(() -> Settings.parse(json.copy().put("STORE_USER_CACHE_SECONDS", 0)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("STORE_USER_CACHE_SECONDS");
    assertThatThrownBy(() -> Settings.parse(json.copy().put("ACCESS_TOKEN_CACHE_SIZE", -1)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("ACCESS_TOKEN_CACHE_SIZE");
  }

  @Test
  void argon2IsNeverConfiguredBelowOwaspsMinimumNorAboveWhatItAccepts() {
    JsonObject json = ConfigLoader.bundledDefaults();
    assertThat(Settings.parse(json).accounts().argon2()).isEqualTo(Argon2Settings.OWASP_MINIMUM);
    assertThatThrownBy(() -> Settings.parse(json.copy().put("ARGON2_MEMORY_KIB", 19455)))
      .isInstanceOf(ConfigException.class).hasMessage("ARGON2_MEMORY_KIB must be a whole number from 19456 to 1048576");
    assertThatThrownBy(() -> Settings.parse(json.copy().put("ARGON2_ITERATIONS", 1)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("ARGON2_ITERATIONS");
    // above 1 GiB Argon2Settings itself refuses: a configuration error, not a failed start
    assertThatThrownBy(() -> Settings.parse(json.copy().put("ARGON2_MEMORY_KIB", 2 << 20)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("ARGON2_MEMORY_KIB");
  }

  @Test
  void withoutConfiguredOriginsThePublicOriginAndLocalhostMayCall() {
    Settings settings = Settings.parse(ConfigLoader.bundledDefaults().put("HTTP_PORT", 8081)
      .put("PUBLIC_BASE_URL", "https://Avatars.example.com/").put("WS_ORIGINS", "https://App.example.com"));

    assertThat(settings.http().publicBaseUrl()).isEqualTo("https://Avatars.example.com");
    assertThat(settings.store().publicBaseUrl()).isEqualTo("https://Avatars.example.com");
    // with a public URL, that origin only
    assertThat(settings.http().corsOrigins().exact()).containsExactly("https://avatars.example.com");
    assertThat(settings.http().corsOrigins().loopbackAnyPort()).isFalse();
    assertThat(settings.realtime().origins().exact()).containsExactly("https://app.example.com");
    assertThatThrownBy(() -> Settings.parse(ConfigLoader.bundledDefaults().put("CORS_ORIGINS", "https://a.example, a.example")))
      .isInstanceOf(ConfigException.class).hasMessage("CORS_ORIGINS: 'a.example' is not an origin like https://example.com");
  }

  @Test
  void everyKeyIsRequiredAndNamedWhenMissing() {
    JsonObject json = ConfigLoader.bundledDefaults();
    json.remove("DB_SYNCHRONOUS");
    assertThatThrownBy(() -> Settings.parse(json)).isInstanceOf(ConfigException.class).hasMessage("DB_SYNCHRONOUS is missing");
    assertThatThrownBy(() -> Settings.parse(ConfigLoader.bundledDefaults().put("DB_SYNCHRONOUS", "SOMETIMES")))
      .isInstanceOf(ConfigException.class).hasMessage("DB_SYNCHRONOUS must be one of OFF, NORMAL, FULL, EXTRA");
  }

  @Test
  void trustedProxiesAreAddressesOrRangesNeverNames() {
    JsonObject json = ConfigLoader.bundledDefaults();
    assertThat(Settings.parse(json.copy()).http().trustedProxies()).isEmpty();
    assertThat(Settings.parse(json.copy().put("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7 ,fd00::/8")).http().trustedProxies())
      .extracting(Object::toString).containsExactly("10.0.0.0/8", "192.0.2.7", "fd00::/8");
    for (String bad : new String[] {"proxy.internal", "10.0.0.0/40", "10.0.0.1/"}) {
      assertThatThrownBy(() -> Settings.parse(json.copy().put("TRUSTED_PROXIES", bad)))
        .as(bad).isInstanceOf(ConfigException.class).hasMessageStartingWith("TRUSTED_PROXIES");
    }
  }

  @Test
  void theDefaultOriginsDependOnThePublicUrl() {
    JsonObject json = ConfigLoader.bundledDefaults().put("HTTP_PORT", 8080);
    AllowedOrigins developer = Settings.parse(json.copy()).http().corsOrigins();
    assertThat(developer.allows("http://localhost:5173")).isTrue();
    assertThat(developer.allows("http://127.0.0.1:3000")).isTrue();
    assertThat(developer.allows("http://localhost:8080")).isTrue();
    assertThat(developer.allows("http://localhost.evil.example")).isFalse();
    AllowedOrigins deployed = Settings.parse(json.copy().put("PUBLIC_BASE_URL", "https://avatars.example.com/"))
      .realtime().origins();
    assertThat(deployed.allows("https://avatars.example.com")).isTrue();
    assertThat(deployed.allows("http://localhost")).isFalse();
    assertThat(deployed.allows("http://localhost:8080")).isFalse();
  }

  @Test
  void signingKeySettingsAreCheckedTogether() {
    JsonObject json = ConfigLoader.bundledDefaults();
    String secret = "a-secret-of-at-least-32-bytes-0123456789";
    assertThatThrownBy(() -> Settings.parse(json.copy().put("JWT_SECRET", secret).put("JWT_SECRET_FILE", "/run/secrets/jwt")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("JWT_SECRET_FILE");
    assertThatThrownBy(() -> Settings.parse(json.copy().put("JWT_PREVIOUS_SECRETS", secret + ",short")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("JWT_PREVIOUS_SECRETS");
    assertThat(Settings.parse(json.copy().put("JWT_PREVIOUS_SECRETS", " " + secret + " ,, " + secret.toUpperCase() + " "))
      .keys().previousSecrets()).hasSize(2);
    assertThatThrownBy(() -> Settings.parse(json.copy().put("JWT_ALGORITHM", "RS256")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("JWT_ALGORITHM");
    assertThatThrownBy(() -> Settings.parse(json.copy().put("JWT_ALGORITHM", "ES256")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("JWT_PRIVATE_KEY_FILE");
    JsonObject cluster = json.copy().put("CLUSTER", true);
    assertThatThrownBy(() -> Settings.parse(cluster.copy()))
      .isInstanceOf(ConfigException.class).hasMessageContaining("JWT_SECRET");
    assertThat(Settings.parse(cluster.copy().put("JWT_SECRET_FILE", "/run/secrets/jwt")).keys().secretFile())
      .isEqualTo("/run/secrets/jwt");
    assertThat(Settings.parse(cluster.copy().put("JWT_ALGORITHM", "EdDSA").put("JWT_PRIVATE_KEY_FILE", "/k.pem")).keys()
      .algorithm()).isEqualTo("EdDSA");
    assertThatThrownBy(() -> Settings.parse(json.copy().put("SESSION_MAX_AGE", 0)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("SESSION_MAX_AGE");
  }
}
