package dev.avatarservice.store;

import dev.avatarservice.bus.Failure;
import dev.avatarservice.bus.StoreClient;
import dev.avatarservice.config.ConfigLoader;
import dev.avatarservice.config.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store's transactions end when they end (see {@link ExplicitTransactions}): between requests the
 * database is not locked, and a write made outside a transaction is committed when it is answered,
 * whatever a later transaction does. Checked from a second connection to the same file, as another
 * process would see it.
 */
class ExplicitTransactionsTest {

  @TempDir
  Path dir;
  private Path database;
  private Vertx vertx;
  private StoreClient store;

  @BeforeEach
  void deploy() {
    database = dir.resolve("store.db");
    vertx = Vertx.vertx();
    JsonObject config = ConfigLoader.bundledDefaults().put("DB_PATH", database.toString()).put("JWT_SECRET", "")
      .put("AVATARS_DIR", dir.resolve("avatars").toString()).put("DB_BUSY_TIMEOUT_MS", 200);
    vertx.deployVerticle(new StoreVerticle(Settings.parse(config).store())).await();
    store = new StoreClient(vertx.eventBus(), 5000);
  }

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void betweenRequestsAnotherProcessCanWrite() throws Exception {
    store.register("Ann", "ann", "ann", "$argon2id$stub", session("a1")).await();
    store.refresh("a1", session("a2")).await();
    try (Connection other = connect(); Statement statement = other.createStatement()) {
      statement.execute("BEGIN IMMEDIATE");
      statement.execute("ROLLBACK");
    }
  }

  @Test
  void aWriteOutsideATransactionIsCommittedWhenAnsweredAndSurvivesALaterRollback() throws Exception {
    store.register("Bea", "bea", "bea", "$argon2id$stub", session("b1")).await();
    store.endSessionOf("b1", null).await();
    assertThat(tokenRowExists("b1")).as("seen by another connection as soon as it is answered").isFalse();

    // a transaction that fails and rolls back (the identifier is taken)
    assertThatThrownBy(() -> store.register("BEA", "bea", "bea", "$argon2id$stub", session("b2")).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.IDENTIFIER_TAKEN));

    assertThat(tokenRowExists("b1")).as("the logout survives the unrelated rollback").isFalse();
    assertThatThrownBy(() -> store.refresh("b1", session("b3")).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.INVALID_REFRESH_TOKEN));
  }

  /** Ending a session deletes its refresh tokens. */
  private boolean tokenRowExists(String tokenHash) throws Exception {
    try (Connection other = connect(); Statement statement = other.createStatement();
         ResultSet row = statement.executeQuery("SELECT 1 FROM refresh_tokens WHERE token_hash = '" + tokenHash + "'")) {
      return row.next();
    }
  }

  private Connection connect() throws Exception {
    return DriverManager.getConnection("jdbc:sqlite:" + database + "?busy_timeout=200");
  }

  private static JsonObject session(String hash) {
    return StoreClient.session(hash, System.currentTimeMillis() / 1000 + 600);
  }
}
