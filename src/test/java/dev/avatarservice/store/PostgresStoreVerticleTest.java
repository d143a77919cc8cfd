package dev.avatarservice.store;

import dev.avatarservice.bus.Failure;
import dev.avatarservice.bus.StoreClient;
import dev.avatarservice.support.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store's bus contract of {@link StoreVerticleTest} on PostgreSQL (a new database per test),
 * and what only PostgreSQL allows: several stores on one database, as the nodes of a cluster run them.
 */
class PostgresStoreVerticleTest extends StoreVerticleTest {

  private String url;

  @Override
  Map<String, Object> database() {
    Map<String, Object> config = TestPostgres.config();
    url = (String) config.get("DB_URL");
    // a single node keeps the key it makes in a file: not beside the default DB_PATH in the working folder
    config.put("JWT_SECRET_FILE", avatars.resolveSibling(avatars.getFileName() + "-jwt.key").toString());
    return config;
  }

  private Map<String, Object> sameDatabase() {
    return Map.of("DB_URL", url, "DB_USER", TestPostgres.user());
  }

  /** Another store on the same database, in a Vert.x of its own (another node). */
  private StoreClient secondStore(Vertx other) {
    other.deployVerticle(new StoreVerticle(settings(sameDatabase()), clock)).await();
    return new StoreClient(other.eventBus(), 5000);
  }

  @Test
  void twoStoresOnOneDatabaseRegisterLookAlikesOnceBetweenThem() {
    Vertx other = Vertx.vertx();
    try {
      StoreClient second = secondStore(other);
      List<Future<JsonObject>> registrations = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        StoreClient either = i % 2 == 0 ? store : second;
        registrations.add(either.register("Quinn" + i, "quinn" + i, "quinn-skeleton", "$argon2id$stub",
          session("q" + i, 600)));
      }
      Future.join(registrations).otherwiseEmpty().await();
      assertThat(registrations.stream().filter(Future::succeeded).count()).isEqualTo(1);
    } finally {
      other.close().await();
    }
  }

  @Test
  void twoStoresOnOneDatabaseRotateATokenOnceBetweenThem() {
    Vertx other = Vertx.vertx();
    try {
      StoreClient second = secondStore(other);
      store.register("Rae", "rae", "rae", "$argon2id$stub", session("t1", 600)).await();
      List<Future<JsonObject>> rotations = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        rotations.add((i % 2 == 0 ? store : second).refresh("t1", session("t1-" + i, 600)));
      }
      Future.join(rotations).otherwiseEmpty().await();
      assertThat(rotations.stream().filter(f -> f.succeeded() && f.result().containsKey("user")).count()).isEqualTo(1);
    } finally {
      other.close().await();
    }
  }

  @Test
  void aBackupOnPostgresqlNamesPgDump() {
    assertThatThrownBy(() -> store.backup("/tmp/unused", 5000).await())
      .satisfies(error -> assertThat(Failure.of(error)).contains(Failure.NOT_SUPPORTED))
      .hasMessageContaining("pg_dump");
  }
}
