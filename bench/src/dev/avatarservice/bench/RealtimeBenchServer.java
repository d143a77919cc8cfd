package dev.avatarservice.bench;

import dev.avatarservice.Node;
import dev.avatarservice.bus.EventAddress;
import dev.avatarservice.bus.Events;
import dev.avatarservice.config.AppConfig;
import dev.avatarservice.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * The node under test, for the realtime measurements (not a test): a node started as Main starts
 * it ({@link Node#start}, with metrics), configured like Main from conf/config.json and the
 * environment, plus a small control server on another port that the load client uses to read the
 * memory of this process and to publish avatar events on this node's bus. Without DB_PATH,
 * AVATARS_DIR, JWT_SECRET or AUTH_REQUESTS_PER_MINUTE in the environment, it uses a temporary
 * folder, a fixed secret and no practical limit.
 * <p>
 * Arguments: the public port, the control port. See bench/README-realtime.md and BENCHMARKS.md.
 */
public final class RealtimeBenchServer {

  public static final String SECRET = "bench-secret-bench-secret-bench-secret-0123456789";

  private RealtimeBenchServer() {
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int controlPort = Integer.parseInt(args[1]);
    Map<String, String> env = System.getenv();
    JsonObject json = ConfigLoader.load(Path.of("").toAbsolutePath(), env)
      .put("HTTP_HOST", "127.0.0.1")
      .put("HTTP_PORT", port);
    if (!env.containsKey("DB_PATH") || !env.containsKey("AVATARS_DIR")) {
      Path dir = Files.createTempDirectory("realtime-bench");
      json.put("DB_PATH", dir.resolve("bench.db").toString()).put("AVATARS_DIR", dir.resolve("avatars").toString());
    }
    if (!env.containsKey("JWT_SECRET")) {
      json.put("JWT_SECRET", SECRET);
    }
    if (!env.containsKey("AUTH_REQUESTS_PER_MINUTE")) {
      json.put("AUTH_REQUESTS_PER_MINUTE", 1_000_000);
    }
    AppConfig config = AppConfig.from(json);
    Vertx vertx = Node.start(config).await().vertx();

    vertx.createHttpServer().requestHandler(request -> {
      switch (request.path()) {
        case "/memory" -> vertx.executeBlocking(RealtimeBenchServer::memory)
          .onSuccess(memory -> request.response().end(memory.encode()));
        case "/publish" -> {
          String userId = request.getParam("user");
          vertx.eventBus().publish(EventAddress.AVATAR_CHANGED,
            Events.avatarChanged(userId, config.publicBaseUrl() + "/avatars/bench.png", Instant.now()));
          request.response().end();
        }
        default -> request.response().setStatusCode(404).end();
      }
    }).listen(controlPort, "127.0.0.1").await();
    System.out.println("bench node on " + port + ", control on " + controlPort + ", pid " + ProcessHandle.current().pid());
  }

  /** Heap in use after full collections, and the resident set size of the process. */
  private static JsonObject memory() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long rss = -1;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (Exception e) {
      // not Linux: RSS unknown
    }
    return new JsonObject().put("heapAfterGc", heap).put("rss", rss);
  }
}
