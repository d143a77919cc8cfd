package dev.avatarservice.http.management;

import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The restore procedure of the README, end to end: an online backup of a node that keeps serving,
 * the data lost, the node stopped, the backup copied back, the node started again: every account
 * logs in and every avatar answers with the same bytes.
 */
class BackupRestoreTest {

  @Test
  void aBackupCopiedBackRestoresEveryAccountAndAvatar() throws IOException {
    Path data = Files.createTempDirectory("restore-data");
    Path database = data.resolve("avatar-service.db");
    Path avatars = data.resolve("avatars");
    Path backups = data.resolve("backups");
    Map<String, Object> config = new HashMap<>(Map.of("DB_PATH", database.toString(), "AVATARS_DIR", avatars.toString(),
      "ADMIN_TOKEN", ManagementApiTest.ADMIN_TOKEN, "BACKUP_DIR", backups.toString()));

    Map<String, byte[]> avatarBytes = new LinkedHashMap<>();
    JsonObject written;
    config.put("MANAGEMENT_PORT", TestNode.freePort());
    try (TestNode node = TestNode.start(config)) {
      ApiClient api = node.api();
      for (int i = 0; i < 5; i++) {
        JsonObject tokens = api.register("restored-" + i);
        if (i % 2 == 0) {
          HttpResponse<Buffer> uploaded = node.client().post("/api/user/avatar")
            .bearerTokenAuthentication(tokens.getString("accessToken"))
            .putHeader("Content-Type", "image/png").sendBuffer(Buffer.buffer(ManagementApiTest.png())).await();
          String path = URI.create(uploaded.bodyAsJsonObject().getJsonObject("data").getString("avatarUrl")).getPath();
          avatarBytes.put("restored-" + i, node.client().get(path).send().await().body().getBytes());
        }
      }
      HttpResponse<Buffer> backup = ManagementApiTest.admin(node, HttpMethod.POST, "/admin/backup").send().await();
      assertThat(backup.statusCode()).as(backup.bodyAsString()).isEqualTo(200);
      written = backup.bodyAsJsonObject().getJsonObject("data");
      assertThat(written.getInteger("users")).isEqualTo(5);
      assertThat(written.getInteger("avatarFiles")).isEqualTo(3);
      // written after the backup: not in it
      api.register("after-the-backup");
    }

    // the data is lost
    deleteTree(avatars);
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      Files.deleteIfExists(Path.of(database + suffix));
    }

    // restore: the node is stopped; copy the backup back; start
    Files.copy(Path.of(written.getString("database")), database);
    Files.createDirectories(avatars);
    try (Stream<Path> files = Files.list(Path.of(written.getString("avatars")))) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.copy(file, avatars.resolve(file.getFileName()));
      }
    }
    config.put("MANAGEMENT_PORT", TestNode.freePort());
    try (TestNode node = TestNode.start(config)) {
      ApiClient api = node.api();
      for (int i = 0; i < 5; i++) {
        JsonObject user = api.login("restored-" + i, ApiClient.PASSWORD).getJsonObject("user");
        String url = user.getString("avatarUrl");
        if (avatarBytes.containsKey("restored-" + i)) {
          HttpResponse<Buffer> avatar = node.client().get(URI.create(url).getPath()).send().await();
          assertThat(avatar.statusCode()).isEqualTo(200);
          assertThat(avatar.body().getBytes()).isEqualTo(avatarBytes.get("restored-" + i));
        } else {
          assertThat(url).isNull();
        }
      }
      assertThat(api.post("/api/login", new JsonObject().put("identifier", "after-the-backup")
        .put("password", ApiClient.PASSWORD)).statusCode()).isEqualTo(401);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
