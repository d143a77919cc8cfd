package dev.avatarservice.store;

import dev.avatarservice.bus.EventAddress;
import dev.avatarservice.bus.Failure;
import dev.avatarservice.bus.Field;
import dev.avatarservice.bus.StoreAddress;
import dev.avatarservice.account.Identifiers;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Owns the database (and the avatar folder): answers the {@link StoreAddress} requests. Exactly one
 * instance per cluster serves while the database is SQLite, since point-to-point requests are spread
 * over every consumer of an address: the {@link StoreRole} opens the database once this node holds
 * the cluster-wide lock (a second store node waits as a standby) and closes it when the role is
 * lost or the verticle stops. On PostgreSQL the database decides between concurrent
 * writers, so every node may run one (no lock), avatars live in the database, and the stores keep
 * each other's caches right ({@link PeerCaches}). JDBC runs on the JDBC client's workers, never on
 * this event loop.
 */
public final class StoreVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(StoreVerticle.class);
  private static final long PURGE_INTERVAL_MS = 3_600_000;
  /** The longest a change waits for the other stores of a PostgreSQL cluster to forget it. */
  private static final long PEER_FORGET_TIMEOUT_MS = 2_000;
  /**
   * The periodic sweep leaves files younger than this: far longer than an upload can take from
   * writing its file to pointing its row at it, so only true orphans go (see {@link AvatarFiles#sweep}).
   */
  private static final long ORPHAN_MIN_AGE_MS = 900_000;

  private final StoreSettings settings;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private Database database;
  private AvatarStorage files;
  private PeerCaches peers;
  private Avatars avatars;
  private UserCache users;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private long purgeTimer = -1;
  private StoreRole role;

  public StoreVerticle(StoreSettings settings) {
    this(settings, Clock.systemUTC());
  }

  public StoreVerticle(StoreSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    // on PostgreSQL every node may run the store: no lock to claim, no standby
    role = new StoreRole(vertx, settings, this::open, this::close, !settings.postgres());
    return role.start();
  }

  /** Opens the database and serves the store addresses: once this node holds the {@link StoreRole}. */
  private Future<Void> open() {
    consumers.clear();
    return vertx.executeBlocking(() -> {
        Database opened = new Database(vertx, settings);
        try {
          Migrations.migrate(opened.dataSource(), opened.dialect());
          IdentifierSkeletons.backfill(opened.dataSource(), Identifiers::skeleton);
        } catch (Exception e) {
          opened.close();
          throw e;
        }
        return opened;
      })
      .compose(opened -> {
        database = opened;
        files = settings.postgres() ? new AvatarTable(random)
          : new AvatarFiles(vertx, Path.of(settings.avatarsDir()), random, settings.avatarSizes());
        users = new UserCache(settings.userCacheSize(), settings.userCacheSeconds() * 1000L);
        peers = settings.postgres() ? new PeerCaches(vertx, Math.min(PEER_FORGET_TIMEOUT_MS, settings.timeoutMs() / 2)) : null;
        avatars = new Avatars(opened.pool(), opened.dialect(), new UserRows(settings.publicBaseUrl()), users, files, this::userChanged);
        // The folder is made and swept before any request can write to it.
        return avatars.prepare().map(opened);
      })
      .compose(opened -> {
        UserRows rows = new UserRows(settings.publicBaseUrl());
        SessionCache sessions = new SessionCache(settings.userCacheSize(), settings.userCacheSeconds() * 1000L);
        // The store forgets ended sessions itself before it answers. On SQLite the published event is
        // for any other holder of a session cache (and keeps this one right should ends come from
        // elsewhere); on PostgreSQL every other store forgets them before this one answers.
        Accounts accounts = new Accounts(opened.pool(), opened.dialect(), rows, users, sessions,
          settings.sessionMaxAgeSeconds(), (userId, ids) -> {
            if (peers != null) {
              return peers.forget(null, ids);
            }
            vertx.eventBus().publish(EventAddress.SESSIONS_FORGET,
              new JsonObject().put(Field.USER_ID, userId).put(Field.SESSION_IDS, new JsonArray(new ArrayList<Object>(ids))));
            return Future.succeededFuture();
          },
          clock);
        if (peers == null) {
          MessageConsumer<JsonObject> forget = vertx.eventBus().consumer(EventAddress.SESSIONS_FORGET, message -> {
            JsonArray ids = message.body().getJsonArray(Field.SESSION_IDS);
            if (ids != null) {
              List<String> list = new ArrayList<>();
              ids.forEach(id -> list.add(String.valueOf(id)));
              sessions.forget(list);
            }
          });
          consumers.add(forget);
        }
        // On PostgreSQL this store is listed among the stores to tell of changes before it serves
        // anything it could cache: a change made elsewhere in between would never reach its cache.
        Future<?> listed = peers == null ? Future.succeededFuture() : peers.start((userId, ids) -> {
          if (userId != null) {
            users.forget(userId);
          }
          sessions.forget(ids);
        });
        return listed.compose(listedDone -> {
          serve(StoreAddress.REGISTER, accounts::register);
          serve(StoreAddress.CREDENTIALS, accounts::credentials);
          serve(StoreAddress.OPEN_SESSION, accounts::login);
          serve(StoreAddress.REFRESH, accounts::refresh);
          serve(StoreAddress.END_SESSIONS, accounts::endSessions);
          serve(StoreAddress.SESSIONS, accounts::sessions);
          serve(StoreAddress.CHANGE_PASSWORD, accounts::changePassword);
          serve(StoreAddress.USER, accounts::user);
          serve(StoreAddress.DELETE_USER,
            new AccountDeletion(opened.pool(), opened.dialect(), files, users, this::userChanged)::delete);
          serve(StoreAddress.SET_AVATAR, avatars::set);
          serve(StoreAddress.REMOVE_AVATAR, avatars::remove);
          SecretFile secretFile = new SecretFile(vertx, opened.pool(), settings, random);
          serve(StoreAddress.AVATAR_FILE, avatars::serve);
          serve(StoreAddress.SIGNING_KEY, request -> secretFile.key().map(key -> new JsonObject().put(Field.KEY, key)));
          AdminQueries admin = new AdminQueries(opened.pool(), rows, clock);
          serve(StoreAddress.LIST_USERS, admin::list);
          serve(StoreAddress.BACKUP, files instanceof AvatarFiles folder ? new Backup(vertx, opened, folder, clock)::run
            : request -> Future.failedFuture(Failure.NOT_SUPPORTED.exception(
              "the database is PostgreSQL: back it up with pg_dump (the avatars are in it)")));
          serve(StoreAddress.PING, request -> opened.pool().query("SELECT 1").execute()
            .map(result -> new JsonObject().put(Field.HOLDER, role.address())));
          purgeTimer = vertx.setPeriodic(PURGE_INTERVAL_MS, id -> {
            accounts.purgeExpiredTokens()
              .onSuccess(count -> LOG.debug("Purged {} expired refresh tokens", count))
              .onFailure(error -> LOG.warn("Purging expired refresh tokens failed: {}", error.toString()));
            // file times are the system's, whatever clock the accounts use
            avatars.sweep(System.currentTimeMillis() - ORPHAN_MIN_AGE_MS)
              .onSuccess(count -> {
                if (count > 0) {
                  LOG.info("Removed {} avatar files that no account points at", count);
                }
              })
              .onFailure(error -> LOG.warn("Sweeping the avatar folder failed: {}", error.getClass().getName()));
          });
          return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
        });
      })
      .<Void>mapEmpty()
      .onSuccess(done -> LOG.info("Store ready ({})", settings.postgres() ? "PostgreSQL"
        : Database.IN_MEMORY.equals(settings.dbPath()) ? "in memory" : "SQLite file"))
      .onFailure(error -> close());
  }

  @Override
  public Future<?> stop() {
    return role.stop();
  }

  /** After the commit of a change of the account, before its answer: every other store forgets it. */
  private Future<Void> userChanged(String userId) {
    return peers == null ? Future.succeededFuture() : peers.forget(userId, List.of());
  }

  /** Stops serving and closes the database (the role itself is {@link StoreRole}'s to let go). */
  private Future<Void> close() {
    vertx.cancelTimer(purgeTimer);
    Database opened = database;
    database = null;
    PeerCaches listed = peers;
    peers = null;
    List<MessageConsumer<JsonObject>> registered = List.copyOf(consumers);
    consumers.clear();
    // serving stops before this store leaves the list of stores to tell of changes (the mirror of open)
    Future<?> unregistered = Future.all(registered.stream().map(MessageConsumer::unregister).toList())
      .eventually(() -> listed == null ? Future.succeededFuture() : listed.stop());
    if (opened == null) {
      return unregistered.otherwiseEmpty().mapEmpty();
    }
    return unregistered
      .eventually(() -> opened.pool().close())
      .eventually(() -> vertx.executeBlocking(() -> {
        opened.close();
        return null;
      }))
      .mapEmpty();
  }

  /** Answers the address cluster-wide, and its node-local twin for this node's own requests. */
  private void serve(String address, Function<JsonObject, Future<JsonObject>> operation) {
    Handler<Message<JsonObject>> handler = message -> {
      if (!role.serving()) {
        // fenced: this node may no longer hold the role, and another may already answer for it
        message.fail(Failure.UNAVAILABLE.code(), "the store is changing hands; try again shortly");
        return;
      }
      Future<JsonObject> result;
      try {
        result = operation.apply(message.body());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(done -> {
        if (done.succeeded()) {
          message.reply(done.result());
        } else {
          var failure = StoreErrors.toReply(address, done.cause());
          message.fail(failure.failureCode(), failure.getMessage());
        }
      });
    };
    consumers.add(vertx.eventBus().consumer(address, handler));
    consumers.add(vertx.eventBus().localConsumer(StoreAddress.local(address), handler));
  }
}
