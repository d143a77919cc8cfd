package dev.avatarservice.http.management;

import dev.avatarservice.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backups taken while avatars are uploaded, replaced and removed: each backup's database
 * names only avatar files its folder holds, its folder holds no file its database does not name,
 * and no account that had an avatar all along lost it in the copy (a replaced file deleted between
 * the copy of the database and the copy of the files would have been).
 */
class BackupUnderLoadTest {

  @Test
  void everyBackupIsConsistentWhileAvatarsChange() throws Exception {
    Path data = Files.createTempDirectory("backup-load");
    Map<String, Object> config = new HashMap<>(Map.of("DB_PATH", data.resolve("db.sqlite").toString(),
      "AVATARS_DIR", data.resolve("avatars").toString(), "ADMIN_TOKEN", ManagementApiTest.ADMIN_TOKEN,
      "BACKUP_DIR", data.resolve("backups").toString(), "MANAGEMENT_PORT", TestNode.freePort(),
      "AVATAR_UPLOADS_PER_MINUTE", 100_000));
    try (TestNode node = TestNode.start(config)) {
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        tokens.add(node.api().register("busy-" + i).getString("accessToken"));
      }
      byte[] png = ManagementApiTest.png();
      for (String token : tokens) {
        assertThat(node.client().post("/api/user/avatar").bearerTokenAuthentication(token)
          .putHeader("Content-Type", "image/png").sendBuffer(Buffer.buffer(png)).await().statusCode()).isEqualTo(200);
      }
      AtomicBoolean running = new AtomicBoolean(true);
      List<Future<?>> writers = new ArrayList<>();
      for (int i = 0; i < tokens.size(); i++) {
        String token = tokens.get(i);
        boolean deletes = i == tokens.size() - 1;
        writers.add(loop(node, token, png, running, deletes));
      }
      List<JsonObject> backups = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        HttpResponse<Buffer> backup = ManagementApiTest.admin(node, HttpMethod.POST, "/admin/backup").send().await();
        assertThat(backup.statusCode()).as(backup.bodyAsString()).isEqualTo(200);
        backups.add(backup.bodyAsJsonObject().getJsonObject("data"));
      }
      running.set(false);
      Future.join(writers).await();
      for (JsonObject backup : backups) {
        List<String> named = new ArrayList<>();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + backup.getString("database"));
             ResultSet rows = db.createStatement().executeQuery("SELECT avatar_file FROM users WHERE avatar_file IS NOT NULL")) {
          while (rows.next()) {
            named.add(rows.getString(1));
          }
        }
        List<String> held;
        try (var files = Files.list(Path.of(backup.getString("avatars")))) {
          held = files.map(file -> file.getFileName().toString()).toList();
        }
        assertThat(held).as(backup.getString("directory")).containsExactlyInAnyOrderElementsOf(named);
        // the five accounts that always have an avatar (only replaced, never removed) have it in every backup
        assertThat(named).hasSizeGreaterThanOrEqualTo(tokens.size() - 1);
        assertThat(backup.getInteger("avatarFiles")).isEqualTo(named.size());
      }
    }
  }

  /** Uploads again and again (the last writer also removes its avatar in between) until told to stop. */
  private static Future<Void> loop(TestNode node, String token, byte[] png, AtomicBoolean running, boolean removes) {
    if (!running.get()) {
      return Future.succeededFuture();
    }
    Future<?> step = node.client().post("/api/user/avatar").bearerTokenAuthentication(token)
      .putHeader("Content-Type", "image/png").sendBuffer(Buffer.buffer(png));
    if (removes) {
      step = step.compose(done -> node.client().delete("/api/user/avatar").bearerTokenAuthentication(token).send());
    }
    return step.compose(done -> loop(node, token, png, running, removes));
  }
}
