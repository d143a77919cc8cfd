package dev.avatarservice.store;

import dev.avatarservice.bus.Failure;
import dev.avatarservice.bus.StoreClient;
import dev.avatarservice.config.ConfigLoader;
import dev.avatarservice.config.Settings;
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
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store's avatar contract and the folder it keeps, on a file database so that it can restart;
 * {@link PostgresAvatarStoreTest} runs the contract against PostgreSQL, where the avatars are rows.
 */
class AvatarStoreTest {

  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
  private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0};
  private static final byte[] JPEG_64 = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 64};
  private static final byte[] JPEG_128 = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, (byte) 128};
  private static final String BASE = "https://avatars.example.com";

  @TempDir
  Path temp;
  Path avatars;
  Vertx vertx;
  StoreClient store;
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

  /** The database keys of the configuration: the same database on every call. */
  Map<String, Object> database() {
    return Map.of("DB_PATH", temp.resolve("store.db").toString(), "DB_SYNCHRONOUS", "NORMAL");
  }

  private void deploy() {
    JsonObject config = ConfigLoader.bundledDefaults()
      .put("AVATARS_DIR", avatars.toString())
      .put("PUBLIC_BASE_URL", BASE)
      .put("JWT_SECRET", "");
    database().forEach(config::put);
    deployment = vertx.deployVerticle(new StoreVerticle(Settings.parse(config).store())).await();
  }

  private void restart() {
    vertx.undeploy(deployment).await();
    deploy();
  }

  private String newUser(String identifier) {
    return store.register(identifier, identifier, identifier, "$argon2id$stub",
      StoreClient.session(UUID.randomUUID().toString(), Long.MAX_VALUE / 2)).await().getString("id");
  }

  /** The names of the stored avatar files (or of the sizes the database holds). */
  Set<String> files() {
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

    JsonObject first = store.setAvatar(userId, "png", PNG, Map.of()).await();
    String firstUrl = first.getJsonObject("user").getString("avatarUrl");
    assertThat(firstUrl).matches(BASE.replace(".", "\\.") + "/avatars/[A-Za-z0-9_-]{22}\\.png");
    assertThat(first.getValue("previousAvatarUrl")).isNull();
    assertThat(files()).containsExactly(fileOf(firstUrl));
    assertThat(store.avatarFile(fileOf(firstUrl), 0).await().getBinary("image")).isEqualTo(PNG);

    JsonObject second = store.setAvatar(userId, "png", PNG, Map.of()).await();
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
  void variantsAreWrittenServedReplacedAndDeletedWithTheirAvatar() throws IOException {
    String userId = newUser("vic");
    String url = store.setAvatar(userId, "jpg", JPEG, Map.of(64, JPEG_64, 128, JPEG_128)).await()
      .getJsonObject("user").getString("avatarUrl");
    assertThat(url).matches(BASE.replace(".", "\\.") + "/avatars/[A-Za-z0-9_-]{22}\\.jpg");
    String file = fileOf(url);
    String id = file.substring(0, 22);
    assertThat(files()).containsExactlyInAnyOrder(file, id + ".64.jpg", id + ".128.jpg");

    JsonObject whole = store.avatarFile(file, 0).await();
    assertThat(whole.getBinary("image")).isEqualTo(JPEG);
    assertThat(whole.getString("contentType")).isEqualTo("image/jpeg");
    assertThat(whole.getString("etag")).isEqualTo("\"" + id + "\"");
    assertThat(whole.getString("userId")).isEqualTo(userId);
    assertThat(store.avatarFile(file, 64).await().getBinary("image")).isEqualTo(JPEG_64);
    assertThat(store.avatarFile(file, 100).await().getBinary("image")).isEqualTo(JPEG_128);
    assertThat(store.avatarFile(file, 100).await().getString("etag")).isEqualTo("\"" + id + ".128\"");
    // no 256 variant (the avatar was not larger): the avatar itself
    assertThat(store.avatarFile(file, 256).await().getBinary("image")).isEqualTo(JPEG);

    String second = fileOf(store.setAvatar(userId, "png", PNG, Map.of()).await().getJsonObject("user").getString("avatarUrl"));
    assertThat(files()).containsExactly(second);
    assertThatThrownBy(() -> store.avatarFile(file, 0).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.NOT_FOUND));
    assertThat(store.avatarFile(second, 64).await().getString("contentType")).isEqualTo("image/png");

    store.setAvatar(userId, "jpg", JPEG, Map.of(64, JPEG_64)).await();
    store.deleteUser(userId).await();
    assertThat(files()).isEmpty();
  }

  @Test
  void onlyAnAvatarAnAccountPointsAtIsServed() throws IOException {
    Files.createDirectories(avatars);
    Files.write(avatars.resolve("JJJJJJJJJJJJJJJJJJJJJJ.png"), PNG); // in the folder, but no account's
    for (String name : List.of("JJJJJJJJJJJJJJJJJJJJJJ.png", "JJJJJJJJJJJJJJJJJJJJJJ.64.png", "../store.db", "x.png")) {
      assertThatThrownBy(() -> store.avatarFile(name, 0).await())
        .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.NOT_FOUND));
    }
  }

  @Test
  void concurrentUploadsForOneUserLeaveExactlyOneFileAndItIsTheCurrentOne() {
    String userId = newUser("bea");
    List<Future<JsonObject>> uploads = IntStream.range(0, 8).mapToObj(i -> store.setAvatar(userId, "png", PNG, Map.of())).toList();
    Future.all(uploads).await();

    String current = store.user(userId).await().getString("avatarUrl");
    assertThat(files()).containsExactly(fileOf(current));
  }

  @Test
  void anUploadForAMissingUserFailsAndLeavesNoFile() {
    assertThatThrownBy(() -> store.setAvatar(UUID.randomUUID().toString(), "png", PNG, Map.of()).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.USER_NOT_FOUND));
    assertThatThrownBy(() -> store.removeAvatar(UUID.randomUUID().toString()).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.USER_NOT_FOUND));
    assertThat(files()).isEmpty();
  }

  @Test
  void bytesThatAreNotTheirFormatAreRefused() {
    String userId = newUser("cid");
    assertThatThrownBy(() -> store.setAvatar(userId, "jpg", PNG, Map.of()).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.INTERNAL));
    assertThatThrownBy(() -> store.setAvatar(userId, "png", PNG, Map.of(64, JPEG)).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.INTERNAL));
    assertThatThrownBy(() -> store.setAvatar(userId, "png", "<svg/><!-- not an image -->".getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of()).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.INTERNAL));
    assertThat(files()).isEmpty();
  }

  @Test
  void deletingAnAccountRemovesItsRowEveryRefreshTokenAndItsFileForGood() throws Exception {
    String userId = store.register("eve", "eve", "eve", "$argon2id$stub", StoreClient.session("eve-1", Long.MAX_VALUE / 2))
      .await().getString("id");
    store.openSession(userId, StoreClient.session("eve-2", Long.MAX_VALUE / 2), null).await();
    store.refresh("eve-2", StoreClient.session("eve-3", Long.MAX_VALUE / 2)).await();
    store.setAvatar(userId, "png", PNG, Map.of()).await();
    String other = newUser("other");
    String otherFile = fileOf(store.setAvatar(other, "png", PNG, Map.of()).await().getJsonObject("user").getString("avatarUrl"));

    assertThat(store.deleteUser(userId).await()).isEqualTo(new JsonObject());

    assertThat(files()).containsExactly(otherFile);
    assertThat(refreshTokenRows(userId)).isZero();
    for (String hash : List.of("eve-1", "eve-2", "eve-3")) {
      assertThatThrownBy(() -> store.refresh(hash, StoreClient.session(UUID.randomUUID().toString(), Long.MAX_VALUE / 2)).await())
        .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.INVALID_REFRESH_TOKEN));
    }
    assertThatThrownBy(() -> store.deleteUser(userId).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.USER_NOT_FOUND));

    restart();
    assertThatThrownBy(() -> store.user(userId).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.USER_NOT_FOUND));
    assertThat(newUser("eve")).isNotEqualTo(userId);
    assertThat(files()).containsExactly(otherFile);
    assertThat(store.user(other).await().getString("avatarUrl")).endsWith("/" + otherFile);
  }

  /** A file that cannot be deleted (here: a non-empty folder in its place) stops the deletion before the row goes. */
  @Test
  void aDeletionWhoseFileCannotBeDeletedKeepsTheAccountAndARetryFinishesIt() throws Exception {
    String userId = store.register("fay", "fay", "fay", "$argon2id$stub", StoreClient.session("fay-1", Long.MAX_VALUE / 2))
      .await().getString("id");
    String file = fileOf(store.setAvatar(userId, "png", PNG, Map.of()).await().getJsonObject("user").getString("avatarUrl"));
    Files.delete(avatars.resolve(file));
    Files.createDirectory(avatars.resolve(file));
    Files.write(avatars.resolve(file).resolve("stuck"), PNG);

    assertThatThrownBy(() -> store.deleteUser(userId).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.UNAVAILABLE));
    assertThat(store.user(userId).await().getString("avatarUrl")).endsWith("/" + file);
    store.refresh("fay-1", StoreClient.session("fay-2", Long.MAX_VALUE / 2)).await();

    Files.delete(avatars.resolve(file).resolve("stuck"));
    Files.delete(avatars.resolve(file));
    store.deleteUser(userId).await();
    assertThatThrownBy(() -> store.user(userId).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.USER_NOT_FOUND));
    assertThat(refreshTokenRows(userId)).isZero();
  }

  /**
   * Uploads racing a deletion of their account, in every interleaving the store's event loop
   * happens to produce: some uploads land before the deletion (their file goes with it), the later
   * ones find no account (and delete their own file). Nothing of the account is left.
   */
  @Test
  void uploadsRacingADeletionLeaveNeitherTheAccountNorAFile() {
    for (int run = 0; run < 5; run++) {
      String userId = newUser("gil-" + run);
      store.setAvatar(userId, "png", PNG, Map.of()).await();
      List<Future<JsonObject>> uploads = IntStream.range(0, 6).mapToObj(i -> store.setAvatar(userId, "png", PNG, Map.of())).toList();
      Future<JsonObject> deletion = deleteUntilGone(userId);
      Future.join(uploads).otherwiseEmpty().await();

      assertThat(deletion.await()).isEqualTo(new JsonObject());
      for (Future<JsonObject> upload : uploads) {
        assertThat(upload.succeeded() || Failure.of(upload.cause()).filter(Failure.USER_NOT_FOUND::equals).isPresent())
          .as("an upload either landed before the deletion or found no account").isTrue();
      }
      assertThatThrownBy(() -> store.user(userId).await())
        .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.USER_NOT_FOUND));
      assertThat(files()).isEmpty();
    }
  }

  /** Deletes, retrying after UNAVAILABLE (uploads kept moving the row for every round). */
  private Future<JsonObject> deleteUntilGone(String userId) {
    return store.deleteUser(userId).recover(error -> Failure.of(error).filter(Failure.UNAVAILABLE::equals).isPresent()
      ? deleteUntilGone(userId) : Future.failedFuture(error));
  }

  /** A connection to the store's database, as another process has one. */
  java.sql.Connection connect() throws java.sql.SQLException {
    return java.sql.DriverManager.getConnection("jdbc:sqlite:" + temp.resolve("store.db"));
  }

  private long refreshTokenRows(String userId) throws java.sql.SQLException {
    try (var connection = connect();
         var statement = connection.prepareStatement("SELECT count(*) FROM refresh_tokens WHERE user_id = ?")) {
      statement.setString(1, userId);
      try (var result = statement.executeQuery()) {
        result.next();
        return result.getLong(1);
      }
    }
  }

  /** While requests run, the periodic sweep takes only orphans old enough that no upload can still be writing them. */
  @Test
  void thePeriodicSweepLeavesFilesThatAreTooYoung() throws IOException {
    AvatarFiles folder = new AvatarFiles(vertx, avatars, new java.security.SecureRandom(), List.of(64, 128, 256));
    String old = "DDDDDDDDDDDDDDDDDDDDDD.png";
    String oldTemp = "EEEEEEEEEEEEEEEEEEEEEE.png.tmp";
    String young = "FFFFFFFFFFFFFFFFFFFFFF.png";
    String youngTemp = "GGGGGGGGGGGGGGGGGGGGGG.png.tmp";
    String named = "HHHHHHHHHHHHHHHHHHHHHH.png";
    String namedVariant = "HHHHHHHHHHHHHHHHHHHHHH.64.png";
    String oldVariant = "DDDDDDDDDDDDDDDDDDDDDD.64.png";
    String oldVariantTemp = "DDDDDDDDDDDDDDDDDDDDDD.128.png.tmp";
    long now = System.currentTimeMillis();
    for (String name : List.of(old, oldTemp, named, namedVariant, oldVariant, oldVariantTemp)) {
      Files.write(avatars.resolve(name), PNG);
      Files.setLastModifiedTime(avatars.resolve(name), java.nio.file.attribute.FileTime.fromMillis(now - 3_600_000));
    }
    Files.write(avatars.resolve(young), PNG);
    Files.write(avatars.resolve(youngTemp), PNG);

    assertThat(folder.sweep(Set.of(named), now - 900_000).await()).isEqualTo(4);
    assertThat(files()).containsExactlyInAnyOrder(young, youngTemp, named, namedVariant);
  }

  @Test
  void atStartFilesNoAccountPointsAtAndLeftoverTemporaryFilesAreRemoved() throws IOException {
    String userId = newUser("dee");
    String current = fileOf(store.setAvatar(userId, "png", PNG, Map.of()).await().getJsonObject("user").getString("avatarUrl"));
    String stray = "AAAAAAAAAAAAAAAAAAAAAA.png";
    String strayVariant = "AAAAAAAAAAAAAAAAAAAAAA.128.jpg";
    String leftover = "BBBBBBBBBBBBBBBBBBBBBB.png.tmp";
    String foreign = "notes.txt";
    String folder = "CCCCCCCCCCCCCCCCCCCCCC.png";
    for (String name : List.of(stray, strayVariant, leftover, foreign)) {
      Files.write(avatars.resolve(name), PNG);
    }
    Files.createDirectory(avatars.resolve(folder));

    restart();

    assertThat(files()).containsExactlyInAnyOrder(current, foreign, folder);
    assertThat(store.user(userId).await().getString("avatarUrl")).endsWith("/" + current);
  }
}
