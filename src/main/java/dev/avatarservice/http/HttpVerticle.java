package dev.avatarservice.http;

import dev.avatarservice.auth.AccessTokens;
import dev.avatarservice.auth.SigningKeys;
import dev.avatarservice.auth.TokenSettings;
import dev.avatarservice.bus.StoreClient;
import dev.avatarservice.bus.UserDeletedBroadcast;
import dev.avatarservice.config.AppConfig;
import dev.avatarservice.config.Role;
import dev.avatarservice.http.account.AccountRoutes;
import dev.avatarservice.http.account.AccountService;
import dev.avatarservice.http.account.Argon2Settings;
import dev.avatarservice.http.account.HashingGate;
import dev.avatarservice.http.account.LoginThrottle;
import dev.avatarservice.http.account.OAuthRoutes;
import dev.avatarservice.http.account.PasswordHasher;
import dev.avatarservice.http.account.UserDeletion;
import dev.avatarservice.http.avatar.AvatarRoutes;
import dev.avatarservice.notify.RealtimeRoutes;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Draft;
import io.vertx.micrometer.backends.BackendRegistries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The public HTTP server: routing, validation, JSend, authentication, and the work that needs a
 * worker (hashing, images). It reaches the database only through the store verticle, over the event bus.
 * Deployed once per core; the instances share the listening port.
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);

  private HttpServer server;
  private int shutdownTimeoutSeconds;
  /** The sockets of this instance, when the node runs the notify role. */
  private RealtimeRoutes realtime;

  @Override
  public Future<?> start() {
    AppConfig config = AppConfig.from(config());
    shutdownTimeoutSeconds = config.shutdownTimeoutSeconds();
    StoreClient store = new StoreClient(vertx.eventBus(), config.storeTimeoutMs());
    return Future.all(SigningKeys.resolve(config, store), DocsRoutes.load(vertx))
      .map(loaded -> router(config, store,
        new AccessTokens(vertx, TokenSettings.of(config, loaded.resultAt(0)), Clock.systemUTC()), loaded.resultAt(1)))
      .compose(router -> realtime == null ? Future.succeededFuture(router) : realtime.start().map(router))
      .compose(router -> vertx.createHttpServer(RealtimeRoutes.webSocketOptions(new HttpServerOptions()
          .setHost(config.httpHost())
          .setPort(config.httpPort())
          .setCompressionSupported(false)
          // idle keep-alive connections and dead peers do not hold a descriptor forever
          .setIdleTimeout(config.httpIdleTimeoutSeconds())
          .setIdleTimeoutUnit(TimeUnit.SECONDS)
          // HTTP/1.1 only: Vert.x answered a stray "Upgrade: h2c" with an unframed 400 and kept the connection open
          .setHttp2ClearTextEnabled(false), config))
        .connectionHandler(connection -> ConnectionGuard.install(connection, guardSettings(config)))
        .requestHandler(router)
        .invalidRequestHandler(FailureHandler::invalidRequest)
        // a connection's failures (resets, malformed input) are answered where they happen, not logged again
        .exceptionHandler(error -> LOG.debug("HTTP connection failure: {}", error.getClass().getSimpleName()))
        .listen())
      .onSuccess(listening -> {
        server = listening;
        LOG.debug("HTTP verticle listening on {}:{}", config.httpHost(), listening.actualPort());
      });
  }

  private static ConnectionGuard.Settings guardSettings(AppConfig config) {
    return new ConnectionGuard.Settings(config.httpHeaderTimeoutSeconds() * 1000L, config.httpBodyMinRate());
  }

  private Router router(AppConfig config, StoreClient store, AccessTokens tokens, DocsRoutes docs) {
    Router router = Router.router(vertx);
    router.route().handler(AllowedMethods::headAsGet);
    router.route().handler(new AccessLog());
    router.route().handler(new RequestGuard());
    router.route().handler(new ServiceMetrics(BackendRegistries.getNow(config.metricsRegistryName())));
    router.route().handler(cors(config));
    // on every response; JSON responses get more in JSend, pages and files their own CSP
    router.route().handler(ctx -> {
      ctx.response().putHeader("X-Content-Type-Options", "nosniff").putHeader("Referrer-Policy", "no-referrer");
      ctx.next();
    });

    BearerAuth bearer = new BearerAuth(tokens, store);
    AccountService accounts = accountService(config, store, tokens);
    RateLimiter authLimiter = NodeShared.get(vertx, "auth-limiter",
      () -> new RateLimiter(config.authRequestsPerMinute(), 60_000, System::currentTimeMillis));
    SchemaRepository schemas = SchemaRepository.create(new JsonSchemaOptions()
      .setDraft(Draft.DRAFT202012).setBaseUri("https://avatar-service.local/schemas/"));

    countOperations(router);
    new OpsRoutes(vertx, store, config.metricsRegistryName()).mount(router);
    UserDeletion deletion = new UserDeletion(store, new UserDeletedBroadcast(vertx, config.deletionConfirmTimeoutMs()));
    new AccountRoutes(accounts, deletion, bearer, authLimiter, schemas, config.jsonBodyLimit()).mount(router);
    new OAuthRoutes(accounts, config.jsonBodyLimit()).mount(router);
    new AvatarRoutes(vertx, config, store, bearer, Clock.systemUTC()).mount(router);
    docs.mount(router);
    if (config.runs(Role.NOTIFY)) {
      realtime = new RealtimeRoutes(vertx, config, tokens, store);
      realtime.mount(router);
    }

    FailureHandler failures = new FailureHandler(AllowedMethods.of(router));
    router.route().failureHandler(failures);
    for (int status : new int[] {400, 401, 403, 404, 405, 413, 415, 500, 503}) {
      router.errorHandler(status, failures);
    }
    return router;
  }

  /** Marks the routes whose outcomes {@link ServiceMetrics} counts; mounted before the routes. */
  private static void countOperations(Router router) {
    for (String path : List.of("/api/register", "/register")) {
      router.post(path).handler(ServiceMetrics.counts(ServiceMetrics.Operation.REGISTRATION));
    }
    for (String path : List.of("/api/login", "/login")) {
      router.post(path).handler(ServiceMetrics.counts(ServiceMetrics.Operation.LOGIN));
    }
    for (String path : List.of("/api/refresh", "/oauth/token")) {
      router.post(path).handler(ServiceMetrics.counts(ServiceMetrics.Operation.REFRESH));
    }
    for (String path : List.of("/api/user/avatar", "/avatar")) {
      router.post(path).handler(ServiceMetrics.counts(ServiceMetrics.Operation.UPLOAD));
    }
  }

  /**
   * CORS for the configured origins only. SockJS answers its own CORS (and its Origin is checked
   * by the realtime routes), so it is left out here to avoid doubled headers.
   */
  private static Handler<RoutingContext> cors(AppConfig config) {
    CorsHandler cors = CorsHandler.create()
      .addOrigins(List.copyOf(config.corsOrigins()))
      .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE))
      .allowedHeaders(Set.of("Authorization", "Content-Type", "X-Request-Id"))
      .exposedHeaders(Set.of("X-Request-Id", "Retry-After", "WWW-Authenticate"))
      .maxAgeSeconds(600);
    return ctx -> {
      if (ctx.normalizedPath().startsWith("/sockjs")) {
        ctx.next();
      } else {
        cors.handle(ctx);
      }
    };
  }

  private AccountService accountService(AppConfig config, StoreClient store, AccessTokens tokens) {
    int threads = config.hashThreads();
    WorkerExecutor hashingPool = vertx.createSharedWorkerExecutor("password-hashing", threads);
    HashingGate gate = NodeShared.get(vertx, "hashing-gate", () -> new HashingGate(threads, config.hashQueue()));
    PasswordHasher hasher = new PasswordHasher(new Argon2Settings(config.argon2MemoryKib(), config.argon2Iterations(),
      config.argon2Parallelism()));
    LoginThrottle throttle = new LoginThrottle(vertx, config.loginFailuresLimit(), config.loginFailuresWindow(),
      System::currentTimeMillis);
    return new AccountService(store, tokens, hasher, gate, hashingPool, throttle, config.refreshTokenTtl(),
      Clock.systemUTC());
  }

  /**
   * Stops gracefully, both at once: the server stops accepting connections, closes its idle ones
   * and each busy one once its request in flight has been answered ({@code HttpServer.shutdown}),
   * forcing what is left closed after {@code SHUTDOWN_TIMEOUT}; meanwhile every socket is sent 1001
   * (server shutting down), which closes the socket connections the shutdown waits for.
   */
  @Override
  public Future<?> stop() {
    Future<Void> sockets = realtime == null ? Future.succeededFuture() : realtime.close();
    Future<Void> drained = server == null ? Future.succeededFuture()
      : server.shutdown(shutdownTimeoutSeconds, TimeUnit.SECONDS);
    return Future.join(sockets, drained);
  }
}
