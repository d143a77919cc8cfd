package dev.avatarservice.http;

import dev.avatarservice.image.TestImages;
import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Formats, sizes and serving of avatars, through the server: what a browser showing avatars sees. */
class AvatarVariantsApiTest {

  private static final String UPLOAD = "/api/user/avatar";
  private static final AtomicInteger USERS = new AtomicInteger();
  private static final List<String> SERVED_HEADERS = List.of("Content-Type", "Content-Length", "ETag", "Cache-Control",
    "Content-Security-Policy", "Cross-Origin-Resource-Policy", "X-Content-Type-Options");

  private static TestNode node;
  private static ApiClient api;
  /** A 4000x3000 phone-style photo, as the camera wrote it (quality 0.9): about 2 to 4 MB. */
  private static byte[] photo;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("AVATAR_UPLOADS_PER_MINUTE", 1000));
    api = node.api();
    photo = TestImages.jpeg(TestImages.photoLike(4000, 3000, 1), false);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aPhotoBecomesAJpegOfAtMost40KbWithEverySize() {
    assertThat(photo.length).as("the test photo is phone-sized").isBetween(1_500_000, 5_000_000);
    String url = upload(newToken(), photo);
    assertThat(url).matches(".*/avatars/[A-Za-z0-9_-]{22}\\.jpg");

    HttpResponse<Buffer> whole = get(pathOf(url));
    assertThat(whole.getHeader("Content-Type")).isEqualTo("image/jpeg");
    assertThat(whole.body().length()).as("bytes of the 512 avatar").isLessThanOrEqualTo(40 * 1024);
    assertThat(TestImages.jpegMarkers(whole.body().getBytes()))
      .allMatch(marker -> List.of(0xE0, 0xDB, 0xC0, 0xC4, 0xDA).contains(marker));
    assertSize(whole, 512, 384);

    // each size answer: the smallest variant whose longer side is at least N, or the largest
    Map<Integer, Integer> expectedLongerSide = Map.ofEntries(Map.entry(1, 64), Map.entry(32, 64), Map.entry(64, 64),
      Map.entry(65, 128), Map.entry(100, 128), Map.entry(128, 128), Map.entry(129, 256), Map.entry(256, 256),
      Map.entry(257, 512), Map.entry(400, 512), Map.entry(512, 512));
    expectedLongerSide.forEach((size, side) -> {
      HttpResponse<Buffer> sized = get(pathOf(url) + "?size=" + size);
      assertThat(sized.statusCode()).as("size %d", size).isEqualTo(200);
      assertThat(sized.getHeader("Content-Type")).isEqualTo("image/jpeg");
      assertSize(sized, side, side * 3 / 4);
    });
    assertThat(get(pathOf(url) + "?size=64").getHeader("ETag")).isNotEqualTo(whole.getHeader("ETag"));
    TestImages.assertColorNear(TestImages.decode(get(pathOf(url) + "?size=64").body().getBytes()).getRGB(38, 24),
      TestImages.decode(whole.body().getBytes()).getRGB(307, 192));
  }

  @Test
  void aTransparentPngStaysAPngInEverySizeAndASmallImageIsNeverScaledUp() {
    BufferedImage transparent = TestImages.halves(300, 200, BufferedImage.TYPE_INT_ARGB, Color.RED, new Color(0, 0, 255, 0));
    String url = upload(newToken(), TestImages.png(transparent));
    assertThat(url).endsWith(".png");

    HttpResponse<Buffer> whole = get(pathOf(url));
    assertThat(whole.getHeader("Content-Type")).isEqualTo("image/png");
    assertSize(whole, 300, 200);
    BufferedImage small = assertSize(get(pathOf(url) + "?size=64"), 64, 43);
    assertThat(small.getRGB(5, 20)).isEqualTo(0xFFFF0000);
    assertThat(small.getRGB(60, 20) >>> 24).as("transparency kept").isZero();
    // 300 is the largest there is: sizes above it answer it, never an enlargement
    assertSize(get(pathOf(url) + "?size=512"), 300, 200);
    assertSize(get(pathOf(url) + "?size=257"), 300, 200);
    assertSize(get(pathOf(url) + "?size=256"), 256, 171);

    String opaque = upload(newToken(), TestImages.png(TestImages.solid(40, 30, BufferedImage.TYPE_INT_ARGB, Color.ORANGE)));
    assertThat(opaque).as("an RGBA file with no transparent pixel is a photo like any other").endsWith(".jpg");
    assertSize(get(pathOf(opaque) + "?size=64"), 40, 30);
    assertSize(get(pathOf(opaque) + "?size=16"), 40, 30);
  }

  @Test
  void aSizeThatIsNotOneTo512IsRefusedWith400() {
    String url = upload(newToken(), TestImages.png(TestImages.solid(20, 20, BufferedImage.TYPE_INT_RGB, Color.BLUE)));
    for (String query : List.of("size=0", "size=513", "size=-1", "size=abc", "size=1.5", "size=", "size=64&size=128",
      "size=99999999999", "size=%2064")) {
      JSendAssert.fail(get(pathOf(url) + "?" + query), 400, "invalid_size");
    }
    assertThat(get(pathOf(url) + "?other=1").statusCode()).isEqualTo(200);
  }

  @Test
  void headAnswersTheHeadersOfGetWithoutTheBody() {
    String url = upload(newToken(), photo);
    for (String path : List.of(pathOf(url), pathOf(url) + "?size=128")) {
      HttpResponse<Buffer> got = get(path);
      HttpResponse<Buffer> head = node.client().head(path).send().await();
      assertThat(head.statusCode()).isEqualTo(200);
      for (String header : SERVED_HEADERS) {
        assertThat(head.getHeader(header)).as(header).isNotNull().isEqualTo(got.getHeader(header));
      }
      assertThat(Integer.parseInt(got.getHeader("Content-Length"))).isEqualTo(got.body().length());
      assertThat(head.body()).isNull();
      assertThat(got.getHeader("Cross-Origin-Resource-Policy")).isEqualTo("cross-origin");
      assertThat(got.getHeader("Content-Security-Policy")).isEqualTo("default-src 'none'; sandbox");
      assertThat(got.getHeader("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");

      HttpResponse<Buffer> notModified = node.client().get(path).putHeader("If-None-Match", got.getHeader("ETag")).send().await();
      assertThat(notModified.statusCode()).isEqualTo(304);
      assertThat(notModified.body()).isNull();
    }
    assertThat(node.client().head("/avatars/AAAAAAAAAAAAAAAAAAAAAA.jpg").send().await().statusCode()).isEqualTo(404);
  }

  /** An avatar stored before variants existed: a PNG alone, no variant files. */
  @Test
  void anAvatarFromBeforeVariantsStillServesInEverySize() throws IOException {
    BufferedImage transparent = TestImages.halves(200, 100, BufferedImage.TYPE_INT_ARGB, Color.GREEN, new Color(0, 0, 0, 0));
    String url = upload(newToken(), TestImages.png(transparent));
    String file = fileOf(url);
    Set<String> variants = files().stream().filter(name -> name.startsWith(file.substring(0, 22) + ".")
      && !name.equals(file)).collect(Collectors.toSet());
    assertThat(variants).isNotEmpty();
    for (String variant : variants) {
      Files.delete(node.avatarsDir().resolve(variant));
    }

    for (String query : List.of("", "?size=64", "?size=512")) {
      HttpResponse<Buffer> served = get(pathOf(url) + query);
      assertThat(served.statusCode()).as(query).isEqualTo(200);
      assertThat(served.getHeader("Content-Type")).isEqualTo("image/png");
      assertSize(served, 200, 100);
    }
  }

  @Test
  void deletingTheAccountRemovesTheAvatarAndEveryVariant() {
    String token = newToken();
    String url = upload(token, photo);
    String stem = fileOf(url).substring(0, 22);
    // served (and so cached by the node) in every size first
    for (String query : List.of("", "?size=64", "?size=128", "?size=256")) {
      assertThat(get(pathOf(url) + query).statusCode()).isEqualTo(200);
    }
    assertThat(files().stream().filter(name -> name.startsWith(stem))).hasSize(4);

    JSendAssert.success(node.client().delete("/api/user").bearerTokenAuthentication(token).send().await());

    assertThat(files().stream().filter(name -> name.startsWith(stem))).isEmpty();
    for (String query : List.of("", "?size=64", "?size=128", "?size=256")) {
      assertThat(get(pathOf(url) + query).statusCode()).as(query).isEqualTo(404);
    }
  }

  @Test
  void aNewUploadReplacesEveryVariantAndTheOldOnesAre404() {
    String token = newToken();
    String first = upload(token, photo);
    assertThat(get(pathOf(first) + "?size=64").statusCode()).isEqualTo(200);
    String second = upload(token, TestImages.png(TestImages.solid(100, 100, BufferedImage.TYPE_INT_RGB, Color.CYAN)));

    assertThat(files().stream().filter(name -> name.startsWith(fileOf(first).substring(0, 22)))).isEmpty();
    assertThat(get(pathOf(first) + "?size=64").statusCode()).isEqualTo(404);
    assertThat(get(pathOf(first)).statusCode()).isEqualTo(404);
    assertSize(get(pathOf(second) + "?size=64"), 64, 64);
  }

  // ---- helpers ----

  private static BufferedImage assertSize(HttpResponse<Buffer> response, int width, int height) {
    assertThat(response.statusCode()).isEqualTo(200);
    BufferedImage image = TestImages.decode(response.body().getBytes());
    assertThat(image.getWidth()).as("width").isEqualTo(width);
    assertThat(image.getHeight()).as("height").isBetween(height - 1, height + 1);
    return image;
  }

  private static String newToken() {
    return api.register("variants-user-" + USERS.incrementAndGet()).getString("accessToken");
  }

  private static String upload(String token, byte[] image) {
    HttpResponse<Buffer> response = node.client().post(UPLOAD).bearerTokenAuthentication(token)
      .putHeader("Content-Type", "image/jpeg").sendBuffer(Buffer.buffer(image)).await();
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    JsonObject data = JSendAssert.success(response);
    return data.getString("avatarUrl");
  }

  private static HttpResponse<Buffer> get(String path) {
    return node.client().get(path).send().await();
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
}
