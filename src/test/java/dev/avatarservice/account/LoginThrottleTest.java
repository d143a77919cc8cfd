package dev.avatarservice.account;

import dev.avatarservice.bus.SharedNames;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The failed-login counter on a single node's shared map (ClusterTest covers Hazelcast's). */
class LoginThrottleTest {

  private Vertx vertx;

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
    LoginThrottle throttle = new LoginThrottle(vertx, 3, 900, System::currentTimeMillis);
    String key = LoginThrottle.key("alice", "127.0.0.1");
    for (int i = 0; i < 3; i++) {
      throttle.check(key).await();
      throttle.recordFailure(key).await();
    }

    assertThatThrownBy(() -> throttle.check(key).await())
      .isInstanceOfSatisfying(LoginLockedException.class, e -> assertThat(e.retryAfterSeconds()).isPositive());
    throttle.check(LoginThrottle.key("alice", "10.0.0.1")).await();

    throttle.clear(key).await();
    throttle.check(key).await();
  }

  @Test
  void aCountKeepsExpiringAfterItWasCountedUp() throws Exception {
    LoginThrottle throttle = new LoginThrottle(vertx, 5, 1, System::currentTimeMillis);
    String key = LoginThrottle.key("bob", "127.0.0.1");
    throttle.recordFailure(key).await();
    throttle.recordFailure(key).await();
    throttle.recordFailure(key).await();
    AsyncMap<String, JsonObject> map = vertx.sharedData().<String, JsonObject>getAsyncMap(SharedNames.LOGIN_FAILURES).await();
    assertThat(map.get(key).await().getInteger("count")).isEqualTo(3);

    // the entry goes when its one-second window ends, although two compare-and-sets replaced it
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (map.get(key).await() != null) {
      assertThat(System.nanoTime()).as("expired within 5 s").isLessThan(deadline);
      vertx.timer(50).await();
    }
  }
}
