package dev.avatarservice.store;

import dev.avatarservice.account.RefreshTokens;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.Jwts;
import dev.avatarservice.support.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Migration V2 on a database an earlier version left (schema V1): every login that still has a
 * usable refresh token becomes a session whose id is its token family, so its refresh token keeps
 * working and the new access token names that session; logins that were over stay over.
 */
class SessionsMigrationTest {

  @TempDir
  Path dir;

  @Test
  void theLoginsOfAnEarlierVersionBecomeSessions() throws Exception {
    Path db = dir.resolve("old.db");
    String userId = UUID.randomUUID().toString();
    String liveFamily = UUID.randomUUID().toString();
    String revokedFamily = UUID.randomUUID().toString();
    long now = System.currentTimeMillis() / 1000;
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
         Statement statement = connection.createStatement();
         InputStream v1 = getClass().getClassLoader().getResourceAsStream("db/migration/sqlite/V1__accounts.sql")) {
      for (String sql : Migrations.statements(new String(v1.readAllBytes(), StandardCharsets.UTF_8))) {
        statement.execute(sql);
      }
      statement.execute("PRAGMA user_version = 1");
      // the password hash of ApiClient.PASSWORD does not matter here: only refresh tokens are used
      statement.execute("INSERT INTO users VALUES ('" + userId + "', 'old-timer', 'old-timer', '$argon2id$stub', NULL, "
        + System.currentTimeMillis() + ")");
      try (PreparedStatement token = connection.prepareStatement("INSERT INTO refresh_tokens VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        insert(token, "used-1", liveFamily, userId, now - 100, now + 3600, now - 50, null);
        insert(token, "live-2", liveFamily, userId, now - 50, now + 3600, null, null);
        insert(token, "revoked-1", revokedFamily, userId, now - 40, now + 3600, null, now - 10);
      }
    }

    try (TestNode upgraded = TestNode.start(Map.of("DB_PATH", db.toString()))) {
      JsonObject refreshed = JSendAssert.success(upgraded.api().post("/api/refresh",
        new JsonObject().put("refreshToken", "live-2-token")));
      assertThat(Jwts.claim(refreshed.getString("accessToken"), "sid")).isEqualTo(liveFamily);
      JsonArray sessions = JSendAssert.success(upgraded.api().get("/api/user/sessions", refreshed.getString("accessToken")))
        .getJsonArray("sessions");
      assertThat(sessions).hasSize(1);
      assertThat(sessions.getJsonObject(0).getString("id")).isEqualTo(liveFamily);
      assertThat(sessions.getJsonObject(0).getValue("userAgent")).isNull();
      assertThat(sessions.getJsonObject(0).getBoolean("current")).isTrue();
      JSendAssert.fail(upgraded.api().post("/api/refresh", new JsonObject().put("refreshToken", "revoked-1-token")),
        401, "invalid_token");
      // the migrated session still detects reuse: its used token ends it
      JSendAssert.fail(upgraded.api().post("/api/refresh", new JsonObject().put("refreshToken", "used-1-token")),
        401, "invalid_token");
      JSendAssert.fail(upgraded.api().get("/api/user", refreshed.getString("accessToken")), 401, "unauthorized");
    }
  }

  private static void insert(PreparedStatement statement, String token, String family, String userId, long issuedAt,
                             long expiresAt, Long usedAt, Long revokedAt) throws Exception {
    statement.setString(1, RefreshTokens.hash(token + "-token"));
    statement.setString(2, family);
    statement.setString(3, userId);
    statement.setLong(4, issuedAt);
    statement.setLong(5, expiresAt);
    statement.setObject(6, usedAt);
    statement.setObject(7, revokedAt);
    statement.executeUpdate();
  }
}
