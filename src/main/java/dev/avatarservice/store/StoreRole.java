package dev.avatarservice.store;

import dev.avatarservice.bus.SharedNames;
import dev.avatarservice.cluster.ClusterView;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The store role is a singleton while the database is SQLite: exactly one node of a cluster may
 * serve the store addresses (point-to-point requests are spread over every consumer of an address).
 * The holder is whoever holds the cluster-wide lock {@link SharedNames#STORE_ROLE_LOCK} (vertx-hazelcast
 * 5.0.7: a key lock of the IMap {@code __vertx.map.lock}, owned by the member; Hazelcast releases the
 * locks of a member the moment it removes it from the cluster, dead or only silent).
 *
 * <p><b>Standby.</b> A clustered node on an SQLite file that finds the lock taken does not fail: it
 * starts (its other roles reach the holder's store over the bus) and waits for the lock. Once it has
 * it, it opens the same file (same host, same data folder: nothing to copy, every commit is already
 * durable there with {@code synchronous=FULL}) and serves the store addresses.
 *
 * <p><b>Fencing.</b> A holder that was only paused (SIGSTOP, a long GC, a starved machine) and was
 * removed meanwhile must not serve once it runs again, since the standby may already be serving.
 * Removal needs {@code D = hazelcast.max.no.heartbeat.seconds} without heartbeats, sent every
 * {@code I = hazelcast.heartbeat.interval.seconds}: so only a pause of at least {@code D - I} can
 * get a member removed. The holder's {@link PauseWatch} fences on any pause longer than
 * {@code D - 2I} (at least I): on its first tick or first request after the pause, before it
 * answers anything, it stops serving (every store request is refused with UNAVAILABLE), unregisters
 * its consumers and closes the database. It never releases the lock then: it may be another's. After
 * {@code D + 2I} (by then a removed member has learnt it, from the master or from the others'
 * missing heartbeats) it judges: the same member identity and either no membership change since
 * before the pause, or other members still in view and the holder entry (which a taker writes the
 * moment it has the lock) still naming it, mean it was never removed and still holds the lock, so it
 * serves again; otherwise it waits as a standby once Hazelcast has merged it back (with a new
 * identity). If it cannot reopen the database, it lets the role go for another node to take. Hazelcast telling this
 * member it is merging into another cluster (it was split off) fences it too.
 *
 * <p>The taker waits too before opening: not at all when the previous holder's process is gone
 * (same host, its pid no longer runs: a killed holder serves nothing), else {@code D + 2I}, the
 * time a holder that was paused needs to notice and for the work it had in flight to end. SQLite's
 * own file locks keep the file consistent if two processes ever write it; they do not stop two
 * nodes from answering with their own caches, which is what the fencing is for.
 */
public final class StoreRole {

  private static final Logger LOG = LoggerFactory.getLogger(StoreRole.class);
  /** How long a starting store waits for the lock: enough for a store node that is stopping to let go. */
  static final long WAIT_MILLIS = 2_000;
  /** One attempt of a standby: a worker waits that long in Hazelcast, well under Vert.x's blocked-worker warning. */
  static final long ATTEMPT_MILLIS = 5_000;
  private static final long TICK_MILLIS = 250;
  private static final long RETRY_MILLIS = 1_000;
  private static final String HOLDER_KEY = "holder";

  private final Vertx vertx;
  private final StoreSettings settings;
  private final Supplier<Future<Void>> open;
  private final Supplier<Future<Void>> close;
  private final boolean singleton;
  private Context context;
  private ClusterView cluster;
  private PauseWatch pauses;
  private String host;
  private Lock lock;
  private final AtomicBoolean serving = new AtomicBoolean();
  /** Fenced and not yet judged: the lock may be another member's now, never to be released from here. */
  private volatile boolean fenced;
  private boolean stopped;

  /**
   * @param open  opens the database and registers the store consumers; called when the role is held
   * @param close unregisters them and closes the database (not the lock)
   */
  StoreRole(Vertx vertx, StoreSettings settings, Supplier<Future<Void>> open, Supplier<Future<Void>> close) {
    this(vertx, settings, open, close, true);
  }

  /**
   * @param singleton false for a database every node may serve at once (no lock, no standby, no
   *                  fencing: the role is this node's from the start)
   */
  StoreRole(Vertx vertx, StoreSettings settings, Supplier<Future<Void>> open, Supplier<Future<Void>> close,
            boolean singleton) {
    this.singleton = singleton;
    this.vertx = vertx;
    this.settings = settings;
    this.open = open;
    this.close = close;
  }

  /** The lock, or a {@link StoreRoleTakenException} when another node holds it. */
  public static Future<Lock> claim(Vertx vertx) {
    return vertx.sharedData().getLockWithTimeout(SharedNames.STORE_ROLE_LOCK, WAIT_MILLIS)
      .recover(error -> Future.failedFuture(new StoreRoleTakenException(error)));
  }

  /**
   * Takes the role and serves, or (a clustered node on an SQLite file, the role taken) becomes a
   * standby: completes at once, and takes the role over when the holder is gone.
   */
  Future<Void> start() {
    context = vertx.getOrCreateContext();
    cluster = ClusterView.of(vertx, separation -> {
      if (singleton) {
        fence("Hazelcast reports " + separation + " for this member", false);
      }
    });
    if (!singleton) {
      return open.get().onSuccess(opened -> serving.set(true));
    }
    return vertx.executeBlocking(() -> InetAddress.getLocalHost().getHostName())
      .otherwise("unknown")
      .compose(name -> {
        host = name;
        return claim(vertx);
      })
      .compose(held -> take(held, "started"), taken -> {
        if (!standbyPossible()) {
          return Future.failedFuture(taken);
        }
        return holderInfo().map(holder -> {
          LOG.info("The store role is held by {}: standing by to take it over", describe(holder));
          if (holder != null && !Path.of(settings.dbPath()).toAbsolutePath().normalize().toString()
            .equals(holder.getString("database"))) {
            LOG.warn("The store holder names its database {}, this standby {}: a standby must open the same file "
              + "(same host, same data folder), or it takes over with other data", holder.getString("database"),
              Path.of(settings.dbPath()).toAbsolutePath().normalize());
          }
          return null;
        })
        .compose(logged -> vertx.executeBlocking(() -> Database.readOnlyProbe(Path.of(settings.dbPath()))))
        .<Void>map(version -> {
          waitForRole();
          return null;
        });
      })
      .onFailure(error -> {
        if (!serving.get()) {
          release();
        }
      });
  }

  /** Whether this node may answer a store request now: it holds the role and has not been paused since. */
  boolean serving() {
    if (serving.get() && pauses != null && !pauses.fresh()) {
      onPause();
    }
    return serving.get();
  }

  /** This node's cluster address, which names the holder on {@code /ready} (null when not clustered). */
  String address() {
    return cluster == null ? null : cluster.localAddress();
  }

  /** Stops waiting or serving; lets the lock go when this node still holds it. */
  Future<Void> stop() {
    stopped = true;
    boolean wasServing = serving.getAndSet(false);
    if (fenced) {
      lock = null;
    }
    if (pauses != null) {
      pauses.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    Future<Void> closed = wasServing ? close.get() : Future.succeededFuture();
    return closed.eventually(() -> {
      release();
      return Future.succeededFuture();
    });
  }

  private boolean standbyPossible() {
    return cluster.clustered() && !Database.IN_MEMORY.equals(settings.dbPath());
  }

  /** Waits for the lock, one attempt after the other, until it is this node's or the node stops. */
  private void waitForRole() {
    if (stopped) {
      return;
    }
    vertx.sharedData().getLockWithTimeout(SharedNames.STORE_ROLE_LOCK, ATTEMPT_MILLIS).onComplete(attempt -> {
      if (attempt.failed()) {
        // timed out (the holder lives), or Hazelcast is busy re-forming: try again
        if (!stopped) {
          vertx.setTimer(10, id -> waitForRole());
        }
        return;
      }
      if (stopped) {
        attempt.result().release();
        return;
      }
      // read the previous holder, then name this node at once: a paused holder judging whether it
      // still holds the role (judge) must find it taken from the moment it is
      holderInfo()
        .compose(previous -> announce().map(previous))
        .compose(previous -> {
          long margin = margin(previous);
          if (margin > 0) {
            LOG.warn("Store role acquired; the previous holder {} may still run (paused): opening the database in {} ms",
              describe(previous), margin);
          } else {
            LOG.info("Store role acquired; the previous holder {} has exited: taking over now", describe(previous));
          }
          Promise<Void> waited = Promise.promise();
          vertx.setTimer(Math.max(1, margin), id -> waited.complete());
          return waited.future();
        })
        .compose(waited -> stopped ? Future.failedFuture("stopped") : take(attempt.result(), "took over"))
        .onFailure(error -> {
          attempt.result().release();
          lock = null;
          if (!stopped) {
            LOG.error("Taking over the store role failed ({}): waiting again", error.toString());
            vertx.setTimer(RETRY_MILLIS, id -> waitForRole());
          }
        });
    });
  }

  /** The role is held: says so to the cluster, opens the database, serves, and watches for pauses. */
  private Future<Void> take(Lock held, String how) {
    lock = held;
    return announce()
      .compose(put -> open.get())
      .onSuccess(opened -> {
        fenced = false;
        serving.set(true);
        if (standbyPossible() && pauses == null) {
          pauses = new PauseWatch(TICK_MILLIS, pauseLimitMillis(), cluster::changes, this::onPause);
        }
        if (!"started".equals(how)) {
          LOG.info("Store role {}: serving the store from {}", how, cluster.localAddress());
        }
      });
  }

  /** On the ticker's thread or a request's: refuse at once, close on the context. */
  private void onPause() {
    fence("this JVM was paused for longer than " + pauseLimitMillis() + " ms and may have been removed from the cluster",
      true);
  }

  /** Stops serving now; closes the database on the role's context; then judges whether to serve again. */
  private void fence(String reason, boolean pause) {
    if (!serving.compareAndSet(true, false)) {
      return;
    }
    fenced = true;
    long changesBefore = pause ? pauses.changesBeforePause() : -1;
    String memberBefore = cluster.localMemberId();
    context.runOnContext(v -> {
      LOG.error("Store role: no longer serving store requests: {}", reason);
      close.get().onComplete(closed -> {
        if (stopped) {
          return;
        }
        long verdictMillis = cluster.noHeartbeatMillis() + 2 * cluster.heartbeatMillis();
        vertx.setTimer(verdictMillis, id -> judge(changesBefore, memberBefore));
      });
    });
  }

  /**
   * After a fence: serve again if the cluster never removed this member, else stand by once merged
   * back. Never removed: the same member identity, and either no membership change at all, or
   * (other members left meanwhile) this member still sees others and the holder entry, which a
   * taker writes the moment it has the lock, still names it. A member that was removed sees itself
   * alone (it dropped the others it could not hear) until it is merged back with a new identity.
   */
  private void judge(long changesBefore, String memberBefore) {
    if (stopped) {
      return;
    }
    boolean sameMember = cluster.localMemberId().equals(memberBefore);
    Future<Boolean> kept = !sameMember ? Future.succeededFuture(false)
      : changesBefore >= 0 && cluster.changes() == changesBefore ? Future.succeededFuture(true)
      : !cluster.others() ? Future.succeededFuture(false)
      : holderInfo().map(holder -> holder != null && me().getString("address").equals(holder.getString("address"))
        && me().getLong("pid").equals(holder.getLong("pid"))).otherwise(false);
    kept.onComplete(done -> {
      if (stopped) {
        return;
      }
      if (done.succeeded() && done.result()) {
        LOG.warn("Store role: this member was never removed from the cluster and still holds the role: serving again");
        take(lock, "kept").onFailure(error -> {
          // as a taker that cannot open: let another node try, and wait for the role again
          LOG.error("Store role: reopening the database failed ({}): letting the role go", error.toString());
          release();
          vertx.setTimer(RETRY_MILLIS, id -> waitForRole());
        });
        return;
      }
      // removed: Hazelcast has released the lock (it is no longer this node's to release)
      lock = null;
      fenced = false;
      LOG.error("Store role lost: this member was removed from the cluster; it waits as a standby once it is a member again");
      awaitNewIdentity(memberBefore);
    });
  }

  /** A removed member gets a new identity when Hazelcast merges it back; only then may it compete again. */
  private void awaitNewIdentity(String memberBefore) {
    if (stopped) {
      return;
    }
    if (!cluster.localMemberId().equals(memberBefore)) {
      waitForRole();
    } else {
      vertx.setTimer(RETRY_MILLIS, id -> awaitNewIdentity(memberBefore));
    }
  }

  /** How long the taker waits: nothing when the previous holder's process is gone, else D + 2I. */
  private long margin(JsonObject previous) {
    if (previous != null && host.equals(previous.getString("host"))) {
      long pid = previous.getLong("pid", -1L);
      if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
        return 0;
      }
    }
    return cluster.noHeartbeatMillis() + 2 * cluster.heartbeatMillis();
  }

  /** A pause this long may get a member removed (D - I), with one more interval of slack; at least I. */
  private long pauseLimitMillis() {
    long heartbeat = cluster.heartbeatMillis();
    return Math.max(heartbeat, cluster.noHeartbeatMillis() - 2 * heartbeat);
  }

  /** This node as the holder, in the cluster map the standbys and {@code judge} read. */
  private Future<Void> announce() {
    return vertx.sharedData().<String, String>getAsyncMap(SharedNames.STORE_HOLDER)
      .compose(map -> map.put(HOLDER_KEY, me().encode()));
  }

  private JsonObject me() {
    return new JsonObject().put("address", cluster.localAddress()).put("host", host)
      .put("pid", ProcessHandle.current().pid())
      .put("database", Database.IN_MEMORY.equals(settings.dbPath()) ? Database.IN_MEMORY
        : Path.of(settings.dbPath()).toAbsolutePath().normalize().toString());
  }

  private Future<JsonObject> holderInfo() {
    return vertx.sharedData().<String, String>getAsyncMap(SharedNames.STORE_HOLDER)
      .compose(map -> map.get(HOLDER_KEY))
      .map(value -> value == null ? null : new JsonObject(value));
  }

  private void release() {
    if (lock != null) {
      lock.release();
      lock = null;
    }
  }

  private static String describe(JsonObject holder) {
    return holder == null ? "(unknown)"
      : holder.getString("address") + " (pid " + holder.getValue("pid") + " on " + holder.getString("host") + ")";
  }
}
