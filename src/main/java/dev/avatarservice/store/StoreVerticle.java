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
 * instance per cluster while the database is SQLite, since point-to-point requests are spread over
 * every consumer of an address: it claims the cluster-wide {@link StoreRole} lock before opening the
 * database and holds it until it stops. JDBC runs on the JDBC client's workers, never on this event loop.
 */
public final class StoreVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(StoreVerticle.class);
  private static final long PURGE_INTERVAL_MS = 3_600_000;
  /**
   * The periodic sweep leaves files younger than this: far longer than an upload can take from
   * writing its file to pointing its row at it, so only true orphans go (see {@link AvatarFiles#sweep}).
   */
  private static final long ORPHAN_MIN_AGE_MS = 900_000;

  private final StoreSettings settings;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private Database database;
  private AvatarFiles files;
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
    role = new StoreRole(vertx, settings, this::open, this::close);
    return role.start();
  }

  /** Opens the database and serves the store addresses: once this node holds the {@link StoreRole}. */
  private Future<Void> open() {
    consumers.clear();
    return vertx.executeBlocking(() -> {
        Database opened = new Database(vertx, settings);
        try {
          Migrations.migrate(opened.dataSource());
          IdentifierSkeletons.backfill(opened.dataSource(), Identifiers::skeleton);
        } catch (Exception e) {
          opened.close();
          throw e;
        }
        return opened;
      })
      .compose(opened -> {
        database = opened;
        files = new AvatarFiles(vertx, Path.of(settings.avatarsDir()), random, settings.avatarSizes());
        users = new UserCache(settings.userCacheSize(), settings.userCacheSeconds() * 1000L);
        avatars = new Avatars(opened.pool(), new UserRows(settings.publicBaseUrl()), users, files);
        // The folder is made and swept before any request can write to it.
        return avatars.prepare().map(opened);
      })
      .compose(opened -> {
        UserRows rows = new UserRows(settings.publicBaseUrl());
        SessionCache sessions = new SessionCache(settings.userCacheSize(), settings.userCacheSeconds() * 1000L);
        // The store forgets ended sessions itself before it answers; the published event is for any
        // other holder of a session cache (and keeps this one right should ends come from elsewhere).
        Accounts accounts = new Accounts(opened.pool(), rows, users, sessions, settings.sessionMaxAgeSeconds(),
          (userId, ids) -> vertx.eventBus().publish(EventAddress.SESSIONS_FORGET,
            new JsonObject().put(Field.USER_ID, userId).put(Field.SESSION_IDS, new JsonArray(new ArrayList<Object>(ids)))),
          clock);
        MessageConsumer<JsonObject> forget = vertx.eventBus().consumer(EventAddress.SESSIONS_FORGET, message -> {
          JsonArray ids = message.body().getJsonArray(Field.SESSION_IDS);
          if (ids != null) {
            List<String> list = new ArrayList<>();
            ids.forEach(id -> list.add(String.valueOf(id)));
            sessions.forget(list);
          }
        });
        consumers.add(forget);
        serve(StoreAddress.REGISTER, accounts::register);
        serve(StoreAddress.CREDENTIALS, accounts::credentials);
        serve(StoreAddress.OPEN_SESSION, accounts::login);
        serve(StoreAddress.REFRESH, accounts::refresh);
        serve(StoreAddress.END_SESSIONS, accounts::endSessions);
        serve(StoreAddress.SESSIONS, accounts::sessions);
        serve(StoreAddress.CHANGE_PASSWORD, accounts::changePassword);
        serve(StoreAddress.USER, accounts::user);
        serve(StoreAddress.DELETE_USER, new AccountDeletion(opened.pool(), files, users)::delete);
        serve(StoreAddress.SET_AVATAR, avatars::set);
        serve(StoreAddress.REMOVE_AVATAR, avatars::remove);
        SecretFile secretFile = new SecretFile(vertx, opened.pool(), settings, random);
        serve(StoreAddress.AVATAR_FILE, avatars::serve);
        serve(StoreAddress.SIGNING_KEY, request -> secretFile.key().map(key -> new JsonObject().put(Field.KEY, key)));
        AdminQueries admin = new AdminQueries(opened.pool(), rows, clock);
        serve(StoreAddress.LIST_USERS, admin::list);
        serve(StoreAddress.BACKUP, new Backup(vertx, opened, files, clock)::run);
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
      })
      .<Void>mapEmpty()
      .onSuccess(done -> LOG.info("Store ready ({})", Database.IN_MEMORY.equals(settings.dbPath()) ? "in memory" : "SQLite file"))
      .onFailure(error -> close());
  }

  @Override
  public Future<?> stop() {
    return role.stop();
  }

  /** Stops serving and closes the database (the role itself is {@link StoreRole}'s to let go). */
  private Future<Void> close() {
    vertx.cancelTimer(purgeTimer);
    Database opened = database;
    database = null;
    List<MessageConsumer<JsonObject>> registered = List.copyOf(consumers);
    consumers.clear();
    Future<?> unregistered = Future.all(registered.stream().map(MessageConsumer::unregister).toList());
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
