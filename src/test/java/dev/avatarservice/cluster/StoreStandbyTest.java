package dev.avatarservice.cluster;

import dev.avatarservice.Main;
import dev.avatarservice.bus.StoreAddress;
import dev.avatarservice.image.TestImages;
import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.JSendAssert;
import dev.avatarservice.support.TestCluster;
import dev.avatarservice.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The SQLite standby (docs/CLUSTER.md "SQLite standby"): the store holder runs as a JVM of its own,
 * started like an operator starts a node, so that it can be killed with SIGKILL or frozen with
 * SIGSTOP; the standby is a node of this JVM with the store role on the same data folder.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StoreStandbyTest {

  private static final long REQUEST_TIMEOUT_MS = 5_000;
  private static final byte[] PNG = TestImages.png(TestImages.solid(16, 16, BufferedImage.TYPE_INT_RGB, Color.ORANGE));

  @TempDir
  Path data;

  private Process holder;
  private final List<String> holderOutput = new ArrayList<>();
  private TestNode standby;
  private WebClient holderClient;

  @AfterEach
  void stop() {
    if (standby != null) {
      standby.close();
    }
    if (holderClient != null) {
      holderClient.close();
    }
    if (holder != null) {
      holder.destroyForcibly();
    }
  }

  @Test
  void theStandbyTakesOverFromAKilledHolderAndNothingAcknowledgedIsLost() throws Exception {
    TestCluster cluster = new TestCluster(2);
    startHolder(cluster);
    standby = TestNode.startClustered(cluster.member(1, standbyConfig()));

    // while the holder lives the standby serves no store request: not its own, not the cluster's
    // ready once the standby's bus reaches the holder (a loaded machine may take more than one check)
    JsonObject before = awaitStoreCheck(standby, check -> true);
    assertThat(before.getString("holder")).isEqualTo(address(cluster, 0));
    assertThat(before.getBoolean("local")).isFalse();
    Throwable local = standby.vertx().eventBus().request(StoreAddress.local(StoreAddress.PING), new JsonObject())
      .map(reply -> (Throwable) null).otherwise(error -> error).await();
    assertThat(local).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) local).failureType()).isEqualTo(ReplyFailure.NO_HANDLERS);
    for (int i = 0; i < 6; i++) {
      JsonObject pong = standby.vertx().eventBus().<JsonObject>request(StoreAddress.PING, new JsonObject()).await().body();
      assertThat(pong.getString("holder")).isEqualTo(address(cluster, 0));
    }

    Writer writer = new Writer(standby.client());
    ExecutorService writing = Executors.newSingleThreadExecutor();
    Future<Void> written = Future.fromCompletionStage(CompletableFuture.runAsync(writer, writing));
    try {
      writer.awaitIterations(3);
      long killed = System.nanoTime();
      holder.destroyForcibly(); // SIGKILL: no goodbye to the cluster, nothing flushed
      assertThat(holder.waitFor(10, TimeUnit.SECONDS)).isTrue();

      JsonObject after = awaitStoreCheck(standby, check -> check.getBoolean("local", false));
      long tookOverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
      assertThat(after.getString("holder")).isEqualTo(address(cluster, 1));
      // killed on this host: its refused connections give it away in about a second, and the standby
      // opens at once, since the holder's process is gone
      assertThat(tookOverMs).as("kill to take-over").isLessThan(10_000);
      System.out.printf("StoreStandbyTest: kill -9 of the holder to the standby's /ready naming itself: %d ms%n", tookOverMs);

      int at = writer.iterations.get();
      writer.awaitIterations(at + 3);
    } finally {
      writer.stop.set(true);
      written.await(30, TimeUnit.SECONDS);
      writing.shutdown();
    }

    ApiClient api = standby.api();
    assertThat(writer.accounts).hasSizeGreaterThanOrEqualTo(6);
    for (String identifier : writer.accounts) {
      api.login(identifier, ApiClient.PASSWORD);
    }
    assertThat(writer.avatars).isNotEmpty();
    for (String url : writer.avatars) {
      // the URL names the public base URL of the node that stored it; any node serves the path
      HttpResponse<Buffer> served = standby.client().get(URI.create(url).getPath()).timeout(REQUEST_TIMEOUT_MS).send().await();
      assertThat(served.statusCode()).as(url).isEqualTo(200);
    }
    assertThat(writer.successors).isNotEmpty();
    for (String refreshToken : writer.successors) {
      HttpResponse<Buffer> refreshed = api.post("/api/refresh", new JsonObject().put("refreshToken", refreshToken));
      assertThat(refreshed.statusCode()).as(refreshed.bodyAsString()).isEqualTo(200);
    }
  }

  @Test
  void aHolderFrozenUntilTheClusterRemovedItNeverServesAgain() throws Exception {
    TestCluster cluster = new TestCluster(2);
    startHolder(cluster);
    standby = TestNode.startClustered(cluster.member(1, standbyConfig()));
    String accessToken = standby.api().register("frozen-holder").getString("accessToken");
    holderClient = WebClient.create(standby.vertx(), new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(Integer.parseInt(holderEnv.get("HTTP_PORT"))));

    signal("STOP");
    awaitStoreCheck(standby, check -> check.getBoolean("local", false));
    // asked while frozen, answered the moment it runs again: by then the standby serves the store
    Future<HttpResponse<Buffer>> ready = holderClient.get("/ready").timeout(20_000).send();
    signal("CONT");

    HttpResponse<Buffer> readyAnswer = ready.await();
    assertThat(servedByItsOwnStore(readyAnswer)).as(readyAnswer.bodyAsString()).isFalse();
    awaitOutput("no longer serving store requests");
    // judged after D + 2I: it was removed, so it stays out and leaves the lock to Hazelcast
    awaitOutput("Store role lost");
    synchronized (holderOutput) {
      holderOutput.stream().filter(line -> line.contains("StoreRole")).forEach(System.out::println);
    }
    HttpResponse<Buffer> later = holderClient.get("/ready").timeout(REQUEST_TIMEOUT_MS).send().await();
    assertThat(servedByItsOwnStore(later)).as(later.bodyAsString()).isFalse();
    // the standby serves on
    assertThat(JSendAssert.success(standby.api().get("/api/user", accessToken)).getString("identifier"))
      .isEqualTo("frozen-holder");
  }

  private static boolean servedByItsOwnStore(HttpResponse<Buffer> ready) {
    if (ready.statusCode() != 200) {
      return false;
    }
    return JSendAssert.success(ready).getJsonArray("checks").getJsonObject(0).getJsonObject("data").getBoolean("local");
  }

  private Map<String, String> holderEnv;

  /** The holder: Main in a JVM of its own, every role, the SQLite file and avatar folder of {@link #data}. */
  private void startHolder(TestCluster cluster) throws IOException, InterruptedException {
    Map<String, Object> config = cluster.member(0, Map.of(
      "ROLES", "all",
      "HTTP_HOST", "127.0.0.1",
      "HTTP_PORT", TestNode.freePort(),
      "MANAGEMENT_PORT", 0,
      "DB_PATH", data.resolve("avatar-service.db").toString(),
      "AVATARS_DIR", data.resolve("avatars").toString(),
      "JWT_SECRET", TestNode.JWT_SECRET,
      "AUTH_REQUESTS_PER_MINUTE", 100_000,
      "STORE_TIMEOUT_MS", 3_000));
    holderEnv = new HashMap<>();
    config.forEach((key, value) -> holderEnv.put(key, String.valueOf(value)));
    Path dir = Files.createDirectories(data.resolve("holder"));
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName())
      .directory(dir.toFile()).redirectErrorStream(true);
    builder.environment().putAll(holderEnv);
    holder = builder.start();
    holder.getOutputStream().close();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          synchronized (holderOutput) {
            holderOutput.add(line);
            holderOutput.notifyAll();
          }
        }
      } catch (IOException e) {
        // the process is gone
      }
    }, "holder-output");
    reader.setDaemon(true);
    reader.start();
    awaitOutput(" started in ");
  }

  private Map<String, Object> standbyConfig() {
    return Map.of("ROLES", "all", "STORE_TIMEOUT_MS", 3_000,
      "DB_PATH", data.resolve("avatar-service.db").toString(), "AVATARS_DIR", data.resolve("avatars").toString());
  }

  private static String address(TestCluster cluster, int slot) {
    return "127.0.0.1:" + cluster.member(slot, Map.of()).get("CLUSTER_PORT");
  }

  /** Asks {@code /ready} until its store check is UP and satisfies the condition, for at most 30 s. */
  private static JsonObject awaitStoreCheck(TestNode node, Predicate<JsonObject> condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String last = "";
    while (System.nanoTime() < deadline) {
      HttpResponse<Buffer> ready = node.client().get("/ready").timeout(REQUEST_TIMEOUT_MS).send()
        .otherwise((HttpResponse<Buffer>) null).await();
      if (ready != null && ready.statusCode() == 200) {
        JsonObject data = JSendAssert.success(ready).getJsonArray("checks").getJsonObject(0).getJsonObject("data");
        if (condition.test(data)) {
          return data;
        }
      }
      last = ready == null ? "no answer" : ready.bodyAsString();
      // the readiness check answers within 2 s; between answers, a short breath
      node.vertx().timer(100).await();
    }
    return fail("the store check never satisfied the condition; the last answer: %s", last);
  }

  /** Waits for a line of the holder's output (the reader thread signals each one). */
  private void awaitOutput(String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    synchronized (holderOutput) {
      while (holderOutput.stream().noneMatch(line -> line.contains(text))) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0 || !holder.isAlive()) {
          fail("the holder did not print '%s' (alive: %s):%n%s", text, holder.isAlive(), String.join("\n", holderOutput));
        }
        // woken by each new line; the bound notices a holder that died silently
        holderOutput.wait(Math.min(left, 1_000));
      }
    }
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(holder.pid())).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -" + name).isTrue();
  }

  /**
   * Writes through the standby's HTTP (which reaches whichever node serves the store) until told to
   * stop: a registration, an upload and a refresh per iteration, keeping what was acknowledged.
   */
  private static final class Writer implements Runnable {

    private final WebClient client;
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger iterations = new AtomicInteger();
    final List<String> accounts = new CopyOnWriteArrayList<>();
    final List<String> avatars = new CopyOnWriteArrayList<>();
    final List<String> successors = new CopyOnWriteArrayList<>();

    Writer(WebClient client) {
      this.client = client;
    }

    @Override
    public void run() {
      for (int n = 0; !stop.get(); n++) {
        String identifier = "standby-" + n;
        HttpResponse<Buffer> registered = send(client.post("/api/register").timeout(REQUEST_TIMEOUT_MS)
          .sendJsonObject(new JsonObject().put("identifier", identifier).put("password", ApiClient.PASSWORD)));
        if (registered == null || registered.statusCode() != 201) {
          continue;
        }
        accounts.add(identifier);
        JsonObject tokens = JSendAssert.success(registered);
        HttpResponse<Buffer> uploaded = send(client.post("/api/user/avatar").timeout(REQUEST_TIMEOUT_MS)
          .bearerTokenAuthentication(tokens.getString("accessToken")).putHeader("Content-Type", "image/png")
          .sendBuffer(Buffer.buffer(PNG)));
        if (uploaded == null || uploaded.statusCode() != 200) {
          continue;
        }
        avatars.add(JSendAssert.success(uploaded).getString("avatarUrl"));
        HttpResponse<Buffer> refreshed = send(client.post("/api/refresh").timeout(REQUEST_TIMEOUT_MS)
          .sendJsonObject(new JsonObject().put("refreshToken", tokens.getString("refreshToken"))));
        if (refreshed == null || refreshed.statusCode() != 200) {
          continue;
        }
        successors.add(JSendAssert.success(refreshed).getString("refreshToken"));
        synchronized (this) {
          iterations.incrementAndGet();
          notifyAll();
        }
      }
    }

    /** The answer, or null when none came (the store node died under the request: not acknowledged). */
    private static HttpResponse<Buffer> send(Future<HttpResponse<Buffer>> request) {
      return request.otherwise((HttpResponse<Buffer>) null).await();
    }

    synchronized void awaitIterations(int count) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (iterations.get() < count) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          fail("only %d complete write iterations of %d within 60 s", iterations.get(), count);
        }
        wait(left);
      }
    }

  }
}
