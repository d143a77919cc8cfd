package dev.avatarservice.clients;

import com.sun.net.httpserver.HttpServer;
import dev.avatarservice.support.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The JavaScript client in {@code clients/js}, through the system's node and npm: its committed
 * build (the types generated from openapi.yaml, the JavaScript the demo serves) matches a fresh
 * build of its source, and its tests (node's test runner) pass against a real node, one whose
 * access tokens live 3 seconds so that refreshing and re-authenticating happen within the test.
 * The node can be restarted by the client tests (same port, same data) through a small control
 * endpoint, to see the client reconnect. Without node or npm the tests are skipped, except when
 * {@code CI=true}. {@code npm ci} runs once per run, from the committed lockfile.
 */
class ClientJsTest {

  private static final Path CLIENT = Path.of("clients", "js");
  private static final Path LOG = Path.of("target", "client-js");
  private static final long NODE_TIMEOUT_SECONDS = 300;

  private static boolean installed;
  private static final Map<String, Long> timings = new LinkedHashMap<>();

  @AfterAll
  static void report() {
    if (!timings.isEmpty()) {
      System.out.println("ClientJsTest timings (ms): " + timings);
    }
  }

  @Test
  void theCommittedTypesAndWebBuildMatchAFreshBuildOfTheSource() throws Exception {
    install();
    Result check = run("check-fresh", List.of("node", "scripts/check-fresh.mjs"), Map.of());
    assertThat(check.exitCode).as("clients/js is stale (run `npm run generate && npm run build` there):\n%s", check.output).isZero();
  }

  @Test
  void theClientWorksAgainstARealNode() throws Exception {
    install();
    Path data = Files.createTempDirectory("client-js-node");
    Map<String, Object> config = Map.of(
      "HTTP_PORT", TestNode.freePort(),
      "DB_PATH", data.resolve("avatar-service.db").toString(),
      "AVATARS_DIR", Files.createDirectories(data.resolve("avatars")).toString(),
      "ACCESS_TOKEN_TTL", 3,
      "JWT_LEEWAY_SECONDS", 0,
      "AVATAR_UPLOADS_PER_MINUTE", 1000);
    Restartable node = new Restartable(config);
    HttpServer control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    control.createContext("/restart", exchange -> {
      byte[] answer;
      int status;
      try {
        node.restart();
        status = 200;
        answer = "restarted".getBytes(StandardCharsets.UTF_8);
      } catch (RuntimeException e) {
        status = 500;
        answer = ("restart failed: " + e).getBytes(StandardCharsets.UTF_8);
      }
      exchange.sendResponseHeaders(status, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    control.start();
    try {
      Result tests = run("node-test", List.of("node", "--test", "--test-concurrency=1", "--test-reporter=spec", "test/"), Map.of(
        "AVATAR_BASE_URL", node.current().baseUrl(),
        "AVATAR_CONTROL_URL", "http://127.0.0.1:" + control.getAddress().getPort() + "/restart"));
      assertThat(tests.exitCode).as("node --test in clients/js:\n%s", tests.output).isZero();
      // the spec reporter's summary: every test ran (none skipped, e.g. for want of the control URL) and passed
      assertThat(tests.output).contains("ℹ fail 0", "ℹ cancelled 0", "ℹ skipped 0").doesNotContain("ℹ pass 0");
    } finally {
      control.stop(0);
      node.close();
    }
  }

  /** A node that the client tests may restart on the same port and data. */
  private static final class Restartable implements AutoCloseable {
    private final Map<String, Object> config;
    private TestNode node;

    Restartable(Map<String, Object> config) {
      this.config = config;
      this.node = TestNode.start(config);
    }

    synchronized TestNode current() {
      return node;
    }

    synchronized void restart() {
      node.close();
      node = TestNode.start(config);
    }

    @Override
    public synchronized void close() {
      node.close();
    }
  }

  /** node and npm on the PATH (skipped without them, failed without them in CI), then npm ci once. */
  private static synchronized void install() throws Exception {
    if (installed) {
      return;
    }
    List<String> missing = new ArrayList<>();
    for (String tool : List.of("node", "npm")) {
      if (!onPath(tool)) {
        missing.add(tool);
      }
    }
    if (!missing.isEmpty()) {
      String message = "ClientJsTest needs Node.js 20 or later (node and npm on the PATH); missing: " + String.join(", ", missing);
      if ("true".equals(System.getenv("CI"))) {
        fail(message + ". CI=true, where the client tests are required.");
      }
      System.err.println("Skipped: " + message);
      Assumptions.abort(message);
    }
    Result ci = run("npm-ci", List.of("npm", "ci", "--no-audit", "--no-fund", "--prefer-offline"), Map.of());
    assertThat(ci.exitCode).as("npm ci in clients/js:\n%s", ci.output).isZero();
    installed = true;
  }

  private static boolean onPath(String tool) {
    try {
      Process process = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private record Result(int exitCode, String output) {
  }

  /** Runs a command in clients/js; its output is kept in target/client-js/NAME.log and returned. */
  private static Result run(String name, List<String> command, Map<String, String> env) throws Exception {
    long start = System.nanoTime();
    ProcessBuilder builder = new ProcessBuilder(command).directory(CLIENT.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    byte[] output;
    try (InputStream in = process.getInputStream()) {
      output = in.readAllBytes();
    }
    if (!process.waitFor(NODE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail(String.join(" ", command) + " did not finish in " + NODE_TIMEOUT_SECONDS + " s");
    }
    String text = new String(output, StandardCharsets.UTF_8);
    try {
      Files.createDirectories(LOG);
      Files.writeString(LOG.resolve(name + ".log"), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    timings.put(name, (System.nanoTime() - start) / 1_000_000);
    System.out.println("ClientJsTest: " + String.join(" ", command) + " ->\n" + text);
    return new Result(process.exitValue(), text);
  }
}
