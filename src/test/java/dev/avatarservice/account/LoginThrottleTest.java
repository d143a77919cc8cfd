package dev.avatarservice.account;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The reservations of password checks on a single node's counts (ClusterTest covers Hazelcast's). */
class LoginThrottleTest {

  private Vertx vertx;
  private final AtomicLong now = new AtomicLong(1_000_000);

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void theLimitLocksThePairOutUntilASuccessClearsIt() {
    LoginThrottle throttle = new LoginThrottle(LocalAttemptCounts.of(vertx), 3, 900, now::get);
    String key = LoginThrottle.key("alice", "127.0.0.1");
    for (int i = 0; i < 3; i++) {
      throttle.reserve(key).await().failed().await();
    }

    assertThatThrownBy(() -> throttle.reserve(key).await())
      .isInstanceOfSatisfying(LoginLockedException.class, e -> assertThat(e.retryAfterSeconds()).isEqualTo(900));
    throttle.reserve(LoginThrottle.key("alice", "10.0.0.1")).await().succeeded().await();

    now.addAndGet(900_000);
    throttle.reserve(key).await().succeeded().await();
    for (int i = 0; i < 3; i++) {
      throttle.reserve(key).await().failed().await();
    }
  }

  @Test
  void reservationsMadeAtOnceAreCountedOneByOne() {
    LoginThrottle throttle = new LoginThrottle(LocalAttemptCounts.of(vertx), 5, 900, now::get);
    String key = LoginThrottle.key("bob", "127.0.0.1");
    // reserved from many threads at once, none settled yet
    List<Future<LoginThrottle.Attempt>> reservations = IntStream.range(0, 40).parallel()
      .mapToObj(i -> throttle.reserve(key)).toList();

    assertThat(reservations.stream().filter(Future::succeeded)).hasSize(5);
    assertThat(reservations.stream().filter(r -> r.cause() instanceof LoginLockedException)).hasSize(35);
  }

  @Test
  void anAbandonedAttemptIsGivenBack() {
    LocalAttemptCounts counts = LocalAttemptCounts.of(vertx);
    LoginThrottle throttle = new LoginThrottle(counts, 2, 900, now::get);
    String key = LoginThrottle.key("carol", "127.0.0.1");
    throttle.reserve(key).await().failed().await();
    LoginThrottle.Attempt abandoned = throttle.reserve(key).await();
    assertThat(counts.attempts(key, now.get())).isEqualTo(2);

    abandoned.abandoned().await();
    abandoned.abandoned().await();

    assertThat(counts.attempts(key, now.get())).isEqualTo(1);
  }

  @Test
  void aReservationThatCannotBeMadeRefusesTheCheck() {
    AttemptCounts broken = new AttemptCounts() {
      public Future<Long> reserve(String key, int limit, long at, long windowMillis) {
        return Future.failedFuture(new IllegalStateException("no partition owner"));
      }

      public Future<Void> release(String key, long at) {
        return Future.succeededFuture();
      }

      public Future<Void> clear(String key) {
        return Future.succeededFuture();
      }
    };
    LoginThrottle throttle = new LoginThrottle(broken, 5, 900, now::get);

    assertThatThrownBy(() -> throttle.reserve("k").await()).isInstanceOf(AttemptsUnavailableException.class);
  }
}
