package dev.avatarservice.cluster;

import dev.avatarservice.Main;
import dev.avatarservice.image.TestImages;
import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.TestCluster;
import dev.avatarservice.support.TestNode;
import dev.avatarservice.support.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No single point of failure on PostgreSQL: three clustered nodes, each running every role with a
 * working folder of its own (no shared avatar folder), on one PostgreSQL database. The first node
 * started runs in a JVM of its own and is killed with SIGKILL while registrations, refreshes and
 * uploads run against all three. Within 10 seconds the two others answer every route, and nothing
 * that was acknowledged before, during or after the kill is lost: every acknowledged registration
 * can log in, the successor of every acknowledged refresh works, every acknowledged upload is served
 * by both survivors.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PostgresClusterKillTest {

  private static final long REQUEST_TIMEOUT_MS = 5_000;
  private static final long TAKEOVER_MS = 10_000;

  @TempDir
  static Path temp;
  private static Process first;
  private static final List<TestNode> survivors = new ArrayList<>();
  private static Vertx clientVertx;
  private static WebClient firstClient;

  @BeforeAll
  static void start() throws Exception {
    long began = System.nanoTime();
    TestCluster cluster = new TestCluster(3);
    Map<String, Object> database = TestPostgres.config();
    int firstPort = TestNode.freePort();
    first = startProcess(cluster.member(0, node(database, "first")), firstPort);
    clientVertx = Vertx.vertx();
    firstClient = WebClient.create(clientVertx, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(firstPort));
    awaitReady(firstClient, 120_000);
    survivors.add(TestNode.startClustered(cluster.member(1, node(database, "second"))));
    survivors.add(TestNode.startClustered(cluster.member(2, node(database, "third"))));
    System.out.println("PostgresClusterKillTest: three nodes up after "
      + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began) + " ms");
  }

  @AfterAll
  static void stop() {
    if (first != null) {
      first.destroyForcibly();
    }
    survivors.forEach(TestNode::close);
    if (clientVertx != null) {
      clientVertx.close().await();
    }
  }

  /**
   * Every node's store caches the accounts and sessions it reads: a change made through one node is
   * seen by every other as soon as it is answered (the stores forget it before the answer).
   */
  @Test
  @Order(1)
  void aChangeAnsweredByOneNodeIsSeenAtOnceByEveryOther() {
    TestNode second = survivors.get(0);
    TestNode third = survivors.get(1);
    JsonObject registered = second.api().register("cache-" + System.nanoTime());
    String access = registered.getString("accessToken");
    // read through every node, so that each store has the account and the session cached
    for (WebClient client : List.of(firstClient, second.client(), third.client())) {
      assertThat(client.get("/api/user").bearerTokenAuthentication(access).send().await().statusCode()).isEqualTo(200);
    }

    HttpResponse<Buffer> uploaded = third.client().post("/api/user/avatar").bearerTokenAuthentication(access)
      .putHeader("Content-Type", "image/png").sendBuffer(Buffer.buffer(png())).await();
    String avatarUrl = uploaded.bodyAsJsonObject().getJsonObject("data").getString("avatarUrl");
    for (WebClient client : List.of(firstClient, second.client())) {
      HttpResponse<Buffer> user = client.get("/api/user").bearerTokenAuthentication(access).send().await();
      // each node builds URLs on its own PUBLIC_BASE_URL here: the avatar is the path
      assertThat(pathOf(user.bodyAsJsonObject().getJsonObject("data").getString("avatarUrl"))).isEqualTo(pathOf(avatarUrl));
    }

    // the session ended through one node: its access token is refused by every other at once
    HttpResponse<Buffer> loggedOut = firstClient.post("/api/logout").bearerTokenAuthentication(access)
      .sendJsonObject(new JsonObject().put("refreshToken", registered.getString("refreshToken"))).await();
    assertThat(loggedOut.statusCode()).as(loggedOut.bodyAsString()).isEqualTo(200);
    for (WebClient client : List.of(second.client(), third.client())) {
      assertThat(client.get("/api/user").bearerTokenAuthentication(access).send().await().statusCode()).isEqualTo(401);
    }
  }

  @Test
  @Order(2)
  void killingTheFirstNodeLosesNothingAcknowledgedAndTheOthersAnswerEveryRouteWithinTenSeconds() throws Exception {
    List<WebClient> clients = List.of(firstClient, survivors.get(0).client(), survivors.get(1).client());

    Workload workload = new Workload(clients);
    ExecutorService workers = Executors.newFixedThreadPool(3);
    List<Future<?>> running = new ArrayList<>();
    for (int worker = 0; worker < 3; worker++) {
      int id = worker;
      running.add(workers.submit(() -> workload.run(id)));
    }
    workload.awaitAcknowledged(12);
    List<Prepared> probes = List.of(Prepared.on(survivors.get(0)), Prepared.on(survivors.get(1)));

    first.destroyForcibly(); // SIGKILL: no shutdown hook, no goodbye to the cluster
    assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long killedAt = System.nanoTime();

    // every route answered by both survivors, within 10 s of the kill
    io.vertx.core.Future.all(everyRoute(probes.get(0), killedAt), everyRoute(probes.get(1), killedAt)).await();
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    System.out.println("PostgresClusterKillTest: the survivors answered every route " + tookMs + " ms after the kill");
    assertThat(tookMs).isLessThan(TAKEOVER_MS);

    // a little more load on the survivors alone, then stop
    workload.awaitAcknowledged(workload.acknowledged() + 6);
    workload.stop();
    for (Future<?> worker : running) {
      worker.get(60, TimeUnit.SECONDS);
    }
    workers.shutdown();

    // nothing acknowledged is lost: checked on both survivors
    assertThat(workload.accounts).isNotEmpty();
    for (TestNode survivor : survivors) {
      ApiClient api = survivor.api();
      for (Account account : workload.accounts) {
        api.login(account.identifier, ApiClient.PASSWORD);
        if (account.avatarPath != null) {
          HttpResponse<Buffer> served = survivor.client().get(account.avatarPath).timeout(REQUEST_TIMEOUT_MS).send().await();
          assertThat(served.statusCode()).as("an acknowledged upload is served").isEqualTo(200);
          assertThat(served.getHeader("Content-Type")).startsWith("image/");
          assertThat(served.getHeader("ETag")).isNotBlank();
          assertThat(served.getHeader("Cache-Control")).contains("immutable");
        }
      }
    }
    int chains = 0;
    for (Account account : workload.accounts) {
      if (account.refreshToken != null) {
        // the newest acknowledged token of the chain still rotates (once: the check uses it)
        HttpResponse<Buffer> refreshed = survivors.get(chains % 2).api().post("/api/refresh",
          new JsonObject().put("refreshToken", account.refreshToken));
        assertThat(refreshed.statusCode()).as("the successor of an acknowledged refresh works: %s",
          refreshed.bodyAsString()).isEqualTo(200);
        chains++;
      }
    }
    assertThat(chains).isPositive();
    System.out.println("PostgresClusterKillTest: " + workload.accounts.size() + " acknowledged accounts, "
      + workload.acknowledged() + " acknowledged requests, " + workload.refused.get() + " not acknowledged");
  }

  /** What the probes of one survivor need, made before the kill: two accounts, one with an avatar. */
  private record Prepared(WebClient client, JsonObject kept, JsonObject deleted, String avatarPath) {

    static Prepared on(TestNode node) {
      ApiClient api = node.api();
      String tag = Long.toString(System.nanoTime());
      JsonObject kept = api.register("probe-kept-" + tag);
      JsonObject deleted = api.register("probe-deleted-" + tag);
      HttpResponse<Buffer> uploaded = node.client().post("/api/user/avatar")
        .bearerTokenAuthentication(kept.getString("accessToken")).putHeader("Content-Type", "image/png")
        .sendBuffer(Buffer.buffer(png())).await();
      assertThat(uploaded.statusCode()).as(uploaded.bodyAsString()).isEqualTo(200);
      String avatar = pathOf(uploaded.bodyAsJsonObject().getJsonObject("data").getString("avatarUrl"));
      return new Prepared(node.client(), kept, deleted, avatar);
    }
  }

  /**
   * Every route of the API on one survivor, all at once, each repeated until it answers as it
   * should: completes when the last has.
   */
  private static io.vertx.core.Future<?> everyRoute(Prepared node, long killedAt) {
    WebClient client = node.client();
    long deadline = killedAt + TimeUnit.MILLISECONDS.toNanos(TAKEOVER_MS);
    String access = node.kept().getString("accessToken");
    String gone = node.deleted().getString("accessToken");
    String identifier = "route-" + System.nanoTime();
    String keptIdentifier = node.kept().getJsonObject("user").getString("identifier");
    List<java.util.function.Supplier<io.vertx.core.Future<HttpResponse<Buffer>>>> probes = List.of(
      () -> send(client.post("/api/register"), new JsonObject().put("identifier", identifier).put("password", ApiClient.PASSWORD)),
      () -> send(client.post("/api/login"), new JsonObject().put("identifier", keptIdentifier).put("password", ApiClient.PASSWORD)),
      () -> send(client.post("/api/refresh"), new JsonObject().put("refreshToken", node.deleted().getString("refreshToken"))),
      () -> client.get("/api/user").bearerTokenAuthentication(access).timeout(REQUEST_TIMEOUT_MS).send(),
      () -> client.get("/api/user/sessions").bearerTokenAuthentication(access).timeout(REQUEST_TIMEOUT_MS).send(),
      () -> client.get(node.avatarPath()).timeout(REQUEST_TIMEOUT_MS).send(),
      () -> client.post("/api/user/avatar").bearerTokenAuthentication(access).putHeader("Content-Type", "image/png")
        .timeout(REQUEST_TIMEOUT_MS).sendBuffer(Buffer.buffer(png())),
      () -> client.post("/api/logout").bearerTokenAuthentication(access).timeout(REQUEST_TIMEOUT_MS)
        .sendJsonObject(new JsonObject().put("refreshToken", node.kept().getString("refreshToken"))),
      () -> client.delete("/api/user").bearerTokenAuthentication(gone).timeout(REQUEST_TIMEOUT_MS).send(),
      () -> client.get("/ready").timeout(REQUEST_TIMEOUT_MS).send());
    int[] expected = {201, 200, 200, 200, 200, 200, 200, 200, 200, 200};
    List<io.vertx.core.Future<?>> answered = new ArrayList<>();
    for (int i = 0; i < probes.size(); i++) {
      answered.add(until(deadline, probes.get(i), expected[i]));
    }
    return io.vertx.core.Future.all(answered);
  }

  /** Repeats the request until it answers {@code status}, failing at the deadline. */
  private static io.vertx.core.Future<Void> until(long deadline,
                                                  java.util.function.Supplier<io.vertx.core.Future<HttpResponse<Buffer>>> request,
                                                  int status) {
    return request.get().transform(done -> {
      if (done.succeeded() && done.result().statusCode() == status) {
        return io.vertx.core.Future.succeededFuture();
      }
      String last = done.succeeded() ? done.result().statusCode() + " " + done.result().bodyAsString() : done.cause().toString();
      if (System.nanoTime() >= deadline) {
        return io.vertx.core.Future.failedFuture(new AssertionError("no " + status + " within 10 s of the kill; the last answer: " + last));
      }
      return until(deadline, request, status);
    });
  }

  private static io.vertx.core.Future<HttpResponse<Buffer>> send(io.vertx.ext.web.client.HttpRequest<Buffer> request,
                                                                 JsonObject body) {
    return request.timeout(REQUEST_TIMEOUT_MS).sendJsonObject(body);
  }

  /** Registrations, uploads and refreshes, round-robin over the three nodes, recording what was acknowledged. */
  private static final class Workload {

    final Queue<Account> accounts = new ConcurrentLinkedQueue<>();
    final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final List<WebClient> clients;

    Workload(List<WebClient> clients) {
      this.clients = clients;
    }

    void run(int worker) {
      int turn = worker;
      for (int round = 0; !stopped.get(); round++) {
        String identifier = "load-" + worker + "-" + round;
        JsonObject registered = call(clients.get(turn++ % 3).post("/api/register").timeout(REQUEST_TIMEOUT_MS)
          .sendJsonObject(new JsonObject().put("identifier", identifier).put("password", ApiClient.PASSWORD)), 201);
        if (registered == null) {
          // not acknowledged: it may or may not exist; nothing is claimed about it
          continue;
        }
        Account account = new Account(identifier, registered.getString("refreshToken"));
        accounts.add(account);
        JsonObject uploaded = call(clients.get(turn++ % 3).post("/api/user/avatar")
          .bearerTokenAuthentication(registered.getString("accessToken")).putHeader("Content-Type", "image/png")
          .timeout(REQUEST_TIMEOUT_MS).sendBuffer(Buffer.buffer(png())), 200);
        if (uploaded != null) {
          account.avatarPath = pathOf(uploaded.getString("avatarUrl"));
        }
        JsonObject refreshed = call(clients.get(turn++ % 3).post("/api/refresh").timeout(REQUEST_TIMEOUT_MS)
          .sendJsonObject(new JsonObject().put("refreshToken", account.refreshToken)), 200);
        // unacknowledged, the rotation may have happened: the chain's newest token is unknown
        account.refreshToken = refreshed == null ? null : refreshed.getString("refreshToken");
      }
    }

    private JsonObject call(io.vertx.core.Future<HttpResponse<Buffer>> request, int status) {
      try {
        HttpResponse<Buffer> response = request.await();
        if (response.statusCode() == status) {
          acknowledged.incrementAndGet();
          return response.bodyAsJsonObject().getJsonObject("data");
        }
      } catch (Exception e) {
        // the node was killed under the request, or it timed out: not acknowledged
      }
      refused.incrementAndGet();
      return null;
    }

    int acknowledged() {
      return acknowledged.get();
    }

    void awaitAcknowledged(int count) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (acknowledged.get() < count && System.nanoTime() < deadline) {
        Thread.sleep(50); // polling a counter the workers raise; there is no event to await
      }
      assertThat(acknowledged.get()).as("acknowledged requests").isGreaterThanOrEqualTo(count);
    }

    void stop() {
      stopped.set(true);
    }
  }

  private static final class Account {
    final String identifier;
    volatile String refreshToken;
    volatile String avatarPath;

    Account(String identifier, String refreshToken) {
      this.identifier = identifier;
      this.refreshToken = refreshToken;
    }
  }

  private static Map<String, Object> node(Map<String, Object> database, String name) throws Exception {
    Map<String, Object> config = new HashMap<>(database);
    config.put("ROLES", "all");
    config.put("STORE_TIMEOUT_MS", 3_000);
    config.put("AVATARS_DIR", Files.createDirectories(temp.resolve(name).resolve("avatars")).toString());
    return config;
  }

  /** The first node: {@link Main} in a JVM of its own, configured by environment variables as in production. */
  private static Process startProcess(Map<String, Object> config, int port) throws Exception {
    Path dir = Files.createDirectories(temp.resolve("first"));
    Map<String, String> env = new HashMap<>();
    TestNode.testDefaults(port, dir.resolve("avatars")).forEach(entry -> env.put(entry.getKey(), String.valueOf(entry.getValue())));
    config.forEach((key, value) -> env.put(key, String.valueOf(value)));
    env.remove("DB_PATH");
    env.put("HTTP_INSTANCES", "1");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
      .redirectOutput(dir.resolve("node.log").toFile());
    builder.environment().putAll(env);
    return builder.start();
  }

  private static void awaitReady(WebClient client, long timeoutMs) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (System.nanoTime() < deadline) {
      assertThat(first.isAlive()).as("the first node is running (see its node.log)").isTrue();
      try {
        if (client.get("/ready").timeout(2_000).send().await().statusCode() == 200) {
          return;
        }
      } catch (Exception notYet) {
        // not listening yet
      }
      Thread.sleep(200); // a process starting: nothing to await but its port
    }
    throw new AssertionError("the first node was not ready within " + timeoutMs + " ms: "
      + Files.readString(temp.resolve("first").resolve("node.log")));
  }

  private static String pathOf(String url) {
    return url.substring(url.indexOf("/avatars/"));
  }

  private static byte[] png() {
    return TestImages.png(TestImages.solid(16, 16, BufferedImage.TYPE_INT_RGB, Color.ORANGE));
  }
}
