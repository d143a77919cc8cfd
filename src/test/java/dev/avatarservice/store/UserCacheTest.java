package dev.avatarservice.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules that keep the store's account cache from answering with an account that changed or is gone. */
class UserCacheTest {

  private static JsonObject user(String id, String avatarUrl) {
    return new JsonObject().put("id", id).put("identifier", "name-" + id).put("avatarUrl", avatarUrl);
  }

  @Test
  void aLoadedAccountIsServedFromMemoryAfterwards() {
    UserCache cache = new UserCache(10, 60_000);
    AtomicInteger loads = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      JsonObject answer = cache.get("a", () -> {
        loads.incrementAndGet();
        return Future.succeededFuture(user("a", null));
      }).result();
      assertThat(answer.getString("identifier")).isEqualTo("name-a");
    }
    assertThat(loads).hasValue(1);
  }

  @Test
  void aForgottenAccountIsReadAgainAndAFailedLoadIsNotKept() {
    UserCache cache = new UserCache(10, 60_000);
    cache.written(user("a", null));
    cache.forget("a");
    Future<JsonObject> gone = cache.get("a", () -> Future.failedFuture("USER_NOT_FOUND"));
    assertThat(gone.failed()).isTrue();
    assertThat(cache.size()).isZero();
  }

  @Test
  void aLoadThatRanWhileTheAccountWasDeletedIsNotKept() {
    UserCache cache = new UserCache(10, 60_000);
    Promise<JsonObject> slowRead = Promise.promise();
    Future<JsonObject> first = cache.get("a", slowRead::future);
    // the deletion commits and forgets the account while the read is still out
    cache.forget("a");
    slowRead.complete(user("a", null));
    assertThat(first.result()).isNotNull();
    Future<JsonObject> next = cache.get("a", () -> Future.failedFuture("USER_NOT_FOUND"));
    assertThat(next.failed()).as("the deleted account must not come back from the cache").isTrue();
  }

  @Test
  void aLoadThatRanWhileTheAvatarChangedIsNotKept() {
    UserCache cache = new UserCache(10, 60_000);
    cache.written(user("a", "https://x/avatars/old.png"));
    cache.forget("a"); // an upload is about to commit
    Promise<JsonObject> slowRead = Promise.promise();
    cache.get("a", slowRead::future);
    cache.forget("a"); // the upload committed while the read was out
    slowRead.complete(user("a", "https://x/avatars/old.png"));
    JsonObject served = cache.get("a", () -> Future.succeededFuture(user("a", "https://x/avatars/new.png"))).result();
    assertThat(served.getString("avatarUrl")).isEqualTo("https://x/avatars/new.png");
  }

  @Test
  void whatCallersDoToAnAnswerDoesNotChangeTheCache() {
    UserCache cache = new UserCache(10, 60_000);
    JsonObject written = user("a", null);
    cache.written(written);
    written.put("identifier", "changed by the writer");
    cache.get("a", () -> Future.failedFuture("not expected")).result().put("identifier", "changed by a reader");
    assertThat(cache.get("a", () -> Future.failedFuture("not expected")).result().getString("identifier"))
      .isEqualTo("name-a");
  }

  @Test
  void anAccountKeptLongerThanTheMaximumAgeIsReadAgain() {
    long[] now = {0};
    UserCache cache = new UserCache(10, 60_000, () -> now[0]);
    cache.written(user("a", null));
    now[0] = 59_999_000_000L;
    assertThat(cache.get("a", () -> Future.failedFuture("not expected")).succeeded()).isTrue();
    now[0] = 60_000_000_000L;
    // deleted behind the store's back: the next read finds no row
    assertThat(cache.get("a", () -> Future.failedFuture("USER_NOT_FOUND")).failed()).isTrue();
  }

  @Test
  void theLeastRecentlyUsedAccountsGoFirstAndCapacityZeroKeepsNone() {
    UserCache cache = new UserCache(2, 60_000);
    cache.written(user("a", null));
    cache.written(user("b", null));
    cache.get("a", () -> Future.failedFuture("not expected"));
    cache.written(user("c", null));
    assertThat(cache.get("b", () -> Future.failedFuture("evicted")).failed()).isTrue();
    assertThat(cache.get("a", () -> Future.failedFuture("not expected")).succeeded()).isTrue();

    UserCache off = new UserCache(0, 60_000);
    off.written(user("a", null));
    assertThat(off.size()).isZero();
  }
}
