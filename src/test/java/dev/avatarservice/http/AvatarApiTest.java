package dev.avatarservice.http;

import dev.avatarservice.image.TestImages;
import dev.avatarservice.account.AccessTokens;
import dev.avatarservice.bus.EventAddress;
import dev.avatarservice.image.TestImages.GifFrame;
import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.RawHttp;
import dev.avatarservice.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Avatar upload, removal and serving through the real server, with images made in the test. */
@Timeout(30)
class AvatarApiTest {

  private static final String UPLOAD = "/api/user/avatar";
  private static final String ALIAS = "/avatar";
  private static final int SIX_MIB = 6 << 20;
  private static final AtomicInteger USERS = new AtomicInteger();

  private static TestNode node;
  private static ApiClient api;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("AVATAR_UPLOADS_PER_MINUTE", 1000));
    api = node.api();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  // ---- accepted uploads ----

  @Test
  void aPngInTheAvatarPartBecomesTheAvatarAndIsServed() {
    String token = newToken();
    byte[] png = TestImages.png(TestImages.halves(64, 48, BufferedImage.TYPE_INT_ARGB, Color.RED, new Color(0, 0, 255, 0)));

    JsonObject data = uploaded(uploadForm(UPLOAD, token, "avatar", "me.png", png, "image/png"));

    String url = data.getString("avatarUrl");
    assertThat(url).startsWith(node.baseUrl() + "/avatars/").matches(".*/avatars/[A-Za-z0-9_-]{22}\\.png")
      .doesNotContain("me.png");
    assertThat(JSendAssert.success(api.get("/api/user", token)).getString("avatarUrl")).isEqualTo(url);
    assertThat(files()).contains(fileOf(url));

    HttpResponse<Buffer> served = get(pathOf(url));
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.getHeader("Content-Type")).isEqualTo("image/png");
    assertThat(served.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(served.getHeader("Content-Security-Policy")).isEqualTo("default-src 'none'; sandbox");
    assertThat(served.getHeader("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
    assertThat(served.getHeader("ETag")).isEqualTo("\"" + fileOf(url).replace(".png", "") + "\"");
    BufferedImage avatar = TestImages.decode(served.body().getBytes());
    assertThat(avatar.getWidth()).isEqualTo(64);
    assertThat(avatar.getHeight()).isEqualTo(48);
    assertThat(avatar.getRGB(5, 5)).isEqualTo(0xFFFF0000);
    assertThat(avatar.getRGB(60, 5) >>> 24).as("transparency kept").isZero();
  }

  @Test
  void theFilePartTheRawBodyAndTheAliasAreAcceptedToo() {
    String token = newToken();
    byte[] jpeg = TestImages.jpeg(TestImages.solid(30, 20, BufferedImage.TYPE_INT_RGB, Color.GREEN));

    String viaFilePart = uploaded(uploadForm(ALIAS, token, "file", "a.jpg", jpeg, "image/jpeg")).getString("avatarUrl");
    String viaRawBody = uploaded(uploadRaw(UPLOAD, token, "image/jpeg", jpeg)).getString("avatarUrl");
    // The declared type does not decide: the bytes do.
    String viaRawAlias = uploaded(uploadRaw(ALIAS, token, "image/webp", jpeg)).getString("avatarUrl");

    assertThat(Set.of(viaFilePart, viaRawBody, viaRawAlias)).hasSize(3);
    assertThat(TestImages.decode(get(pathOf(viaRawAlias)).body().getBytes()).getWidth()).isEqualTo(30);
  }

  @Test
  void aJpegIsTurnedByItsExifOrientationAndLosesItsMetadata() {
    String token = newToken();
    byte[] jpeg = TestImages.jpegWithExif(
      TestImages.halves(200, 100, BufferedImage.TYPE_INT_RGB, Color.RED, Color.BLUE), 6, ByteOrder.BIG_ENDIAN);
    assertThat(new String(jpeg, StandardCharsets.ISO_8859_1)).contains("Exif");

    byte[] served = get(pathOf(uploaded(uploadRaw(UPLOAD, token, "image/jpeg", jpeg)).getString("avatarUrl"))).body().getBytes();

    BufferedImage avatar = TestImages.decode(served);
    assertThat(avatar.getWidth()).isEqualTo(100);
    assertThat(avatar.getHeight()).isEqualTo(200);
    // an opaque photo becomes a JPEG: JFIF header, tables, frame and scan, and nothing else
    assertThat(TestImages.jpegMarkers(served)).isNotEmpty()
      .allMatch(marker -> List.of(0xE0, 0xDB, 0xC0, 0xC4, 0xDA).contains(marker));
    assertThat(new String(served, StandardCharsets.ISO_8859_1)).doesNotContain("Exif").doesNotContain("GPS");
  }

  @Test
  void largeImagesAreScaledDownToFitAndSmallOnesAreNeverScaledUp() {
    String token = newToken();
    byte[] large = TestImages.png(TestImages.quadrants(2400, 1600, Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW));
    byte[] small = TestImages.png(TestImages.solid(40, 30, BufferedImage.TYPE_INT_RGB, Color.ORANGE));

    BufferedImage scaled = TestImages.decode(get(pathOf(uploaded(uploadRaw(UPLOAD, token, "image/png", large))
      .getString("avatarUrl"))).body().getBytes());
    BufferedImage kept = TestImages.decode(get(pathOf(uploaded(uploadRaw(UPLOAD, token, "image/png", small))
      .getString("avatarUrl"))).body().getBytes());

    assertThat(scaled.getWidth()).isEqualTo(512);
    assertThat(scaled.getHeight()).isBetween(341, 342);
    assertThat(kept.getWidth()).isEqualTo(40);
    assertThat(kept.getHeight()).isEqualTo(30);
  }

  @Test
  void anAnimatedGifKeepsItsFirstFrameAndWebpIsAccepted() {
    String token = newToken();
    byte[] gif = TestImages.gif(32, 24,
      new GifFrame(TestImages.solid(32, 24, BufferedImage.TYPE_INT_RGB, Color.RED), 0, 0),
      new GifFrame(TestImages.solid(32, 24, BufferedImage.TYPE_INT_RGB, Color.BLUE), 0, 0));

    BufferedImage fromGif = TestImages.decode(get(pathOf(uploaded(uploadForm(UPLOAD, token, "avatar", "a.gif", gif, "image/gif"))
      .getString("avatarUrl"))).body().getBytes());
    BufferedImage fromWebp = TestImages.decode(get(pathOf(uploaded(uploadRaw(UPLOAD, token, "image/webp", TestImages.WEBP_LOSSLESS_8X6))
      .getString("avatarUrl"))).body().getBytes());

    TestImages.assertColorNear(fromGif.getRGB(16, 12), 0xFFFF0000);
    assertThat(fromWebp.getWidth()).isEqualTo(8);
    assertThat(fromWebp.getHeight()).isEqualTo(6);
  }

  // ---- refused uploads ----

  @Test
  void contentThatIsNotASupportedImageIsRefusedAndChangesNothing() {
    String token = newToken();
    String before = uploaded(uploadRaw(UPLOAD, token, "image/png", smallPng())).getString("avatarUrl");
    Set<String> filesBefore = files();
    byte[] validPng = TestImages.png(TestImages.noise(64, 64, 7));

    JSendAssert.fail(uploadForm(UPLOAD, token, "avatar", "photo.png", utf8("just some text, honestly"), "image/png"),
      415, "unsupported_media_type");
    JSendAssert.fail(uploadRaw(UPLOAD, token, "image/png",
      utf8("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>")), 415, "unsupported_media_type");
    JSendAssert.fail(uploadRaw(UPLOAD, token, "image/png", utf8("<!DOCTYPE html><html><script>alert(1)</script></html>")),
      415, "unsupported_media_type");
    JSendAssert.fail(uploadForm(UPLOAD, token, "avatar", "a.bmp",
      TestImages.write(TestImages.solid(8, 8, BufferedImage.TYPE_INT_RGB, Color.RED), "bmp"), "image/bmp"),
      415, "unsupported_media_type");
    JSendAssert.fail(uploadRaw(UPLOAD, token, "image/png", Arrays.copyOf(validPng, validPng.length / 2)),
      422, "image_undecodable");
    JSendAssert.fail(uploadRaw(UPLOAD, token, "image/png", TestImages.pngDeclaring(100_000, 100_000)),
      422, "image_too_large");

    assertThat(JSendAssert.success(api.get("/api/user", token)).getString("avatarUrl")).isEqualTo(before);
    assertThat(files()).isEqualTo(filesBefore);
    assertThat(get(pathOf(before)).statusCode()).isEqualTo(200);
  }

  @Test
  void bodiesOverTheLimitAreRefusedWith413AndChangeNothing() {
    String token = newToken();
    String before = uploaded(uploadRaw(UPLOAD, token, "image/png", smallPng())).getString("avatarUrl");
    Set<String> filesBefore = files();
    byte[] sixMib = new byte[SIX_MIB];
    new Random(1).nextBytes(sixMib);

    HttpResponse<Buffer> raw = uploadRaw(UPLOAD, token, "image/png", sixMib);
    JSendAssert.fail(raw, 413, "payload_too_large");
    assertThat(raw.getHeader("Connection")).isEqualTo("close");
    JSendAssert.fail(uploadForm(ALIAS, token, "avatar", "big.png", sixMib, "image/png"), 413, "payload_too_large");

    assertThat(JSendAssert.success(api.get("/api/user", token)).getString("avatarUrl")).isEqualTo(before);
    assertThat(files()).isEqualTo(filesBefore);
  }

  @Test
  void aChunkedBodyIsCutOffAtTheLimitAndTheClientStillGetsTheAnswer() {
    String token = newToken();
    HttpClient http = node.vertx().createHttpClient();
    try {
      HttpClientRequest request = http.request(HttpMethod.POST, node.port(), "localhost", UPLOAD).await()
        .putHeader("Authorization", "Bearer " + token).putHeader("Content-Type", "image/jpeg").setChunked(true)
        .exceptionHandler(closedAfterTheAnswer -> { });
      Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
      for (int i = 0; i < SIX_MIB / chunk.length(); i++) {
        request.write(chunk);
      }
      request.end();
      Answer answer = answer(request);

      assertThat(answer.status()).isEqualTo(413);
      assertThat(answer.connection()).isEqualTo("close");
      assertThat(answer.code()).isEqualTo("payload_too_large");
    } finally {
      http.close().await();
    }
  }

  @Test
  void anAnnouncedOversizedBodyIsRefusedBeforeTheClientSendsIt() {
    String token = newToken();
    // only the head goes out: the first thing back must be the 413, not "100 Continue"
    String head = "POST " + UPLOAD + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
      + "\r\nContent-Type: image/png\r\nContent-Length: " + SIX_MIB + "\r\nExpect: 100-continue\r\n\r\n";
    RawHttp.Response answer = RawHttp.exchange(node.port(), head.getBytes(StandardCharsets.US_ASCII), false)
      .orElseThrow(() -> new AssertionError("the server closed the connection without an answer"));

    assertThat(answer.status()).isEqualTo(413);
    assertThat(new JsonObject(answer.bodyText()).getJsonObject("data").getString("code")).isEqualTo("payload_too_large");
    assertThat(answer.header("Connection")).isEqualToIgnoringCase("close");
  }

  /**
   * A client may send its next upload as soon as it has read the answer to the last one, on another
   * connection (served by another event loop): the last one is no longer "in progress" then.
   */
  @Test
  void anUploadSentAsSoonAsTheLastOneIsAnsweredIsNotRefusedAsConcurrent() {
    String token = newToken();
    String request = "POST " + UPLOAD + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
      + "\r\nContent-Type: image/png\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    for (int i = 0; i < 60; i++) {
      RawHttp.Response answer = RawHttp.exchange(node.port(), request.getBytes(StandardCharsets.US_ASCII), false)
        .orElseThrow(() -> new AssertionError("the server closed the connection without an answer"));
      assertThat(answer.status()).as("upload %d: %s", i, answer.bodyText()).isEqualTo(400);
    }
  }

  @Test
  void bodiesOfTheWrongShapeAreRefusedWith400Or415() {
    String token = newToken();
    byte[] png = smallPng();

    JSendAssert.fail(send(UPLOAD, token, MultipartForm.create().attribute("avatar", "not a file")), 400, "no_file");
    JSendAssert.fail(send(UPLOAD, token, MultipartForm.create()
      .binaryFileUpload("avatar", "a.png", Buffer.buffer(png), "image/png")
      .binaryFileUpload("file", "b.png", Buffer.buffer(png), "image/png")), 400, "bad_request");
    JSendAssert.fail(send(UPLOAD, token, MultipartForm.create()
      .binaryFileUpload("avatar", "a.png", Buffer.buffer(png), "image/png")
      .binaryFileUpload("avatar", "b.png", Buffer.buffer(png), "image/png")), 400, "bad_request");
    JSendAssert.fail(uploadForm(UPLOAD, token, "picture", "a.png", png, "image/png"), 400, "no_file");
    JSendAssert.fail(uploadForm(UPLOAD, token, "avatar", "empty.png", new byte[0], "image/png"), 400, "no_file");
    JSendAssert.fail(uploadRaw(UPLOAD, token, "image/png", new byte[0]), 400, "no_file");
    JSendAssert.fail(node.client().post(UPLOAD).bearerTokenAuthentication(token).send().await(), 400, "no_file");
    JSendAssert.fail(node.client().post(UPLOAD).bearerTokenAuthentication(token)
      .sendJsonObject(new JsonObject().put("avatar", "aGVsbG8=")).await(), 415, "unsupported_media_type");
    JSendAssert.fail(uploadRaw(UPLOAD, token, "text/plain", png), 415, "unsupported_media_type");
    JSendAssert.fail(uploadRaw(UPLOAD, token, "multipart/form-data", png), 400, "bad_request");
    assertThat(JSendAssert.success(api.get("/api/user", token)).getValue("avatarUrl")).isNull();
  }

  @Test
  void uploadsAndRemovalsNeedTheTokenOfAnExistingAccount() {
    String unknownUser = new AccessTokens(node.vertx(),
      node.settings().tokens().withKeys(dev.avatarservice.account.SigningKeys.of(
        TestNode.JWT_SECRET.getBytes(StandardCharsets.UTF_8), java.util.List.of())), Clock.systemUTC())
      .issue(UUID.randomUUID().toString(), UUID.randomUUID().toString());
    byte[] png = smallPng();

    HttpResponse<Buffer> anonymous = node.client().post(UPLOAD).putHeader("Content-Type", "image/png")
      .sendBuffer(Buffer.buffer(png)).await();
    JSendAssert.fail(anonymous, 401, "unauthorized");
    assertThat(anonymous.getHeader("WWW-Authenticate")).startsWith("Bearer");
    assertThat(uploadRaw(ALIAS, "not.a.token", "image/png", png).statusCode()).isEqualTo(401);
    assertThat(uploadRaw(UPLOAD, unknownUser, "image/png", png).statusCode()).isEqualTo(401);
    assertThat(node.client().delete(UPLOAD).send().await().statusCode()).isEqualTo(401);
    assertThat(node.client().delete(ALIAS).bearerTokenAuthentication(unknownUser).send().await().statusCode()).isEqualTo(401);
  }

  @Test
  void uploadsPerUserAreRateLimited() {
    try (TestNode limited = TestNode.start(Map.of("AVATAR_UPLOADS_PER_MINUTE", 2))) {
      String token = limited.api().register("hasty").getString("accessToken");
      String other = limited.api().register("patient").getString("accessToken");
      for (int i = 0; i < 2; i++) {
        JSendAssert.fail(emptyPng(limited, token), 400, "no_file");
      }

      HttpResponse<Buffer> refused = limited.client().post(ALIAS).bearerTokenAuthentication(token)
        .putHeader("Content-Type", "image/png").sendBuffer(Buffer.buffer(smallPng())).await();
      JSendAssert.fail(refused, 429, "rate_limited");
      assertThat(Long.parseLong(refused.getHeader("Retry-After"))).isBetween(1L, 60L);
      JSendAssert.fail(emptyPng(limited, other), 400, "no_file");
    }
  }

  // ---- replacing and removing ----

  @Test
  void aNewUploadReplacesTheFileAndTheOldUrlAnswers404() {
    String token = newToken();
    Set<String> before = files();
    String first = uploaded(uploadRaw(UPLOAD, token, "image/png", smallPng())).getString("avatarUrl");
    String second = uploaded(uploadRaw(UPLOAD, token, "image/png", smallPng())).getString("avatarUrl");

    assertThat(second).isNotEqualTo(first);
    assertThat(get(pathOf(first)).statusCode()).isEqualTo(404);
    assertThat(get(pathOf(second)).statusCode()).isEqualTo(200);
    assertThat(difference(files(), before)).containsExactly(fileOf(second));
  }

  @Test
  void concurrentUploadsOfOneUserLeaveExactlyOneFileAndTheAccountNamesIt() {
    String token = newToken();
    Set<String> before = files();
    byte[] png = smallPng();

    // several rounds: the store's account cache once kept the upload whose answer came last, which
    // is not always the one that committed last
    for (int round = 0; round < 5; round++) {
      List<Future<HttpResponse<Buffer>>> uploads = IntStream.range(0, 4).mapToObj(i -> node.client().post(UPLOAD)
        .bearerTokenAuthentication(token).putHeader("Content-Type", "image/png").sendBuffer(Buffer.buffer(png)))
        .toList();
      Future.join(uploads).await();

      // one at a time per account: the others are refused at once, and never leave a file behind
      assertThat(uploads).allSatisfy(upload -> assertThat(upload.result().statusCode()).isIn(200, 429));
      assertThat(uploads).anySatisfy(upload -> assertThat(upload.result().statusCode()).isEqualTo(200));
      uploads.stream().filter(upload -> upload.result().statusCode() == 429)
        .forEach(upload -> JSendAssert.fail(upload.result(), 429, "upload_in_progress"));
      String current = JSendAssert.success(api.get("/api/user", token)).getString("avatarUrl");
      assertThat(difference(files(), before)).as("round %d", round).containsExactly(fileOf(current));
      assertThat(get(pathOf(current)).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void removingTheAvatarDeletesItsFileAndIsIdempotent() {
    String token = newToken();
    String url = uploaded(uploadRaw(UPLOAD, token, "image/png", smallPng())).getString("avatarUrl");

    for (String path : List.of(UPLOAD, ALIAS)) {
      HttpResponse<Buffer> response = node.client().delete(path).bearerTokenAuthentication(token).send().await();
      JsonObject data = JSendAssert.success(response);
      assertThat(data.containsKey("avatarUrl")).isTrue();
      assertThat(data.getValue("avatarUrl")).isNull();
      assertThat(data.getJsonObject("user").getValue("avatarUrl")).isNull();
    }
    assertThat(get(pathOf(url)).statusCode()).isEqualTo(404);
    assertThat(files()).doesNotContain(fileOf(url));
    assertThat(JSendAssert.success(api.get("/api/user", token)).getValue("avatarUrl")).isNull();
  }

  @Test
  void changesAndRemovalsArePublishedWithTheAbsoluteUrl() throws Exception {
    JsonObject registered = api.register("watched-" + USERS.incrementAndGet());
    String token = registered.getString("accessToken");
    String userId = registered.getJsonObject("user").getString("id");
    Future<JsonObject> changed = nextEvent(EventAddress.AVATAR_CHANGED, userId);
    Future<JsonObject> removed = nextEvent(EventAddress.AVATAR_REMOVED, userId);

    String url = uploaded(uploadRaw(UPLOAD, token, "image/png", smallPng())).getString("avatarUrl");
    JsonObject change = changed.await(10, TimeUnit.SECONDS);
    assertThat(change.getString("type")).isEqualTo("avatar.changed");
    assertThat(change.getString("avatarUrl")).isEqualTo(url).startsWith(node.baseUrl() + "/avatars/");
    assertThat(Instant.parse(change.getString("changedAt"))).isBefore(Instant.now().plusSeconds(1));

    JSendAssert.success(node.client().delete(UPLOAD).bearerTokenAuthentication(token).send().await());
    JsonObject removal = removed.await(10, TimeUnit.SECONDS);
    assertThat(removal.fieldNames()).containsExactlyInAnyOrder("type", "userId", "changedAt");
    assertThat(removal.getString("type")).isEqualTo("avatar.removed");
  }

  // ---- serving ----

  @Test
  void headAnswersTheHeadersOfGetWithoutTheBody() {
    String path = pathOf(uploaded(uploadRaw(UPLOAD, newToken(), "image/png", smallPng())).getString("avatarUrl"));
    HttpResponse<Buffer> got = get(path);
    String head = RawHttp.untilClosed(node.port(), ("HEAD " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

    assertThat(head).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\n"); // no body
    RawHttp.Response answer = RawHttp.exchange(node.port(), ("HEAD " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
      .getBytes(StandardCharsets.US_ASCII), true).orElseThrow();
    for (String name : List.of("Content-Type", "Content-Length", "ETag", "Cache-Control", "X-Content-Type-Options",
      "Content-Security-Policy")) {
      assertThat(answer.header(name)).as(name).isNotNull().isEqualTo(got.getHeader(name));
    }
    assertThat(Integer.parseInt(answer.header("Content-Length"))).isEqualTo(got.body().length());
  }

  @Test
  void anUnchangedAvatarAnswers304ToItsETag() {
    String url = uploaded(uploadRaw(UPLOAD, newToken(), "image/png", smallPng())).getString("avatarUrl");
    String etag = get(pathOf(url)).getHeader("ETag");

    for (String ifNoneMatch : List.of(etag, "W/" + etag, "\"other\", " + etag, "*")) {
      HttpResponse<Buffer> response = node.client().get(pathOf(url)).putHeader("If-None-Match", ifNoneMatch).send().await();
      assertThat(response.statusCode()).as(ifNoneMatch).isEqualTo(304);
      assertThat(response.body()).isNull();
      assertThat(response.getHeader("ETag")).isEqualTo(etag);
      assertThat(response.getHeader("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
    }
    assertThat(node.client().get(pathOf(url)).putHeader("If-None-Match", "\"other\"").send().await().statusCode())
      .isEqualTo(200);
  }

  @Test
  void nothingButAvatarFilesIsServedFromUnderAvatars() throws IOException {
    String real = fileOf(uploaded(uploadRaw(UPLOAD, newToken(), "image/png", smallPng())).getString("avatarUrl"));
    String stem = real.substring(0, 22);
    Path dir = node.avatarsDir();
    // the right shape and in the folder, but no account's avatar (a leftover the sweep has not reached yet)
    Files.write(dir.resolve("IIIIIIIIIIIIIIIIIIIIII.png"), smallPng());
    Files.write(dir.resolve("avatar-service.db"), utf8("SQLite format 3"));
    Files.write(dir.resolve("DDDDDDDDDDDDDDDDDDDDDD.png.tmp"), smallPng());
    Files.createDirectories(dir.resolve("EEEEEEEEEEEEEEEEEEEEEE.png"));
    Files.createDirectories(dir.resolve("sub"));
    Files.write(dir.resolve("sub").resolve("FFFFFFFFFFFFFFFFFFFFFF.png"), smallPng());
    Files.createSymbolicLink(dir.resolve("GGGGGGGGGGGGGGGGGGGGGG.png"), dir.resolve(real));
    String outside = dir.getParent().relativize(dir).toString();

    List<String> paths = List.of(
      "/avatars/", "/avatars", "/avatars/avatar-service.db", "/avatars/DDDDDDDDDDDDDDDDDDDDDD.png.tmp",
      "/avatars/EEEEEEEEEEEEEEEEEEEEEE.png", "/avatars/GGGGGGGGGGGGGGGGGGGGGG.png", "/avatars/HHHHHHHHHHHHHHHHHHHHHH.png",
      "/avatars/sub/FFFFFFFFFFFFFFFFFFFFFF.png", "/avatars/sub%2FFFFFFFFFFFFFFFFFFFFFFF.png",
      "/avatars/..%2F" + outside + "%2F" + real, "/avatars/%2e%2e%2f" + outside + "%2f" + real,
      "/avatars/..%5C" + outside + "%5C" + real, "/avatars/%2e%2e/avatar-service.db", "/avatars/..%2F..%2Fetc%2Fpasswd",
      "/avatars/" + stem + ".JPG", "/avatars/" + real + "%00.txt", "/avatars/" + real + "/",
      "/avatars/" + real.substring(1), "/avatars/x" + real, "/avatars/" + stem + ".json", "/avatars/" + stem + ".png",
      "/avatars/IIIIIIIIIIIIIIIIIIIIII.png", "/avatars/" + stem + ".64.jpg", "/avatars/" + stem + ".jpg.tmp");
    for (String path : paths) {
      assertThat(get(path).statusCode()).as(path).isEqualTo(404);
    }
    assertThat(get("/avatars/" + real).statusCode()).isEqualTo(200);
  }

  // ---- helpers ----

  private static String newToken() {
    return api.register("avatar-user-" + USERS.incrementAndGet()).getString("accessToken");
  }

  private static byte[] smallPng() {
    return TestImages.png(TestImages.solid(16, 16, BufferedImage.TYPE_INT_RGB, Color.MAGENTA));
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static HttpResponse<Buffer> uploadForm(String path, String token, String part, String filename, byte[] bytes,
                                                  String type) {
    return send(path, token, MultipartForm.create().binaryFileUpload(part, filename, Buffer.buffer(bytes), type));
  }

  private static HttpResponse<Buffer> send(String path, String token, MultipartForm form) {
    return node.client().post(path).bearerTokenAuthentication(token).sendMultipartForm(form).await();
  }

  private static HttpResponse<Buffer> uploadRaw(String path, String token, String contentType, byte[] bytes) {
    return node.client().post(path).bearerTokenAuthentication(token).putHeader("Content-Type", contentType)
      .sendBuffer(Buffer.buffer(bytes)).await();
  }

  private static HttpResponse<Buffer> emptyPng(TestNode target, String token) {
    return target.client().post(UPLOAD).bearerTokenAuthentication(token).putHeader("Content-Type", "image/png")
      .sendBuffer(Buffer.buffer()).await();
  }

  private static HttpResponse<Buffer> get(String path) {
    return node.client().get(path).send().await();
  }

  /** The upload's {@code data}, after checking that its avatarUrl is the user's. */
  private static JsonObject uploaded(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    JsonObject data = JSendAssert.success(response);
    assertThat(data.getString("avatarUrl")).isNotNull().isEqualTo(data.getJsonObject("user").getString("avatarUrl"));
    return data;
  }

  private static String pathOf(String avatarUrl) {
    return URI.create(avatarUrl).getRawPath();
  }

  private static String fileOf(String avatarUrl) {
    return avatarUrl.substring(avatarUrl.lastIndexOf('/') + 1);
  }

  private static Set<String> files() {
    try (Stream<Path> entries = Files.list(node.avatarsDir())) {
      return entries.map(path -> path.getFileName().toString()).collect(Collectors.toSet());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Set<String> difference(Set<String> after, Set<String> before) {
    Set<String> added = new HashSet<>(after);
    added.removeAll(before);
    return added;
  }

  /** The response to a request made with the plain HTTP client, body read on the event loop. */
  private static Answer answer(HttpClientRequest request) {
    return request.response().compose(response -> response.body().map(body -> new Answer(response.statusCode(),
      response.getHeader("Connection"), body.toJsonObject().getJsonObject("data").getString("code")))).await();
  }

  private record Answer(int status, String connection, String code) {
  }

  /** The next event for that user on that address; the consumer is registered before this returns. */
  private static Future<JsonObject> nextEvent(String address, String userId) {
    Promise<JsonObject> event = Promise.promise();
    MessageConsumer<JsonObject> consumer = node.vertx().eventBus().consumer(address);
    consumer.handler(message -> {
      if (userId.equals(message.body().getString("userId"))) {
        event.tryComplete(message.body());
        consumer.unregister();
      }
    });
    consumer.completion().await();
    return event.future();
  }
}
