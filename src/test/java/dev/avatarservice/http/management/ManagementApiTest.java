package dev.avatarservice.http.management;

import dev.avatarservice.config.PortInUseException;
import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The management listener and the admin API, through real nodes. */
class ManagementApiTest {

  static final String ADMIN_TOKEN = "admin-token-admin-token-admin-token-0123";

  /** A node with a management listener on a free port and the admin API on. */
  static TestNode adminNode(Map<String, Object> more) throws IOException {
    Map<String, Object> overrides = new java.util.HashMap<>(Map.of("MANAGEMENT_PORT", TestNode.freePort(),
      "ADMIN_TOKEN", ADMIN_TOKEN, "BACKUP_DIR", Files.createTempDirectory("backups").toString()));
    overrides.putAll(more);
    return TestNode.start(overrides);
  }

  static HttpRequest<Buffer> admin(TestNode node, io.vertx.core.http.HttpMethod method, String path) {
    return management(node).request(method, path).bearerTokenAuthentication(ADMIN_TOKEN);
  }

  static WebClient management(TestNode node) {
    return WebClient.create(node.vertx(), new io.vertx.ext.web.client.WebClientOptions()
      .setDefaultHost("127.0.0.1").setDefaultPort(node.settings().management().port()));
  }

  @Test
  void metricsAreOnTheManagementListenerAndOffThePublicPortWhenAsked() throws IOException {
    try (TestNode node = adminNode(Map.of("METRICS_PUBLIC", false))) {
      HttpResponse<Buffer> scraped = management(node).get("/metrics").send().await();
      assertThat(scraped.statusCode()).isEqualTo(200);
      assertThat(scraped.bodyAsString()).contains("jvm_memory_used_bytes");
      HttpResponse<Buffer> publicMetrics = node.client().get("/metrics").send().await();
      assertThat(publicMetrics.statusCode()).isEqualTo(404);
      // and the admin API is never on the public port
      assertThat(node.client().get("/admin/users").bearerTokenAuthentication(ADMIN_TOKEN).send().await().statusCode())
        .isEqualTo(404);
    }
    try (TestNode node = adminNode(Map.of())) {
      assertThat(node.client().get("/metrics").send().await().statusCode()).isEqualTo(200);
    }
  }

  /** /info: what the build wrote in, not text typed by hand, and when this node started. */
  @Test
  void infoSaysWhatIsRunning() throws Exception {
    java.time.Instant before = java.time.Instant.now();
    try (TestNode node = TestNode.start()) {
      HttpResponse<Buffer> response = node.client().get("/info").send().await();
      assertThat(response.statusCode()).isEqualTo(200);
      JsonObject data = response.bodyAsJsonObject().getJsonObject("data");
      java.util.Properties build = new java.util.Properties();
      try (var in = getClass().getResourceAsStream("/build-info.properties")) {
        build.load(in);
      }
      assertThat(data.getString("name")).isEqualTo("avatar-service");
      assertThat(data.getString("version")).isEqualTo(build.getProperty("version")).doesNotContain("${");
      assertThat(data.getString("commit")).matches("[0-9a-f]{7,40}|unknown");
      assertThat(java.time.Instant.parse(data.getString("startedAt")))
        .isBetween(before.minusSeconds(1), java.time.Instant.now());
    }
  }

  @Test
  void withoutAdminTokenTheAdminRoutesDoNotExist() throws IOException {
    try (TestNode node = TestNode.start(Map.of("MANAGEMENT_PORT", TestNode.freePort()))) {
      HttpResponse<Buffer> response = admin(node, io.vertx.core.http.HttpMethod.GET, "/admin/users").send().await();
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(response.bodyAsJsonObject().getString("status")).isEqualTo("fail");
      assertThat(management(node).get("/metrics").send().await().statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aWrongOrMissingTokenIs401() throws IOException {
    try (TestNode node = adminNode(Map.of())) {
      WebClient client = management(node);
      HttpResponse<Buffer> none = client.get("/admin/users").send().await();
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.getHeader("WWW-Authenticate")).startsWith("Bearer");
      for (String wrong : new String[] {ADMIN_TOKEN + "x", ADMIN_TOKEN.substring(1), "short", TestNode.JWT_SECRET}) {
        HttpResponse<Buffer> refused = client.get("/admin/users").bearerTokenAuthentication(wrong).send().await();
        assertThat(refused.statusCode()).as(wrong).isEqualTo(401);
        assertThat(refused.bodyAsJsonObject().getJsonObject("data").getString("code")).isEqualTo("invalid_token");
      }
      // a user's own access token is no admin token
      String userToken = node.api().register("not-an-admin").getString("accessToken");
      assertThat(client.get("/admin/users").bearerTokenAuthentication(userToken).send().await().statusCode()).isEqualTo(401);
    }
  }

  @Test
  void usersAreListedByPrefixAPageAtATime() throws IOException {
    try (TestNode node = adminNode(Map.of())) {
      ApiClient api = node.api();
      List<String> ids = new ArrayList<>();
      for (String name : new String[] {"Pager-c", "pager-a", "PAGER-b", "pager-e", "pager-d", "other-1"}) {
        ids.add(api.register(name).getJsonObject("user").getString("id"));
      }
      List<String> seen = new ArrayList<>();
      String after = null;
      int pages = 0;
      do {
        HttpResponse<Buffer> page = admin(node, io.vertx.core.http.HttpMethod.GET,
          "/admin/users?q=pAgEr&limit=2" + (after == null ? "" : "&after=" + after)).send().await();
        assertThat(page.statusCode()).isEqualTo(200);
        JsonObject data = page.bodyAsJsonObject().getJsonObject("data");
        JsonArray users = data.getJsonArray("users");
        assertThat(users.size()).isLessThanOrEqualTo(2);
        users.forEach(user -> seen.add(((JsonObject) user).getString("identifier")));
        after = data.getString("next");
        pages++;
      } while (after != null);
      assertThat(seen).containsExactly("pager-a", "PAGER-b", "Pager-c", "pager-d", "pager-e");
      assertThat(pages).isEqualTo(3);

      JsonObject all = admin(node, io.vertx.core.http.HttpMethod.GET, "/admin/users").send().await()
        .bodyAsJsonObject().getJsonObject("data");
      assertThat(all.getJsonArray("users")).hasSize(6);
      assertThat(all.getValue("next")).isNull();

      HttpResponse<Buffer> badLimit = admin(node, io.vertx.core.http.HttpMethod.GET, "/admin/users?limit=0").send().await();
      assertThat(badLimit.statusCode()).isEqualTo(400);
      assertThat(badLimit.bodyAsJsonObject().getJsonObject("data").getString("limit")).isNotBlank();

      HttpResponse<Buffer> one = admin(node, io.vertx.core.http.HttpMethod.GET, "/admin/users/" + ids.get(1)).send().await();
      assertThat(one.statusCode()).isEqualTo(200);
      assertThat(one.bodyAsJsonObject().getJsonObject("data").getString("identifier")).isEqualTo("pager-a");
      for (String missing : new String[] {"00000000-0000-4000-8000-000000000000", "not-a-uuid"}) {
        HttpResponse<Buffer> notFound = admin(node, io.vertx.core.http.HttpMethod.GET, "/admin/users/" + missing).send().await();
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(notFound.bodyAsJsonObject().getJsonObject("data").getString("code")).isEqualTo("user_not_found");
      }
    }
  }

  @Test
  void deletingAUserIsTheUsersOwnDeletion() throws IOException {
    try (TestNode node = adminNode(Map.of())) {
      JsonObject tokens = node.api().register("to-be-deleted");
      String access = tokens.getString("accessToken");
      String id = tokens.getJsonObject("user").getString("id");
      HttpResponse<Buffer> uploaded = node.client().post("/api/user/avatar").bearerTokenAuthentication(access)
        .putHeader("Content-Type", "image/png").sendBuffer(Buffer.buffer(png())).await();
      String avatarPath = URI.create(uploaded.bodyAsJsonObject().getJsonObject("data").getString("avatarUrl")).getPath();
      assertThat(node.client().get(avatarPath).send().await().statusCode()).isEqualTo(200);

      HttpResponse<Buffer> deleted = admin(node, io.vertx.core.http.HttpMethod.DELETE, "/admin/users/" + id).send().await();
      assertThat(deleted.statusCode()).isEqualTo(200);
      assertThat(deleted.bodyAsJsonObject().getValue("data")).isNull();

      assertThat(node.api().get("/api/user", access).statusCode()).isEqualTo(401);
      assertThat(node.api().post("/api/refresh", new JsonObject().put("refreshToken", tokens.getString("refreshToken")))
        .statusCode()).isEqualTo(401);
      assertThat(node.client().get(avatarPath).send().await().statusCode()).isEqualTo(404);
      try (var files = Files.list(node.avatarsDir())) {
        assertThat(files.filter(file -> file.toString().endsWith(".png"))).isEmpty();
      }
      assertThat(admin(node, io.vertx.core.http.HttpMethod.DELETE, "/admin/users/" + id).send().await().statusCode())
        .isEqualTo(404);
      // the identifier is free again
      assertThat(node.api().register("to-be-deleted").getJsonObject("user").getString("id")).isNotEqualTo(id);
    }
  }

  @Test
  void loggingOutEverywhereEndsEverySession() throws IOException {
    try (TestNode node = adminNode(Map.of())) {
      JsonObject first = node.api().register("logged-out");
      JsonObject second = node.api().login("logged-out", ApiClient.PASSWORD);
      String id = first.getJsonObject("user").getString("id");
      HttpResponse<Buffer> out = admin(node, io.vertx.core.http.HttpMethod.DELETE, "/admin/users/" + id + "/sessions")
        .send().await();
      assertThat(out.statusCode()).isEqualTo(200);
      assertThat(out.bodyAsJsonObject().getJsonObject("data").getInteger("endedSessions")).isEqualTo(2);
      for (JsonObject tokens : List.of(first, second)) {
        assertThat(node.api().post("/api/refresh", new JsonObject().put("refreshToken", tokens.getString("refreshToken")))
          .statusCode()).isEqualTo(401);
        // the access tokens too, at once, long before they expire
        assertThat(node.client().get("/api/user").bearerTokenAuthentication(tokens.getString("accessToken")).send().await()
          .statusCode()).isEqualTo(401);
      }
      // a new login still works: the account is untouched
      assertThat(node.api().login("logged-out", ApiClient.PASSWORD).getString("accessToken")).isNotBlank();
      assertThat(admin(node, io.vertx.core.http.HttpMethod.DELETE,
        "/admin/users/00000000-0000-4000-8000-000000000000/sessions").send().await().statusCode()).isEqualTo(404);
    }
  }

  @Test
  void twoNodesRunSideBySideAndAPortInUseIsNamed() throws IOException {
    try (TestNode first = adminNode(Map.of()); TestNode second = adminNode(Map.of())) {
      assertThat(management(first).get("/metrics").send().await().statusCode()).isEqualTo(200);
      assertThat(management(second).get("/metrics").send().await().statusCode()).isEqualTo(200);
    }
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> TestNode.start(Map.of("MANAGEMENT_PORT", port)))
        .isInstanceOf(PortInUseException.class)
        .hasMessageStartingWith("MANAGEMENT_PORT=" + port + ": port " + port + " on 127.0.0.1 is already in use");
      assertThatThrownBy(() -> TestNode.start(Map.of("HTTP_PORT", port)))
        .isInstanceOf(PortInUseException.class)
        .hasMessageStartingWith("HTTP_PORT=" + port + ":");
    }
  }

  /** The clustered event bus's port is a listener too: named like the others. */
  @Test
  void aTakenEventBusPortIsNamed() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      dev.avatarservice.support.TestCluster cluster = new dev.avatarservice.support.TestCluster(1);
      assertThatThrownBy(() -> TestNode.startClustered(cluster.member(0, Map.of("CLUSTER_BUS_PORT", port))))
        .isInstanceOf(PortInUseException.class)
        .hasMessageStartingWith("CLUSTER_BUS_PORT=" + port + ":");
    }
  }

  static byte[] png() throws IOException {
    BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    image.setRGB(1, 1, 0xff0000);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

}
