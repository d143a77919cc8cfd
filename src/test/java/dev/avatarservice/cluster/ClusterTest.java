package dev.avatarservice.cluster;

import dev.avatarservice.bus.SharedNames;
import dev.avatarservice.account.LoginThrottle;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.avatarservice.bus.EventAddress;
import dev.avatarservice.bus.Events;
import dev.avatarservice.store.StoreRoleTakenException;
import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.TestCluster;
import dev.avatarservice.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Three clustered nodes in one JVM, each with its own Vert.x, Hazelcast member and HTTP port: A runs
 * every role, B and C run {@code http,notify} and reach A's store over the clustered event bus. The
 * later tests take nodes away (C, then the store node A), so the methods run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterTest {

  private static final long REQUEST_TIMEOUT_MS = 5_000;

  /** Every node serves the avatar files from the one folder the store writes (docs/CLUSTER.md). */
  @TempDir
  static Path avatars;

  private static TestCluster cluster;
  private static TestNode a;
  private static TestNode b;
  private static TestNode c;

  @BeforeAll
  static void start() {
    cluster = new TestCluster(4);
    a = TestNode.startClustered(cluster.member(0, node("all")));
    b = TestNode.startClustered(cluster.member(1, node("http,notify")));
    c = TestNode.startClustered(cluster.member(2, node("http,notify")));
  }

  @AfterAll
  static void stop() {
    for (TestNode node : new TestNode[] {c, b, a}) {
      if (node != null) {
        node.close();
      }
    }
  }

  @Test
  @Order(1)
  void tokensIssuedByOneNodeWorkOnTheOthers() {
    JsonObject registered = a.api().register("cluster-alice");

    HttpResponse<Buffer> refreshed = b.api().post("/api/refresh",
      new JsonObject().put("refreshToken", registered.getString("refreshToken")));
    JsonObject pair = JSendAssert.success(refreshed);
    JsonObject user = JSendAssert.success(c.api().get("/api/user", pair.getString("accessToken")));

    assertThat(user.getString("id")).isEqualTo(registered.getJsonObject("user").getString("id"));
    // the rotation happened in the one store: the used token is refused everywhere
    HttpResponse<Buffer> reused = c.api().post("/api/refresh",
      new JsonObject().put("refreshToken", registered.getString("refreshToken")));
    JSendAssert.fail(reused, 401, "invalid_token");
  }

  @Test
  @Order(2)
  void aLoginLockoutBuiltOnOneNodeHoldsOnAnother() {
    a.api().register("cluster-bob");
    int limit = a.settings().accounts().loginFailuresLimit();
    for (int i = 0; i < limit; i++) {
      HttpResponse<Buffer> wrong = a.api().post("/api/login",
        new JsonObject().put("identifier", "cluster-bob").put("password", "not-the-password-" + i));
      assertThat(wrong.statusCode()).as(wrong.bodyAsString()).isEqualTo(401);
    }

    HttpResponse<Buffer> locked = b.api().post("/api/login",
      new JsonObject().put("identifier", "cluster-bob").put("password", ApiClient.PASSWORD));

    JSendAssert.fail(locked, 429, "rate_limited");
    assertThat(Long.parseLong(locked.getHeader("Retry-After"))).isPositive();
    // one Hazelcast entry of that pair, counted up by entry processors, and expiring with its window
    IMap<String, long[]> failures = hazelcast(c).getMap(SharedNames.LOGIN_FAILURES);
    String key = LoginThrottle.key("cluster-bob", "127.0.0.1");
    assertThat(failures.get(key)[0]).isEqualTo(limit);
    assertThat(failures.getEntryView(key).getTtl()).isBetween(1L, a.settings().accounts().loginFailuresWindowSeconds() * 1000L);
  }

  @Test
  @Order(2)
  void wrongPasswordsSentAtOnceToEveryNodeAreCountedOneByOne() {
    a.api().register("cluster-erin");
    int limit = a.settings().accounts().loginFailuresLimit();
    // three guesses per node, all on the wire together
    List<Future<HttpResponse<Buffer>>> guesses = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      TestNode node = List.of(a, b, c).get(i % 3);
      guesses.add(node.client().post("/api/login").timeout(REQUEST_TIMEOUT_MS)
        .sendJsonObject(new JsonObject().put("identifier", "cluster-erin").put("password", "wrong-guess-" + i)));
    }
    Future.join(guesses).await();

    List<HttpResponse<Buffer>> answers = guesses.stream().map(Future::result).toList();
    assertThat(answers).filteredOn(r -> r.statusCode() == 401).hasSize(limit);
    assertThat(answers).filteredOn(r -> r.statusCode() == 429).hasSize(9 - limit);
  }

  @Test
  @Order(3)
  void anEventPublishedOnOneNodeReachesTheConsumersOfEveryOtherNode() throws Exception {
    JsonObject event = Events.avatarChanged("user-1", "http://localhost/avatars/x.png", Instant.now());
    List<Promise<JsonObject>> received = new ArrayList<>();
    List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
    for (TestNode node : List.of(b, c)) {
      Promise<JsonObject> got = Promise.promise();
      MessageConsumer<JsonObject> consumer = node.vertx().eventBus()
        .consumer(EventAddress.AVATAR_CHANGED, message -> got.tryComplete(message.body()));
      consumer.completion().await(10, TimeUnit.SECONDS);
      received.add(got);
      consumers.add(consumer);
    }

    a.vertx().eventBus().publish(EventAddress.AVATAR_CHANGED, event);

    for (Promise<JsonObject> got : received) {
      assertThat(got.future().await(10, TimeUnit.SECONDS)).isEqualTo(event);
    }
    consumers.forEach(consumer -> consumer.unregister().await());
  }

  /**
   * On an in-memory database, which no other node could open, a second store node refuses to start;
   * on an SQLite file it would wait as a standby (StoreStandbyTest).
   */
  @Test
  @Order(4)
  void aSecondNodeWithTheStoreRoleOnAnInMemoryDatabaseRefusesToStart() throws Exception {
    Promise<Void> joined = Promise.promise();
    Promise<Void> left = Promise.promise();
    HazelcastInstance hazelcast = hazelcast(a);
    UUID listener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        joined.tryComplete();
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        left.tryComplete();
      }
    });
    try {
      assertThatThrownBy(() -> TestNode.startClustered(cluster.member(3, node("all"))))
        .isInstanceOf(StoreRoleTakenException.class)
        .hasMessageContaining(SharedNames.STORE_ROLE_LOCK);

      // it had joined, and it has left again; the first store still serves every node
      joined.future().await(10, TimeUnit.SECONDS);
      left.future().await(10, TimeUnit.SECONDS);
      assertThat(hazelcast.getCluster().getMembers()).hasSize(3);
      assertThat(get(b, "/ready").statusCode()).isEqualTo(200);
      assertThat(get(c, "/ready").statusCode()).isEqualTo(200);
    } finally {
      hazelcast.getCluster().removeMembershipListener(listener);
    }
  }

  @Test
  @Order(5)
  void theOtherNodesKeepWorkingWhenAnHttpNodeLeaves() throws Exception {
    c.close();
    c = null;

    JsonObject registered = b.api().register("cluster-carol");
    JsonObject login = a.api().login("cluster-carol", ApiClient.PASSWORD);
    assertThat(login.getJsonObject("user").getString("id")).isEqualTo(registered.getJsonObject("user").getString("id"));
    assertThat(get(a, "/ready").statusCode()).isEqualTo(200);
    assertThat(get(b, "/ready").statusCode()).isEqualTo(200);

    Promise<JsonObject> got = Promise.promise();
    MessageConsumer<JsonObject> consumer = a.vertx().eventBus()
      .consumer(EventAddress.USER_DELETED, message -> got.tryComplete(message.body()));
    consumer.completion().await(10, TimeUnit.SECONDS);
    JsonObject event = Events.userDeleted("user-2");
    b.vertx().eventBus().publish(EventAddress.USER_DELETED, event);
    assertThat(got.future().await(10, TimeUnit.SECONDS)).isEqualTo(event);
    consumer.unregister().await();
  }

  @Test
  @Order(6)
  void withoutTheStoreNodeTheOthersAnswer503QuicklyInsteadOfHanging() throws Exception {
    String accessToken = b.api().register("cluster-dave").getString("accessToken");
    a.close();
    a = null;

    HttpResponse<Buffer> notReady = awaitResponse(() -> get(b, "/ready"), response -> response.statusCode() == 503);
    JsonObject body = JSendAssert.error(notReady, 503);
    assertThat(body.getJsonObject("data").getString("status")).isEqualTo("DOWN");
    assertThat(notReady.getHeader("Retry-After")).isNotBlank();

    long started = System.nanoTime();
    HttpResponse<Buffer> user = b.client().get("/api/user").bearerTokenAuthentication(accessToken)
      .timeout(REQUEST_TIMEOUT_MS).send().await();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(REQUEST_TIMEOUT_MS);
    JSendAssert.error(user, 503);
    assertThat(user.getHeader("Retry-After")).isNotBlank();
    // a route that needs no store still answers
    assertThat(get(b, "/health").statusCode()).isEqualTo(200);
  }

  /** Store requests give up after 3 s, so that a request to a store that is gone cannot hang a test. */
  private static Map<String, Object> node(String roles) {
    return Map.of("ROLES", roles, "STORE_TIMEOUT_MS", 3_000, "AVATARS_DIR", avatars.toString());
  }

  private static HazelcastInstance hazelcast(TestNode node) {
    return ((HazelcastClusterManager) ((VertxInternal) node.vertx()).clusterManager()).getHazelcastInstance();
  }

  private static HttpResponse<Buffer> get(TestNode node, String path) {
    return node.client().get(path).timeout(REQUEST_TIMEOUT_MS).send().await();
  }

  /** Repeats a request until its response satisfies the condition, for at most ten seconds. */
  private static HttpResponse<Buffer> awaitResponse(Supplier<HttpResponse<Buffer>> request,
                                                    Predicate<HttpResponse<Buffer>> condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    HttpResponse<Buffer> last;
    do {
      long started = System.nanoTime();
      last = request.get();
      // every answer, ready or not, comes within the readiness check's own timeout
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(3_000);
      if (condition.test(last)) {
        return last;
      }
    } while (System.nanoTime() < deadline);
    return fail("no matching response within 10 s; the last was %d %s", last.statusCode(), last.bodyAsString());
  }
}
