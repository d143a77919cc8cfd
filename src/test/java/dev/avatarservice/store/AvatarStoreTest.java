package dev.avatarservice.store;

import dev.avatarservice.bus.Failure;
import dev.avatarservice.bus.StoreClient;
import dev.avatarservice.config.ConfigLoader;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store's avatar contract and the folder it keeps, on a file database so that it can restart. */
class AvatarStoreTest {

  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
  private static final String BASE = "https://avatars.example.com";

  @TempDir
  Path temp;
  private Path avatars;
  private Vertx vertx;
  private StoreClient store;
  private String deployment;

  @BeforeEach
  void start() {
    avatars = temp.resolve("avatars"); // missing: the store creates it
    vertx = Vertx.vertx();
    store = new StoreClient(vertx.eventBus(), 5000);
    deploy();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private void deploy() {
    JsonObject config = ConfigLoader.bundledDefaults()
      .put("DB_PATH", temp.resolve("store.db").toString())
      .put("DB_SYNCHRONOUS", "NORMAL")
      .put("AVATARS_DIR", avatars.toString())
      .put("PUBLIC_BASE_URL", BASE)
      .put("JWT_SECRET", "");
    deployment = vertx.deployVerticle(new StoreVerticle(), new DeploymentOptions().setConfig(config)).await();
  }

  private void restart() {
    vertx.undeploy(deployment).await();
    deploy();
  }

  private String newUser(String identifier) {
    return store.register(identifier, identifier, "$argon2id$stub",
      StoreClient.session(UUID.randomUUID().toString(), Long.MAX_VALUE / 2)).await().getString("id");
  }

  private Set<String> files() {
    try (Stream<Path> entries = Files.list(avatars)) {
      return entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String fileOf(String avatarUrl) {
    return avatarUrl.substring(avatarUrl.lastIndexOf('/') + 1);
  }

  @Test
  void anUploadReplacesTheFileAndTheReplyNamesTheOldOne() throws IOException {
    String userId = newUser("ann");

    JsonObject first = store.setAvatar(userId, PNG).await();
    String firstUrl = first.getJsonObject("user").getString("avatarUrl");
    assertThat(firstUrl).matches(BASE.replace(".", "\\.") + "/avatars/[A-Za-z0-9_-]{22}\\.png");
    assertThat(first.getValue("previousAvatarUrl")).isNull();
    assertThat(files()).containsExactly(fileOf(firstUrl));
    assertThat(Files.readAllBytes(avatars.resolve(fileOf(firstUrl)))).isEqualTo(PNG);

    JsonObject second = store.setAvatar(userId, PNG).await();
    String secondUrl = second.getJsonObject("user").getString("avatarUrl");
    assertThat(secondUrl).isNotEqualTo(firstUrl);
    assertThat(second.getString("previousAvatarUrl")).isEqualTo(firstUrl);
    assertThat(files()).containsExactly(fileOf(secondUrl));
    assertThat(store.user(userId).await().getString("avatarUrl")).isEqualTo(secondUrl);

    JsonObject removed = store.removeAvatar(userId).await();
    assertThat(removed.getJsonObject("user").getValue("avatarUrl")).isNull();
    assertThat(removed.getString("previousAvatarUrl")).isEqualTo(secondUrl);
    assertThat(files()).isEmpty();

    JsonObject again = store.removeAvatar(userId).await();
    assertThat(again.getValue("previousAvatarUrl")).isNull();
  }

  @Test
  void concurrentUploadsForOneUserLeaveExactlyOneFileAndItIsTheCurrentOne() {
    String userId = newUser("bea");
    List<Future<JsonObject>> uploads = IntStream.range(0, 8).mapToObj(i -> store.setAvatar(userId, PNG)).toList();
    Future.all(uploads).await();

    String current = store.user(userId).await().getString("avatarUrl");
    assertThat(files()).containsExactly(fileOf(current));
  }

  @Test
  void anUploadForAMissingUserFailsAndLeavesNoFile() {
    assertThatThrownBy(() -> store.setAvatar(UUID.randomUUID().toString(), PNG).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.USER_NOT_FOUND));
    assertThatThrownBy(() -> store.removeAvatar(UUID.randomUUID().toString()).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.USER_NOT_FOUND));
    assertThat(files()).isEmpty();
  }

  @Test
  void bytesThatAreNotPngAreRefused() {
    String userId = newUser("cid");
    assertThatThrownBy(() -> store.setAvatar(userId, "<svg/>".getBytes(java.nio.charset.StandardCharsets.UTF_8)).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.INTERNAL));
    assertThat(files()).isEmpty();
  }

  @Test
  void atStartFilesNoAccountPointsAtAndLeftoverTemporaryFilesAreRemoved() throws IOException {
    String userId = newUser("dee");
    String current = fileOf(store.setAvatar(userId, PNG).await().getJsonObject("user").getString("avatarUrl"));
    String stray = "AAAAAAAAAAAAAAAAAAAAAA.png";
    String leftover = "BBBBBBBBBBBBBBBBBBBBBB.png.tmp";
    String foreign = "notes.txt";
    String folder = "CCCCCCCCCCCCCCCCCCCCCC.png";
    for (String name : List.of(stray, leftover, foreign)) {
      Files.write(avatars.resolve(name), PNG);
    }
    Files.createDirectory(avatars.resolve(folder));

    restart();

    assertThat(files()).containsExactlyInAnyOrder(current, foreign, folder);
    assertThat(store.user(userId).await().getString("avatarUrl")).endsWith("/" + current);
  }
}
