package dev.avatarservice.cli;

import dev.avatarservice.support.ApiClient;
import dev.avatarservice.support.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code admin ...} against a running node, configured the way an operator's shell is: the
 * environment (and conf/config.json of the working directory) of the node.
 */
class AdminCliTest {

  private static final String TOKEN = "cli-admin-token-cli-admin-token-cli-admin-0123";
  private static TestNode node;
  private static Path workingDirectory;
  private static Path backups;

  @BeforeAll
  static void start() throws IOException {
    backups = Files.createTempDirectory("cli-backups");
    node = TestNode.start(Map.of("MANAGEMENT_PORT", TestNode.freePort(), "ADMIN_TOKEN", TOKEN,
      "BACKUP_DIR", backups.toString()));
    workingDirectory = Files.createTempDirectory("cli-workdir");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** The operator's environment: the node's management port and token. */
  private static Map<String, String> environment() {
    Map<String, String> env = new HashMap<>();
    env.put("MANAGEMENT_PORT", Integer.toString(node.settings().management().port()));
    env.put("ADMIN_TOKEN", TOKEN);
    return env;
  }

  record Run(int exit, String out, String err) {
  }

  private static Run run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = AdminCli.run(args, env, workingDirectory, new PrintStream(out, true, StandardCharsets.UTF_8),
      new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Run run(String... args) {
    return run(environment(), args);
  }

  @Test
  void listsShowsLogsOutAndDeletesUsers() {
    ApiClient api = node.api();
    JsonObject alice = api.register("listed-alice");
    api.register("listed-bob");
    api.register("someone-else");
    String aliceId = alice.getJsonObject("user").getString("id");

    Run table = run("users", "list", "--query", "LISTED-");
    assertThat(table.exit()).as(table.err()).isZero();
    assertThat(table.out()).contains("ID", "IDENTIFIER", "listed-alice", "listed-bob", aliceId, "2 accounts")
      .doesNotContain("someone-else");

    Run json = run("users", "list", "--query", "listed-", "--json");
    assertThat(json.exit()).isZero();
    assertThat(new JsonObject(json.out()).getJsonArray("users")).hasSize(2);

    Run limited = run("users", "list", "--limit", "1", "--json");
    assertThat(new JsonObject(limited.out()).getJsonArray("users")).hasSize(1);

    Run shown = run("users", "show", aliceId, "--json");
    assertThat(shown.exit()).isZero();
    assertThat(new JsonObject(shown.out()).getString("identifier")).isEqualTo("listed-alice");
    assertThat(run("users", "show", aliceId).out()).contains("listed-alice", "REGISTERED");

    Run logout = run("users", "logout", aliceId);
    assertThat(logout.exit()).isZero();
    assertThat(logout.out()).contains("1 sessions ended");
    assertThat(api.post("/api/refresh", new JsonObject().put("refreshToken", alice.getString("refreshToken")))
      .statusCode()).isEqualTo(401);

    Run deleted = run("users", "delete", aliceId, "--json");
    assertThat(deleted.exit()).as(deleted.err()).isZero();
    assertThat(new JsonObject(deleted.out()).getBoolean("deleted")).isTrue();
    assertThat(api.get("/api/user", alice.getString("accessToken")).statusCode()).isEqualTo(401);

    Run again = run("users", "delete", aliceId);
    assertThat(again.exit()).isEqualTo(AdminCli.Exit.NOT_FOUND);
    assertThat(again.err()).contains("no account has this id");
  }

  @Test
  void backsUp() throws IOException {
    node.api().register("cli-backed-up");
    Run backup = run("backup", "--json");
    assertThat(backup.exit()).as(backup.err()).isZero();
    JsonObject written = new JsonObject(backup.out());
    assertThat(Path.of(written.getString("database"))).isRegularFile().startsWith(backups);
    assertThat(Path.of(written.getString("avatars"))).isDirectory();
    assertThat(run("backup").out()).contains("Backup written to " + backups);
  }

  @Test
  void helpAndVersionWorkEverywhere() {
    for (String[] args : new String[][] {{"--help"}, {"users", "list", "--help"}, {"users", "show", "--help"},
      {"users", "delete", "--help"}, {"users", "logout", "--help"}, {"backup", "--help"}}) {
      Run help = run(Map.of(), args);
      assertThat(help.exit()).as(String.join(" ", args)).isZero();
      assertThat(help.out()).contains("Usage: java -jar avatar-service.jar admin", "Exit codes");
    }
    for (String[] args : new String[][] {{"--version"}, {"users", "list", "--version"}, {"backup", "--version"}}) {
      Run version = run(Map.of(), args);
      assertThat(version.exit()).isZero();
      assertThat(version.out()).startsWith("avatar-service ").contains("(commit ");
    }
  }

  @Test
  void exitCodesSayWhatWentWrong() throws IOException {
    assertThat(run("users", "frobnicate").exit()).isEqualTo(AdminCli.Exit.USAGE);
    assertThat(run("users", "show").exit()).isEqualTo(AdminCli.Exit.USAGE);
    assertThat(run("users", "list", "--bogus").exit()).isEqualTo(AdminCli.Exit.USAGE);
    assertThat(run().exit()).isEqualTo(AdminCli.Exit.USAGE);

    Map<String, String> noToken = environment();
    noToken.remove("ADMIN_TOKEN");
    Run missing = run(noToken, "users", "list");
    assertThat(missing.exit()).isEqualTo(AdminCli.Exit.USAGE);
    assertThat(missing.err()).contains("ADMIN_TOKEN is not set");

    Map<String, String> wrongToken = environment();
    wrongToken.put("ADMIN_TOKEN", TOKEN.replace('c', 'd'));
    Run refused = run(wrongToken, "users", "list");
    assertThat(refused.exit()).isEqualTo(AdminCli.Exit.REFUSED);
    assertThat(refused.err()).doesNotContain(TOKEN);

    Map<String, String> nobody = environment();
    nobody.put("MANAGEMENT_PORT", Integer.toString(TestNode.freePort()));
    Run unreachable = run(nobody, "users", "list");
    assertThat(unreachable.exit()).isEqualTo(AdminCli.Exit.UNREACHABLE);
    assertThat(unreachable.err()).contains("cannot reach the management listener");

    assertThat(run("users", "show", "00000000-0000-4000-8000-000000000000").exit()).isEqualTo(AdminCli.Exit.NOT_FOUND);
  }

  @Test
  void readsTheConfigurationFileOfTheWorkingDirectory() throws IOException {
    Path dir = Files.createTempDirectory("cli-conf");
    Files.createDirectories(dir.resolve("conf"));
    Files.writeString(dir.resolve("conf/config.json"), new JsonObject()
      .put("MANAGEMENT_PORT", node.settings().management().port()).put("ADMIN_TOKEN", TOKEN).encode());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = AdminCli.run(new String[] {"users", "list", "--json"}, Map.of(), dir,
      new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    assertThat(exit).isZero();
    assertThat(new JsonObject(out.toString(StandardCharsets.UTF_8)).getJsonArray("users")).isNotNull();
  }
}
