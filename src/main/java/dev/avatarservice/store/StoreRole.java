package dev.avatarservice.store;

import dev.avatarservice.bus.SharedNames;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Lock;

/**
 * The store role is a singleton: with SQLite, exactly one node of a cluster may own the database
 * (point-to-point requests are spread over every consumer of an address). The store verticle claims
 * a cluster-wide lock before it opens the database and holds it until it stops; Hazelcast releases
 * the locks of a member that leaves or dies. On a node that is not clustered the lock is local and
 * always free.
 */
public final class StoreRole {

  /** How long a starting store waits for the lock: enough for a store node that is stopping to let go. */
  static final long WAIT_MILLIS = 2_000;

  private StoreRole() {
  }

  /** The lock, or a {@link StoreRoleTakenException} when another node holds it. */
  public static Future<Lock> claim(Vertx vertx) {
    return vertx.sharedData().getLockWithTimeout(SharedNames.STORE_ROLE_LOCK, WAIT_MILLIS)
      .recover(error -> Future.failedFuture(new StoreRoleTakenException(error)));
  }
}
