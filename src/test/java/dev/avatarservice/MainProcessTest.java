package dev.avatarservice;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line as an operator meets it: a real JVM running {@link Main}, its output and exit code. */
class MainProcessTest {

  record Exit(int code, String output) {
  }

  private static Exit java(Path dir, Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Exit(process.exitValue(), output);
  }

  @Test
  void helpAndVersionAnswerAndExitZero(@TempDir Path dir) throws Exception {
    Exit help = java(dir, Map.of(), "--help");
    assertThat(help.code()).isZero();
    assertThat(help.output()).contains("Usage: java -jar avatar-service.jar", "admin <command>", "--version");
    Exit version = java(dir, Map.of(), "--version");
    assertThat(version.code()).isZero();
    assertThat(version.output().strip()).matches("avatar-service \\S+ \\(commit \\S+\\)");
    Exit adminHelp = java(dir, Map.of(), "admin", "users", "delete", "--help");
    assertThat(adminHelp.code()).isZero();
    assertThat(adminHelp.output()).contains("users delete ID");
  }

  /** One line naming the key and the port, no stack trace, and the exit code of a failed start. */
  @Test
  void aPortInUseIsOneClearLine(@TempDir Path dir) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      Exit exit = java(dir, Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", Integer.toString(port),
        "MANAGEMENT_PORT", "0", "DB_PATH", dir.resolve("a.db").toString(),
        "AVATARS_DIR", dir.resolve("avatars").toString()));
      assertThat(exit.code()).as(exit.output()).isEqualTo(1);
      List<String> errors = exit.output().lines().filter(line -> line.contains("ERROR")).toList();
      assertThat(errors).hasSize(1);
      assertThat(errors.get(0)).contains("HTTP_PORT=" + port, "already in use");
      assertThat(exit.output()).doesNotContain("\tat ", "Exception");

      Exit management = java(dir, Map.of("HTTP_HOST", "127.0.0.1", "HTTP_PORT", Integer.toString(freePort()),
        "MANAGEMENT_PORT", Integer.toString(port), "DB_PATH", dir.resolve("b.db").toString(),
        "AVATARS_DIR", dir.resolve("avatars").toString()));
      assertThat(management.code()).as(management.output()).isEqualTo(1);
      assertThat(management.output()).contains("MANAGEMENT_PORT=" + port).doesNotContain("\tat ");
    }
  }

  /** The container's health check: 0 while the node is ready, 1 when nothing answers. */
  @Test
  void theHealthCheckNeedsOnlyTheJvm(@TempDir Path dir) throws Exception {
    try (dev.avatarservice.support.TestNode node = dev.avatarservice.support.TestNode.start()) {
      Exit ready = java(dir, Map.of("HTTP_PORT", Integer.toString(node.port())), dev.avatarservice.cli.HealthCheck.class);
      assertThat(ready.code()).as(ready.output()).isZero();
    }
    Exit down = java(dir, Map.of("HTTP_PORT", Integer.toString(freePort())), dev.avatarservice.cli.HealthCheck.class);
    assertThat(down.code()).isEqualTo(1);
    assertThat(down.output()).startsWith("unhealthy:");
  }

  private static Exit java(Path dir, Map<String, String> env, Class<?> main) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), main.getName()).directory(dir.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Exit(process.exitValue(), output);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
