package dev.avatarservice.http;

import dev.avatarservice.bus.EventAddress;
import dev.avatarservice.bus.Events;
import dev.avatarservice.http.realtime.TestSocket;
import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.OpenApiContract;
import dev.avatarservice.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import static dev.avatarservice.http.realtime.TestSocket.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code DELETE /api/user} (and {@code DELETE /user}) through the real server: every consequence
 * the contract promises once it answered 200, observed over HTTP and WebSocket.
 */
@Timeout(60)
class AccountDeletionApiTest {

  private static TestNode node;
  private static ApiClient api;
  private static Vertx clientVertx;
  private static WebSocketClient sockets;
  private static OpenApiContract contract;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("AVATAR_UPLOADS_PER_MINUTE", 1000));
    api = node.api();
    clientVertx = Vertx.vertx();
    sockets = clientVertx.createWebSocketClient();
    contract = OpenApiContract.get();
  }

  @AfterAll
  static void stop() {
    clientVertx.close().await();
    node.close();
  }

  @Test
  void afterThe200EverythingOfTheAccountIsGoneAndItsSocketsWereClosedBefore() {
    JsonObject registered = api.register("del-alice@example.com");
    String userId = registered.getJsonObject("user").getString("id");
    JsonObject secondLogin = api.login("del-alice@example.com", ApiClient.PASSWORD);
    JsonObject refreshed = JSendAssert.success(api.post("/api/refresh",
      new JsonObject().put("refreshToken", secondLogin.getString("refreshToken"))));
    List<String> accessTokens = List.of(registered.getString("accessToken"), secondLogin.getString("accessToken"),
      refreshed.getString("accessToken"));
    List<String> refreshTokens = List.of(registered.getString("refreshToken"), secondLogin.getString("refreshToken"),
      refreshed.getString("refreshToken"));
    String avatarUrl = JSendAssert.success(upload(accessTokens.get(0))).getString("avatarUrl");
    Path avatarFile = node.avatarsDir().resolve(fileName(avatarUrl));
    assertThat(avatarFile).exists();

    // three sockets of the user: authenticated at the handshake, by first message on the alias, SockJS
    TestSocket plain = TestSocket.open(sockets, node.port(), "/ws", TestSocket.Mode.PLAIN, bearer(accessTokens.get(1)));
    plain.next("ready");
    TestSocket alias = TestSocket.open(sockets, node.port(), "/ws/avatar");
    alias.authenticate(accessTokens.get(2));
    TestSocket sockJs = TestSocket.open(sockets, node.port(), sockJsPath());
    sockJs.authenticate(accessTokens.get(0));
    // and one of someone else, which must not notice anything
    JsonObject bob = api.register("del-bob@example.com");
    TestSocket bystander = TestSocket.open(sockets, node.port(), "/ws", TestSocket.Mode.PLAIN,
      bearer(bob.getString("accessToken")));
    bystander.next("ready");

    HttpResponse<Buffer> deleted = delete("/api/user", accessTokens.get(0));
    long answeredAt = System.nanoTime();

    assertThat(deleted.statusCode()).as(deleted.bodyAsString()).isEqualTo(200);
    assertThat(JSendAssert.success(deleted)).isNull();
    assertThat(deleted.bodyAsJsonObject().containsKey("data")).isTrue();
    contract.assertConforms("deleteUser", deleted);

    // every socket had received user.deleted and the 4410 close when the answer arrived
    for (TestSocket socket : List.of(plain, alias, sockJs)) {
      assertThat(socket.next()).isEqualTo(Events.userDeleted(userId));
      assertThat(socket.lastArrivalNanos()).isLessThanOrEqualTo(answeredAt);
      TestSocket.Closed closed = socket.awaitClose();
      assertThat(closed.code()).isEqualTo(4410);
      assertThat(closed.reason()).isEqualTo("account deleted");
      assertThat(closed.atNanos()).as("closed before the 200 arrived").isLessThanOrEqualTo(answeredAt);
    }
    bystander.assertNothingElseArrived();
    assertThat(bystander.isClosed()).isFalse();

    assertEveryTokenIsRefused(accessTokens, refreshTokens);

    // the avatar: its URL answers 404 and the folder no longer has the file
    assertThat(node.client().get(URI.create(avatarUrl).getPath()).send().await().statusCode()).isEqualTo(404);
    assertThat(avatarFile).doesNotExist();

    // the identifier is free again, for a new account with a new id that none of the old tokens opens
    JsonObject again = api.register("del-alice@example.com");
    assertThat(again.getJsonObject("user").getString("id")).isNotEqualTo(userId);
    assertThat(again.getJsonObject("user").getValue("avatarUrl")).isNull();
    assertEveryTokenIsRefused(accessTokens, refreshTokens);
    assertThat(JSendAssert.success(api.get("/api/user", again.getString("accessToken"))).getString("id"))
      .isEqualTo(again.getJsonObject("user").getString("id"));

    bystander.close();
  }

  /** Every route, the socket handshake and the first-message auth, and both refresh endpoints. */
  private static void assertEveryTokenIsRefused(List<String> accessTokens, List<String> refreshTokens) {
    for (String token : accessTokens) {
      JSendAssert.fail(api.get("/api/user", token), 401, "unauthorized");
      JSendAssert.fail(api.get("/user", token), 401, "unauthorized");
      JSendAssert.fail(upload(token), 401, "unauthorized");
      JSendAssert.fail(delete("/api/user/avatar", token), 401, "unauthorized");
      HttpResponse<Buffer> again = delete("/api/user", token);
      JSendAssert.fail(again, 401, "unauthorized");
      contract.assertConforms("deleteUser", again);
      JSendAssert.fail(delete("/user", token), 401, "unauthorized");

      for (Map<String, String> header : List.of(bearer(token), Map.of("token", token))) {
        UpgradeRejectedException refused = TestSocket.refused(sockets, node.port(), "/ws", header);
        assertThat(refused.getStatus()).isEqualTo(401);
      }
      for (String path : List.of("/ws", sockJsPath())) {
        TestSocket socket = TestSocket.open(sockets, node.port(), path);
        socket.send(new JsonObject().put("type", "auth").put("token", token));
        assertThat(socket.awaitClose().code()).as(path).isEqualTo(4401);
      }
    }
    for (String refreshToken : refreshTokens) {
      JSendAssert.fail(api.post("/api/refresh", new JsonObject().put("refreshToken", refreshToken)), 401, "invalid_token");
      HttpResponse<Buffer> oauth = node.client().post("/oauth/token").sendForm(io.vertx.core.MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "refresh_token").add("refresh_token", refreshToken)).await();
      assertThat(oauth.statusCode()).isEqualTo(400);
      assertThat(oauth.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
    }
  }

  @Test
  void theFastApiAliasDeletesTheSameWay() {
    JsonObject registered = api.register("del-carol");
    String token = registered.getString("accessToken");
    String avatarUrl = JSendAssert.success(upload(token)).getString("avatarUrl");
    TestSocket socket = TestSocket.open(sockets, node.port(), "/ws/avatar", TestSocket.Mode.PLAIN, Map.of("token", token));
    socket.next("ready");

    HttpResponse<Buffer> deleted = delete("/user", token);
    long answeredAt = System.nanoTime();

    assertThat(deleted.statusCode()).as(deleted.bodyAsString()).isEqualTo(200);
    assertThat(JSendAssert.success(deleted)).isNull();
    contract.assertConforms("deleteUserLegacy", deleted);
    assertThat(socket.next()).isEqualTo(Events.userDeleted(registered.getJsonObject("user").getString("id")));
    TestSocket.Closed closed = socket.awaitClose();
    assertThat(closed.code()).isEqualTo(4410);
    assertThat(closed.atNanos()).isLessThanOrEqualTo(answeredAt);
    assertThat(node.avatarsDir().resolve(fileName(avatarUrl))).doesNotExist();
    HttpResponse<Buffer> again = delete("/user", token);
    JSendAssert.fail(again, 401, "unauthorized");
    contract.assertConforms("deleteUserLegacy", again);
  }

  @Test
  void concurrentDeletionsWithOneTokenAnswer200OnceAnd401Otherwise() {
    String token = api.register("del-dave").getString("accessToken");

    List<Future<HttpResponse<Buffer>>> attempts = IntStream.range(0, 4)
      .mapToObj(i -> request(HttpMethod.DELETE, i % 2 == 0 ? "/api/user" : "/user", token).send())
      .toList();
    Future.join(attempts).await();

    List<Integer> statuses = attempts.stream().map(attempt -> attempt.result().statusCode()).sorted().toList();
    assertThat(statuses).containsExactly(200, 401, 401, 401);
  }

  /**
   * Uploads of the user fired together with the deletion, in whatever order the server takes
   * them: each upload lands before the deletion (and its file goes with the account) or finds no
   * account (401, and its file is deleted again). No account and no file of it is left.
   */
  @Test
  void uploadsRacingTheDeletionLeaveNeitherTheAccountNorAFile() {
    for (int round = 0; round < 3; round++) {
      Set<String> before = avatarFiles();
      String identifier = "del-racer-" + round;
      String token = api.register(identifier).getString("accessToken");
      JSendAssert.success(upload(token));

      List<Future<HttpResponse<Buffer>>> uploads = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        uploads.add(uploadAsync(token));
      }
      Future<HttpResponse<Buffer>> deletion = request(HttpMethod.DELETE, "/api/user", token).send();
      for (int i = 0; i < 3; i++) {
        uploads.add(uploadAsync(token));
      }
      Future.join(uploads).otherwiseEmpty().await();
      deletion.await();

      assertThat(deletion.result().statusCode()).as(deletion.result().bodyAsString()).isEqualTo(200);
      for (Future<HttpResponse<Buffer>> upload : uploads) {
        // 429: another upload of the account was in progress (one at a time per account)
        assertThat(upload.result().statusCode()).as(upload.result().bodyAsString()).isIn(200, 401, 429);
      }
      JSendAssert.fail(api.get("/api/user", token), 401, "unauthorized");
      JSendAssert.fail(api.post("/api/login", new JsonObject().put("identifier", identifier)
        .put("password", ApiClient.PASSWORD)), 401, "invalid_credentials");
      assertThat(avatarFiles()).as("round %d", round).isEqualTo(before);
    }
  }

  /**
   * A deletion that cannot delete the avatar file (here: a non-empty folder in its place) answers
   * 503 and keeps the account whole, tokens and sockets included; a retry finishes it.
   */
  @Test
  void aDeletionThatFailsKeepsTheAccountForARetry() throws IOException {
    JsonObject registered = api.register("del-gina");
    String token = registered.getString("accessToken");
    String file = fileName(JSendAssert.success(upload(token)).getString("avatarUrl"));
    Path stuck = node.avatarsDir().resolve(file);
    Files.delete(stuck);
    Files.createDirectory(stuck);
    Files.write(stuck.resolve("in-the-way"), new byte[] {1});
    TestSocket socket = TestSocket.open(sockets, node.port(), "/ws", TestSocket.Mode.PLAIN, bearer(token));
    socket.next("ready");

    HttpResponse<Buffer> failed = delete("/api/user", token);

    JSendAssert.error(failed, 503);
    assertThat(failed.getHeader("Retry-After")).isNotBlank();
    contract.assertConforms("deleteUser", failed);
    assertThat(JSendAssert.success(api.get("/api/user", token)).getString("id"))
      .isEqualTo(registered.getJsonObject("user").getString("id"));
    JSendAssert.success(api.post("/api/refresh", new JsonObject().put("refreshToken", registered.getString("refreshToken"))));
    socket.assertNothingElseArrived();

    Files.delete(stuck.resolve("in-the-way"));
    Files.delete(stuck);
    HttpResponse<Buffer> retried = delete("/api/user", token);
    assertThat(retried.statusCode()).as(retried.bodyAsString()).isEqualTo(200);
    assertThat(socket.next("user.deleted")).isNotNull();
    assertThat(socket.awaitClose().code()).isEqualTo(4410);
    JSendAssert.fail(api.get("/api/user", token), 401, "unauthorized");
  }

  /**
   * The confirmation: a listed notify node whose consumer is gone counts as done at once
   * (NO_HANDLERS); one that does not answer in time turns the 200 into a 202, the account being
   * gone all the same.
   */
  @Test
  void aNodeThatDoesNotConfirmInTimeTurnsThe200IntoA202() {
    long timeout = 400;
    try (TestNode small = TestNode.start(Map.of("DELETION_CONFIRM_TIMEOUT_MS", timeout))) {
      AsyncMap<String, Boolean> nodes = small.vertx().sharedData()
        .<String, Boolean>getAsyncMap(EventAddress.NOTIFY_NODES).await();
      assertThat(nodes.keys().await()).as("the node's own notify verticle").hasSize(1);

      // a node that crashed without taking its address out
      String crashed = EventAddress.notifyNode();
      nodes.put(crashed, Boolean.TRUE).await();
      JsonObject first = small.api().register("del-erin");
      TestSocket socket = TestSocket.open(sockets, small.port(), "/ws", TestSocket.Mode.PLAIN,
        bearer(first.getString("accessToken")));
      socket.next("ready");
      long started = System.nanoTime();
      HttpResponse<Buffer> confirmed = request(small, HttpMethod.DELETE, "/api/user", first.getString("accessToken")).send().await();
      assertThat(confirmed.statusCode()).as(confirmed.bodyAsString()).isEqualTo(200);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(timeout);
      assertThat(socket.next("user.deleted")).isNotNull();
      assertThat(socket.awaitClose().code()).isEqualTo(4410);

      // a node that is there but does not answer
      String silent = EventAddress.notifyNode();
      MessageConsumer<JsonObject> mute = small.vertx().eventBus().consumer(silent, message -> { });
      mute.completion().await();
      nodes.put(silent, Boolean.TRUE).await();
      JsonObject second = small.api().register("del-fred");
      String token = second.getString("accessToken");
      started = System.nanoTime();
      HttpResponse<Buffer> unconfirmed = request(small, HttpMethod.DELETE, "/api/user", token).send().await();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(timeout);

      assertThat(unconfirmed.statusCode()).as(unconfirmed.bodyAsString()).isEqualTo(202);
      assertThat(JSendAssert.success(unconfirmed)).isNull();
      contract.assertConforms("deleteUser", unconfirmed);
      JSendAssert.fail(small.api().get("/api/user", token), 401, "unauthorized");
      JSendAssert.fail(request(small, HttpMethod.DELETE, "/api/user", token).send().await(), 401, "unauthorized");
      mute.unregister().await();
    }
  }

  // --- helpers

  private static String sockJsPath() {
    return "/sockjs/000/" + UUID.randomUUID().toString().replace("-", "") + "/websocket";
  }

  private static HttpRequest<Buffer> request(HttpMethod method, String path, String token) {
    return request(node, method, path, token);
  }

  private static HttpRequest<Buffer> request(TestNode target, HttpMethod method, String path, String token) {
    return target.client().request(method, path).bearerTokenAuthentication(token);
  }

  private static HttpResponse<Buffer> delete(String path, String token) {
    return request(HttpMethod.DELETE, path, token).send().await();
  }

  private static HttpResponse<Buffer> upload(String token) {
    return uploadAsync(token).await();
  }

  private static Future<HttpResponse<Buffer>> uploadAsync(String token) {
    return request(HttpMethod.POST, "/api/user/avatar", token).putHeader("Content-Type", "image/png").sendBuffer(png());
  }

  private static Buffer png() {
    BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(out.toByteArray());
  }

  private static String fileName(String avatarUrl) {
    return avatarUrl.substring(avatarUrl.lastIndexOf('/') + 1);
  }

  private static Set<String> avatarFiles() {
    try (Stream<Path> files = Files.list(node.avatarsDir())) {
      return files.map(file -> file.getFileName().toString()).collect(Collectors.toSet());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
