package dev.avatarservice.bench;

import dev.avatarservice.Node;
import dev.avatarservice.config.ConfigLoader;
import dev.avatarservice.config.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * The node under test of the realtime scenario (not a test): a node started as Main starts it
 * ({@link Node#start}, with metrics), configured like Main from conf/config.json and the
 * environment ({@link RealtimeScenario} gives it a benchmark node's full environment), plus a small
 * control server on another port that reports the memory of this process.
 * <p>
 * Arguments: the public port, the control port. See BENCHMARKS.md (scenario 5).
 */
public final class RealtimeBenchServer {

  private RealtimeBenchServer() {
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int controlPort = Integer.parseInt(args[1]);
    JsonObject json = ConfigLoader.load(Path.of("").toAbsolutePath(), System.getenv())
      .put("HTTP_HOST", "127.0.0.1")
      .put("HTTP_PORT", port);
    Vertx vertx = Node.start(Settings.parse(json)).await().vertx();

    vertx.createHttpServer().requestHandler(request -> {
      if (request.path().equals("/memory")) {
        vertx.executeBlocking(RealtimeBenchServer::memory)
          .onSuccess(memory -> request.response().end(memory.encode()))
          .onFailure(e -> request.response().setStatusCode(500).end(e.toString()));
      } else {
        request.response().setStatusCode(404).end();
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
    // Proc is on this JVM's class path too (the bench classes)
    return new JsonObject().put("heapAfterGc", heap).put("rss", Proc.rssBytes(ProcessHandle.current().pid()));
  }
}
