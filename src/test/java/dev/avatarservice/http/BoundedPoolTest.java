package dev.avatarservice.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import dev.avatarservice.worker.BoundedPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

class BoundedPoolTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void beyondThreadsPlusQueueJobsAreRefusedAtOnceWith503() throws InterruptedException {
    BoundedPool pool = BoundedPool.shared(vertx, "bounded-pool-test", 1, 1, "busy", 2);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);

    Future<String> running = pool.run(() -> {
      started.countDown();
      release.await();
      return "first";
    });
    Future<String> queued = pool.run(() -> "second");
    started.await();
    Future<String> refused = pool.run(() -> "third");

    assertThat(refused.failed()).isTrue();
    ApiException error = FailureHandler.toApiException(refused.cause(), 0);
    assertThat(error.status()).isEqualTo(503);
    assertThat(error.headers().get("Retry-After")).isNotBlank();

    release.countDown();
    assertThat(running.await()).isEqualTo("first");
    assertThat(queued.await()).isEqualTo("second");
    assertThat(pool.run(() -> "fourth").await()).isEqualTo("fourth");
  }
}
