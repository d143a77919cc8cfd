package dev.avatarservice.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

class ImageGateTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void beyondThreadsPlusQueueImagesAreRefusedAtOnceWith503() throws InterruptedException {
    WorkerExecutor pool = vertx.createSharedWorkerExecutor("image-gate-test", 1);
    ImageGate gate = new ImageGate(1, 1);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);

    Future<String> running = gate.run(pool, () -> {
      started.countDown();
      release.await();
      return "first";
    });
    Future<String> queued = gate.run(pool, () -> "second");
    started.await();
    Future<String> refused = gate.run(pool, () -> "third");

    assertThat(refused.failed()).isTrue();
    ApiException error = (ApiException) refused.cause();
    assertThat(error.status()).isEqualTo(503);
    assertThat(error.headers().get("Retry-After")).isNotBlank();

    release.countDown();
    assertThat(running.await()).isEqualTo("first");
    assertThat(queued.await()).isEqualTo("second");
    assertThat(gate.inFlight()).isZero();
    assertThat(gate.run(pool, () -> "fourth").await()).isEqualTo("fourth");
  }
}
