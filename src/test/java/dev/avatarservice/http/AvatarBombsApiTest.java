package dev.avatarservice.http;

import dev.avatarservice.image.TestImages;
import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Uploads built to cost far more to decode than their size suggests, through the server: each is
 * refused or finishes within the per-upload budget, and while ten of them run an innocent small
 * upload is still answered promptly.
 *
 * <p>Bounds are generous on purpose (the CI machine has two cores shared with other jobs), but each
 * is far below what the same uploads took before bounded decoding (5 s for the PNG, 1.7 s for the
 * JPEG, 17 s for the innocent upload behind ten PNGs).
 */
class AvatarBombsApiTest {

  private static final String UPLOAD = "/api/user/avatar";
  private static final AtomicInteger USERS = new AtomicInteger();
  /** One second of CPU budget, plus time for a shared, loaded machine. */
  private static final long WITHIN_BUDGET_MS = 4_000;

  private static TestNode node;
  private static ApiClient api;

  /** 16-bit RGBA PNG of 6300x6300, about 308 KB: 318 MB of samples. */
  private static byte[] pngBomb;
  /** A few hundred bytes of JPEG whose header says 6000x6000. */
  private static byte[] jpegBomb;
  /** A progressive 2000x1500 JPEG with hundreds of scans. */
  private static byte[] scansBomb;

  @BeforeAll
  static void start() {
    node = TestNode.start(Map.of("AVATAR_UPLOADS_PER_MINUTE", 1000, "IMAGE_THREADS", 2, "IMAGE_QUEUE", 16));
    api = node.api();
    pngBomb = TestImages.png16BitRgbaZeros(6300, 6300);
    jpegBomb = TestImages.jpegClaiming(6000);
    scansBomb = TestImages.progressiveWithScans(TestImages.photoLike(2000, 1500, 2), 300);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void theBombsAreTheirAdvertisedSize() {
    assertThat(pngBomb.length).isBetween(250_000, 350_000);
    assertThat(jpegBomb.length).isLessThan(1_000);
    assertThat(TestImages.jpegMarkers(scansBomb)).contains(0xC2);
    assertThat(scansBomb.length).isLessThan(5 << 20);
  }

  @Test
  void eachBombIsRefusedOrFinishesWithinTheBudget() {
    for (byte[] bomb : List.of(pngBomb, jpegBomb, scansBomb)) {
      long start = System.nanoTime();
      HttpResponse<Buffer> response = upload(newToken(), bomb);
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(response.statusCode()).as(response.bodyAsString()).isIn(200, 422);
      assertThat(tookMs).as("ms for a bomb").isLessThan(WITHIN_BUDGET_MS);
    }
    // the 16-bit PNG is refused from its header alone, before a pixel is decoded
    JSendAssert.fail(upload(newToken(), pngBomb), 422, "image_too_complex");
    // a few hundred bytes cannot fill 6000x6000: the decoder reports the data ran out, and stops there
    JSendAssert.fail(upload(newToken(), jpegBomb), 422, "image_undecodable");
    // hundreds of scans: each is a decoding pass over the whole image
    JSendAssert.fail(upload(newToken(), scansBomb), 422, "image_too_complex");
  }

  @Test
  void aSmallUploadIsAnsweredPromptlyWhileTenBombsRun() {
    byte[] small = TestImages.png(TestImages.solid(95, 95, BufferedImage.TYPE_INT_RGB, Color.PINK));
    List<String> bombers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      bombers.add(newToken());
    }
    String innocent = newToken();
    upload(innocent, small); // warm: the first upload of a JVM loads the image plugins

    List<Future<HttpResponse<Buffer>>> bombs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      byte[] bomb = List.of(pngBomb, jpegBomb, scansBomb).get(i % 3);
      bombs.add(node.client().post(UPLOAD).bearerTokenAuthentication(bombers.get(i))
        .putHeader("Content-Type", "image/png").sendBuffer(Buffer.buffer(bomb)));
    }
    long start = System.nanoTime();
    HttpResponse<Buffer> answer = upload(innocent, small);
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    Future.join(bombs).await();

    assertThat(answer.statusCode()).isEqualTo(200);
    // about a second on an idle two-core machine; the bound allows for other jobs on it
    assertThat(tookMs).as("ms for the innocent upload").isLessThan(3_000);
    assertThat(bombs).allSatisfy(bomb -> assertThat(bomb.result().statusCode()).isIn(200, 422, 503));
  }

  @Test
  void aSecondUploadOfTheSameAccountWhileOneRunsIs429() {
    String token = newToken();
    Future<HttpResponse<Buffer>> first = node.client().post(UPLOAD).bearerTokenAuthentication(token)
      .putHeader("Content-Type", "image/jpeg").sendBuffer(Buffer.buffer(jpegBomb));
    List<Future<HttpResponse<Buffer>>> more = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      more.add(node.client().post(UPLOAD).bearerTokenAuthentication(token)
        .putHeader("Content-Type", "image/jpeg").sendBuffer(Buffer.buffer(jpegBomb)));
    }
    Future.join(more).otherwiseEmpty().await();
    first.otherwiseEmpty().await();

    List<Integer> statuses = new ArrayList<>();
    statuses.add(first.result().statusCode());
    more.forEach(response -> statuses.add(response.result().statusCode()));
    assertThat(statuses).contains(429);
    for (Future<HttpResponse<Buffer>> response : more) {
      if (response.result().statusCode() == 429) {
        JSendAssert.fail(response.result(), 429, "upload_in_progress");
        assertThat(response.result().getHeader("Retry-After")).isEqualTo("1");
      }
    }
    // once they are answered, the account may upload again
    assertThat(upload(token, TestImages.png(TestImages.solid(10, 10, BufferedImage.TYPE_INT_RGB, Color.RED))).statusCode())
      .isEqualTo(200);
  }

  private static String newToken() {
    return api.register("bomb-user-" + USERS.incrementAndGet()).getString("accessToken");
  }

  private static HttpResponse<Buffer> upload(String token, byte[] image) {
    return node.client().post(UPLOAD).bearerTokenAuthentication(token)
      .putHeader("Content-Type", "image/png").sendBuffer(Buffer.buffer(image)).await();
  }
}
