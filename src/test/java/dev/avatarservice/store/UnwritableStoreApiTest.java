package dev.avatarservice.store;

import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A database, or an avatar folder, that cannot be written: every write is answered {@code 503}
 * (JSend error, {@code Retry-After}), what needs no write keeps working (the account, the avatar
 * files, {@code /health} and {@code /ready}), a failed write changes nothing (a refresh token that
 * got 503 still works), and the node recovers by itself once the cause is gone. On a file database
 * in a temporary folder, as in production. A read-only or full database cannot be made so here
 * without mounting file systems (root ignores permissions, and SQLite writes through the file it
 * already has open): {@code StoreErrorsTest} checks that SQLite's read-only, full and I/O errors take
 * the same path as the lock, and {@code bench/unwritable.sh} runs the real thing on a small tmpfs.
 */
@Timeout(120)
class UnwritableStoreApiTest {

  private static final int BUSY_TIMEOUT_MS = 300;

  @TempDir
  Path dir;
  private Path database;
  private Path avatars;
  private TestNode node;
  private ApiClient api;
  /** Registered, with an avatar, before the trouble starts. */
  private JsonObject alice;
  private String aliceAvatar;

  @BeforeEach
  void start() {
    database = dir.resolve("db").resolve("avatar-service.db");
    avatars = dir.resolve("avatars");
    node = TestNode.start(Map.of("DB_PATH", database.toString(), "AVATARS_DIR", avatars.toString(),
      "DB_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS, "STORE_TIMEOUT_MS", 10_000));
    api = node.api();
    alice = api.register("alice@example.com");
    aliceAvatar = upload(alice.getString("accessToken")).getString("avatarUrl");
  }

  @AfterEach
  void stop() {
    node.close();
  }

  @Test
  void aDatabaseLockedByAnotherProcessRefusesWritesWith503ServesReadsAndRecovers() throws Exception {
    JsonObject bob = api.register("bob@example.com");
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + database)) {
      try (Statement statement = other.createStatement()) {
        statement.execute("BEGIN EXCLUSIVE");
      }

      assertWritesRefusedAndReadsServed(bob);
      assertThat(avatarFiles()).as("a refused upload leaves no file behind").hasSize(1);

      try (Statement statement = other.createStatement()) {
        statement.execute("ROLLBACK");
      }
    }
    assertWritesWork(bob);
  }

  /**
   * An avatar folder that cannot be written: by its permissions, which root ignores (tests often run
   * as root), so this case is skipped there; {@link #anAvatarFolderThatIsGoneRefusesUploadsWith503AndRecovers}
   * covers the same path in a way root cannot bypass.
   */
  @Test
  void aReadOnlyAvatarFolderRefusesUploadsWith503AndRecovers() throws Exception {
    Files.setPosixFilePermissions(avatars, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assumeFalse(canCreateFileIn(avatars),
        "this process writes into a folder without write permission (it runs as root): chmod cannot make the folder read-only");
      assertUploadRefused();
    } finally {
      Files.setPosixFilePermissions(avatars, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    upload(alice.getString("accessToken"));
  }

  /** The avatar folder replaced by a plain file (a volume gone, a bad mount): uploads answer 503. */
  @Test
  void anAvatarFolderThatIsGoneRefusesUploadsWith503AndRecovers() throws Exception {
    Path away = dir.resolve("avatars-away");
    Files.move(avatars, away, StandardCopyOption.ATOMIC_MOVE);
    Files.writeString(avatars, "not a folder");
    try {
      assertUploadRefused();
    } finally {
      Files.delete(avatars);
      Files.move(away, avatars, StandardCopyOption.ATOMIC_MOVE);
    }
    String url = upload(alice.getString("accessToken")).getString("avatarUrl");
    assertThat(node.client().get(path(url)).send().await().statusCode()).isEqualTo(200);
  }

  private void assertWritesRefusedAndReadsServed(JsonObject bob) {
    unavailable(api.post("/api/register", credentials("carol@example.com")));
    unavailable(api.post("/api/login", credentials("alice@example.com")));
    unavailable(api.post("/api/refresh", new JsonObject().put("refreshToken", bob.getString("refreshToken"))));
    unavailable(uploadResponse(alice.getString("accessToken")));
    unavailable(node.client().delete("/api/user/avatar").bearerTokenAuthentication(alice.getString("accessToken"))
      .send().await());

    JsonObject user = JSendAssert.success(api.get("/api/user", alice.getString("accessToken")));
    assertThat(user.getString("avatarUrl")).isEqualTo(aliceAvatar);
    assertThat(node.client().get(path(aliceAvatar)).send().await().statusCode()).isEqualTo(200);
    assertThat(node.client().get("/health").send().await().statusCode()).isEqualTo(200);
    HttpResponse<Buffer> ready = node.client().get("/ready").send().await();
    assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
  }

  private void assertWritesWork(JsonObject bob) {
    api.register("carol@example.com");
    api.login("alice@example.com", ApiClient.PASSWORD);
    // the refresh that was refused rotated nothing: the same token works now
    JSendAssert.success(api.post("/api/refresh", new JsonObject().put("refreshToken", bob.getString("refreshToken"))));
    upload(alice.getString("accessToken"));
  }

  private void assertUploadRefused() throws IOException {
    List<Path> before = avatarFiles();
    unavailable(uploadResponse(alice.getString("accessToken")));
    assertThat(avatarFiles()).isEqualTo(before);
    JsonObject user = JSendAssert.success(api.get("/api/user", alice.getString("accessToken")));
    assertThat(user.getString("avatarUrl")).isEqualTo(aliceAvatar);
  }

  private static void unavailable(HttpResponse<Buffer> response) {
    JSendAssert.error(response, 503);
    assertThat(response.getHeader("Retry-After")).isEqualTo("5");
  }

  private JsonObject upload(String token) {
    return JSendAssert.success(uploadResponse(token));
  }

  private HttpResponse<Buffer> uploadResponse(String token) {
    return node.client().post("/api/user/avatar").bearerTokenAuthentication(token)
      .putHeader("Content-Type", "image/png").sendBuffer(Buffer.buffer(smallPng())).await();
  }

  private List<Path> avatarFiles() throws IOException {
    if (!Files.isDirectory(avatars)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(avatars)) {
      return files.sorted().toList();
    }
  }

  private static boolean canCreateFileIn(Path folder) {
    try {
      Files.delete(Files.createTempFile(folder, "probe", ".tmp"));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private String path(String url) {
    return url.substring(node.baseUrl().length());
  }

  private static JsonObject credentials(String identifier) {
    return new JsonObject().put("identifier", identifier).put("password", ApiClient.PASSWORD);
  }

  private static byte[] smallPng() {
    BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    image.setRGB(3, 3, 0xff0000);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
