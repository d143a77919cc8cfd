package dev.avatarservice;

import dev.avatarservice.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order in which a node stops ({@link Node#stop()}, what SIGTERM runs): while an upload is still
 * sending its body, the node stops taking connections and tells its sockets 1001, but the upload is
 * answered, and what it wrote is in the database (so the store stopped after the HTTP verticle).
 * The process-level check (a real SIGTERM, exit code 0) is {@code bench/shutdown.sh}.
 */
class GracefulShutdownTest {

  private static final int CHUNKS = 10;
  private static final long CHUNK_INTERVAL_MS = 150;

  @TempDir
  Path dir;

  @Test
  @Timeout(120)
  void aStoppingNodeFinishesTheRequestInFlightClosesSocketsWith1001AndKeepsTheWrite() throws Exception {
    Map<String, Object> files = Map.of("DB_PATH", dir.resolve("db/avatar-service.db").toString(),
      "AVATARS_DIR", dir.resolve("avatars").toString(), "SHUTDOWN_TIMEOUT", 20);
    TestNode node = TestNode.start(files);
    Vertx client = Vertx.vertx();
    String avatarUrl;
    try {
      JsonObject alice = node.api().register("shutdown-upload");
      String token = alice.getString("accessToken");

      WebSocket socket = client.createWebSocketClient().connect(new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(node.port()).setURI("/ws").addHeader("Authorization", "Bearer " + token)).await();
      Promise<Short> closeCode = Promise.promise();
      socket.closeHandler(closed -> closeCode.tryComplete(socket.closeStatusCode()));

      byte[] png = noisePng();
      HttpClient http = client.createHttpClient();
      HttpClientRequest upload = http.request(new RequestOptions().setMethod(HttpMethod.POST)
        .setHost("127.0.0.1").setPort(node.port()).setURI("/api/user/avatar")
        .putHeader("Authorization", "Bearer " + token).putHeader("Content-Type", "image/png")
        .putHeader("Content-Length", Integer.toString(png.length))).await();
      Future<HttpClientResponse> response = upload.response();
      // the body handler is set on the event loop as the response arrives
      Future<Buffer> responseBody = response.compose(HttpClientResponse::body);
      int chunk = (png.length + CHUNKS - 1) / CHUNKS;
      upload.write(Buffer.buffer(png).slice(0, chunk)).await();

      // the node stops while the body is still on its way
      CompletableFuture<Void> stopping = CompletableFuture.runAsync(node::close);
      for (int i = 1; i < CHUNKS; i++) {
        Thread.sleep(CHUNK_INTERVAL_MS);
        if (i == 2) {
          NetClient probe = client.createNetClient();
          boolean refused = false;
          for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); !refused && System.nanoTime() < deadline; ) {
            refused = probe.connect(node.port(), "127.0.0.1").transform(done -> {
              if (done.succeeded()) {
                done.result().close();
              }
              return Future.succeededFuture(done.failed());
            }).await();
            if (!refused) {
              Thread.sleep(50);
            }
          }
          assertThat(refused).as("a new connection during the shutdown is refused").isTrue();
          assertThat(closeCode.future().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS))
            .as("the socket's close code").isEqualTo((short) 1001);
        }
        upload.write(Buffer.buffer(png).slice(i * chunk, Math.min(png.length, (i + 1) * chunk))).await();
      }
      upload.end().await();

      JsonObject body = responseBody.await().toJsonObject();
      assertThat(response.result().statusCode()).as(body.encode()).isEqualTo(200);
      avatarUrl = body.getJsonObject("data").getString("avatarUrl");
      stopping.get(30, TimeUnit.SECONDS);
      assertThat(socket.isClosed()).isTrue();
    } finally {
      client.close().await();
    }

    // the upload was answered, so it is in the database and its file in the folder
    try (TestNode again = TestNode.start(files)) {
      JsonObject login = again.api().login("shutdown-upload", "correct-horse-battery-staple-42");
      assertThat(login.getJsonObject("user").getString("avatarUrl"))
        .isEqualTo(avatarUrl.replace(":" + node.port() + "/", ":" + again.port() + "/"));
      String file = avatarUrl.substring(avatarUrl.lastIndexOf('/') + 1);
      assertThat(Files.isRegularFile(dir.resolve("avatars").resolve(file))).isTrue();
    }
  }

  /** A PNG of noise, a few hundred KiB: big enough to be sent in slow chunks. */
  private static byte[] noisePng() throws IOException {
    BufferedImage image = new BufferedImage(300, 300, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(42);
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        image.setRGB(x, y, random.nextInt(0x1000000));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
