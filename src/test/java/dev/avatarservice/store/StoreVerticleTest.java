package dev.avatarservice.store;

import dev.avatarservice.bus.Failure;
import dev.avatarservice.bus.StoreClient;
import dev.avatarservice.config.ConfigLoader;
import dev.avatarservice.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store's bus contract, with a clock the test moves, against an in-memory SQLite database;
 * {@link PostgresStoreVerticleTest} runs the same against PostgreSQL.
 */
@ExtendWith(VertxExtension.class)
class StoreVerticleTest {

  @TempDir
  Path avatars;
  final MovableClock clock = new MovableClock(Instant.parse("2026-03-01T10:00:00Z"));
  StoreClient store;

  /** The database keys of the configuration. */
  Map<String, Object> database() {
    return Map.of("DB_PATH", ":memory:");
  }

  /** The store's settings on {@link #database()}. */
  StoreSettings settings(Map<String, Object> database) {
    JsonObject config = ConfigLoader.bundledDefaults().put("JWT_SECRET", "").put("SESSION_MAX_AGE", 3600)
      .put("AVATARS_DIR", avatars.toString());
    database.forEach(config::put);
    return Settings.parse(config).store();
  }

  /** Vert.x comes from the extension, which closes it after each test. */
  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext context) {
    store = new StoreClient(vertx.eventBus(), 5000);
    vertx.deployVerticle(new StoreVerticle(settings(database()), clock))
      .onComplete(context.succeedingThenComplete());
  }

  /** Of concurrent rotations of one refresh token, exactly one gets the successor. */
  @Test
  void ofConcurrentRotationsOfOneTokenExactlyOneWins() {
    store.register("Noa", "noa", "noa", "$argon2id$stub", session("n1", 600)).await();
    List<Future<JsonObject>> rotations = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      rotations.add(store.refresh("n1", session("n1-" + i, 600)));
    }
    Future.join(rotations).otherwiseEmpty().await();
    long won = rotations.stream().filter(f -> f.succeeded() && f.result().containsKey("user")).count();
    assertThat(won).isEqualTo(1);
    String winner = "n1-" + rotations.indexOf(rotations.stream()
      .filter(f -> f.succeeded() && f.result().containsKey("user")).findFirst().orElseThrow());
    // the losers replayed a used token: reuse detection ended the session, the winner's successor too
    assertThatThrownBy(() -> store.refresh(winner, session("n2", 600)).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.INVALID_REFRESH_TOKEN));
  }

  /** Of concurrent registrations of look-alike identifiers, exactly one gets the account. */
  @Test
  void ofConcurrentLookAlikeRegistrationsExactlyOneSucceeds() {
    List<Future<JsonObject>> registrations = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      // different keys, one skeleton: only the skeleton check can refuse them
      registrations.add(store.register("Pat" + i, "pat" + i, "pat-skeleton", "$argon2id$stub", session("p" + i, 600)));
    }
    Future.join(registrations).otherwiseEmpty().await();
    assertThat(registrations.stream().filter(Future::succeeded).count()).isEqualTo(1);
    assertThat(registrations.stream().filter(Future::failed)
      .allMatch(f -> Failure.of(f.cause()).filter(Failure.IDENTIFIER_TAKEN::equals).isPresent())).isTrue();
  }

  JsonObject session(String hash, long ttlSeconds) {
    return StoreClient.session(hash, clock.instant().getEpochSecond() + ttlSeconds);
  }

  @Test
  void aRefreshTokenStopsWorkingWhenItExpires() {
    store.register("Kim", "kim", "kim", "$argon2id$stub", session("h1", 60)).await();
    clock.advance(59);
    store.refresh("h1", session("h2", 60)).await();

    clock.advance(61);
    assertThatThrownBy(() -> store.refresh("h2", session("h3", 60)).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.INVALID_REFRESH_TOKEN));
  }

  /**
   * vertx-jdbc-client 5.0.7 leaves the connection in manual-commit mode after any transaction
   * (vert-x3/vertx-jdbc-client#356): a write outside a transaction would then wait for the next
   * commit, and the next rollback, here of a registration with a taken identifier, would undo it.
   */
  @Test
  void aRevocationHoldsWhenALaterTransactionRollsBack() {
    store.register("Lee", "lee", "lee", "$argon2id$stub", session("l1", 600)).await();
    store.endSessionOf("l1", null).await();
    assertThatThrownBy(() -> store.register("LEE", "lee", "lee", "$argon2id$stub", session("l2", 600)).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.IDENTIFIER_TAKEN));

    assertThatThrownBy(() -> store.refresh("l1", session("l3", 600)).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.INVALID_REFRESH_TOKEN));
  }

  @Test
  void aSessionEndsSessionMaxAgeAfterItsLoginHoweverOftenItIsRefreshed() {
    // SESSION_MAX_AGE is 3600 here (see the node's configuration above)
    JsonObject user = store.register("Sam", "sam", "sam", "$argon2id$stub", session("s1", 3000)).await();
    String sessionId = store.sessions(user.getString("id")).await().getJsonArray("sessions").getJsonObject(0).getString("id");
    clock.advance(1800);
    JsonObject rotated = store.refresh("s1", session("s2", 3000)).await();
    assertThat(rotated.getString("sessionId")).isEqualTo(sessionId);
    clock.advance(1799);
    store.refresh("s2", session("s3", 3000)).await();
    assertThat(store.user(user.getString("id"), sessionId).await().getString("id")).isEqualTo(user.getString("id"));

    clock.advance(2);
    assertThatThrownBy(() -> store.refresh("s3", session("s4", 3000)).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.INVALID_REFRESH_TOKEN));
    assertThatThrownBy(() -> store.user(user.getString("id"), sessionId).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.SESSION_ENDED));
    assertThat(store.sessions(user.getString("id")).await().getJsonArray("sessions")).isEmpty();
  }

  @Test
  void aReusedRefreshTokenEndsItsWholeSessionAtOnce() {
    JsonObject user = store.register("Ria", "ria", "ria", "$argon2id$stub", session("r1", 600)).await();
    JsonObject rotated = store.refresh("r1", session("r2", 600)).await();
    String sessionId = rotated.getString("sessionId");

    JsonObject reused = store.refresh("r1", session("r3", 600)).await();
    assertThat(reused.getJsonObject("ended").getString("userId")).isEqualTo(user.getString("id"));
    assertThat(reused.getJsonObject("ended").getJsonArray("sessionIds")).containsExactly(sessionId);
    assertThatThrownBy(() -> store.refresh("r2", session("r4", 600)).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.INVALID_REFRESH_TOKEN));
    assertThatThrownBy(() -> store.user(user.getString("id"), sessionId).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.SESSION_ENDED));
  }

  @Test
  void theSigningKeyIsMadeOnceAndKept() {
    String first = store.signingKey().await();
    assertThat(first).hasSize(64);
    assertThat(store.signingKey().await()).isEqualTo(first);
  }

  @Test
  void credentialsOfAnUnknownIdentifierFailAsUnknown() {
    assertThatThrownBy(() -> store.credentials("nobody").await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.UNKNOWN_IDENTIFIER));
  }

  @Test
  void aRehashReplacesTheStoredHash() {
    JsonObject user = store.register("Max", "max", "max", "$argon2id$old", session("m1", 600)).await();
    store.openSession(user.getString("id"), session("m2", 600), "$argon2id$new").await();
    assertThat(store.credentials("max").await().getString("passwordHash")).isEqualTo("$argon2id$new");
  }

  /** A clock the test moves forward. */
  static final class MovableClock extends Clock {
    private final AtomicReference<Instant> now;

    MovableClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void advance(long seconds) {
      now.updateAndGet(instant -> instant.plusSeconds(seconds));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }
}
