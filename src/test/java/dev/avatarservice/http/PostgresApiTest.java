package dev.avatarservice.http;

import dev.avatarservice.image.TestImages;
import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.TestNode;
import dev.avatarservice.support.TestPostgres;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The account and avatar API through a real node on PostgreSQL (DB_URL), as a client sees it: the
 * store's behaviour that the SQLite API tests check, on the other database. The avatars are rows:
 * the node's avatar folder stays empty.
 */
class PostgresApiTest {

  private static TestNode node;
  private static ApiClient api;

  @BeforeAll
  static void start() {
    node = TestNode.start(TestPostgres.config());
    api = node.api();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void registrationLoginAndRotationWorkAndAReusedTokenEndsTheSession() {
    JsonObject registered = api.register("pg-ann");
    JSendAssert.fail(api.post("/api/register", new JsonObject().put("identifier", "PG-ANN").put("password", ApiClient.PASSWORD)),
      409, "identifier_taken");
    JsonObject login = api.login("pg-ann", ApiClient.PASSWORD);
    JsonObject rotated = JSendAssert.success(api.post("/api/refresh",
      new JsonObject().put("refreshToken", login.getString("refreshToken"))));
    assertThat(JSendAssert.success(api.get("/api/user", rotated.getString("accessToken"))).getString("id"))
      .isEqualTo(registered.getJsonObject("user").getString("id"));

    // the used token again: refused, and its session ended with it
    JSendAssert.fail(api.post("/api/refresh", new JsonObject().put("refreshToken", login.getString("refreshToken"))),
      401, "invalid_token");
    assertThat(api.get("/api/user", rotated.getString("accessToken")).statusCode()).isEqualTo(401);
    // the registration's own session is untouched
    assertThat(api.get("/api/user", registered.getString("accessToken")).statusCode()).isEqualTo(200);
  }

  @Test
  void anAvatarIsServedFromTheDatabaseAsFromTheFolderAndGoesWithItsAccount() throws Exception {
    JsonObject registered = api.register("pg-bea");
    String token = registered.getString("accessToken");
    byte[] png = TestImages.png(TestImages.halves(300, 200, BufferedImage.TYPE_INT_ARGB, Color.RED, new Color(0, 0, 255, 0)));
    HttpResponse<Buffer> uploaded = node.client().post("/api/user/avatar").bearerTokenAuthentication(token)
      .putHeader("Content-Type", "image/png").sendBuffer(Buffer.buffer(png)).await();
    String url = JSendAssert.success(uploaded).getString("avatarUrl");
    String path = url.substring(url.indexOf("/avatars/"));

    HttpResponse<Buffer> served = node.client().get(path).send().await();
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.getHeader("Content-Type")).isEqualTo("image/png");
    assertThat(served.getHeader("Cache-Control")).contains("immutable");
    String etag = served.getHeader("ETag");
    assertThat(etag).isNotBlank();
    assertThat(node.client().get(path).putHeader("If-None-Match", etag).send().await().statusCode()).isEqualTo(304);
    HttpResponse<Buffer> small = node.client().get(path + "?size=64").send().await();
    assertThat(small.statusCode()).isEqualTo(200);
    assertThat(small.body().length()).isLessThan(served.body().length());
    try (var files = java.nio.file.Files.list(node.avatarsDir())) {
      assertThat(files).as("no avatar file on PostgreSQL").isEmpty();
    }

    assertThat(node.client().delete("/api/user").bearerTokenAuthentication(token).send().await().statusCode()).isEqualTo(200);
    assertThat(node.client().get(path).send().await().statusCode()).isEqualTo(404);
  }

  @Test
  void aPasswordChangeEndsEveryOtherSession() {
    JsonObject registered = api.register("pg-cid");
    JsonObject other = api.login("pg-cid", ApiClient.PASSWORD);
    HttpResponse<Buffer> changed = node.client().put("/api/user/password")
      .bearerTokenAuthentication(registered.getString("accessToken"))
      .sendJsonObject(new JsonObject().put("currentPassword", ApiClient.PASSWORD).put("newPassword", "a-new-long-passphrase-77"))
      .await();
    assertThat(changed.statusCode()).as(changed.bodyAsString()).isEqualTo(200);
    assertThat(api.get("/api/user", other.getString("accessToken")).statusCode()).isEqualTo(401);
    JSendAssert.fail(api.post("/api/refresh", new JsonObject().put("refreshToken", other.getString("refreshToken"))),
      401, "invalid_token");
    api.login("pg-cid", "a-new-long-passphrase-77");
  }
}
