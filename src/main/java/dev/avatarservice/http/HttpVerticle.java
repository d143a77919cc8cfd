package dev.avatarservice.http;

import dev.avatarservice.account.AccessTokens;
import dev.avatarservice.account.SigningKeys;
import dev.avatarservice.account.TokenSettings;
import dev.avatarservice.bus.StoreClient;
import dev.avatarservice.bus.NotifyClient;
import dev.avatarservice.config.AllowedOrigins;
import dev.avatarservice.config.HttpSettings;
import dev.avatarservice.config.Role;
import dev.avatarservice.config.Settings;
import dev.avatarservice.cluster.HazelcastAttemptCounts;
import dev.avatarservice.account.AccountService;
import dev.avatarservice.account.AccountSettings;
import dev.avatarservice.account.AttemptCounts;
import dev.avatarservice.account.LocalAttemptCounts;
import dev.avatarservice.account.LoginThrottle;
import dev.avatarservice.account.PasswordHasher;
import dev.avatarservice.account.SessionEnds;
import dev.avatarservice.account.UserDeletion;
import dev.avatarservice.http.realtime.RealtimeRoutes;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import dev.avatarservice.worker.BoundedPool;
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
import java.util.regex.Pattern;

/**
 * The public HTTP server: routing, validation, JSend, authentication, and the work that needs a
 * worker (hashing, images). It reaches the database only through the store verticle, over the event bus.
 * Deployed once per core; the instances share the listening port.
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);

  private final Settings settings;
  private HttpServer server;
  /** The sockets of this instance, when the node runs the notify role. */
  private RealtimeRoutes realtime;

  public HttpVerticle(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    HttpSettings http = settings.http();
    StoreClient store = new StoreClient(vertx.eventBus(), settings.storeTimeoutMs(), settings.runs(Role.STORE));
    return Future.all(SigningKeys.resolve(vertx, settings.keys(), settings.runs(Role.STORE), store), DocsRoutes.load(vertx))
      .map(loaded -> router(store, loaded.resultAt(0), loaded.resultAt(1)))
      .compose(router -> realtime == null ? Future.succeededFuture(router) : realtime.start().map(router))
      .compose(router -> Listen.on(vertx.createHttpServer(RealtimeRoutes.webSocketOptions(new HttpServerOptions()
          .setHost(http.host())
          .setPort(http.port())
          .setCompressionSupported(false)
          // idle keep-alive connections and dead peers do not hold a descriptor forever
          .setIdleTimeout(http.idleTimeoutSeconds())
          .setIdleTimeoutUnit(TimeUnit.SECONDS)
          // HTTP/1.1 only: Vert.x answered a stray "Upgrade: h2c" with an unframed 400 and kept the connection open
          .setHttp2ClearTextEnabled(false), settings.realtime()))
        .connectionHandler(connection -> ConnectionGuard.install(connection,
          new ConnectionGuard.Settings(http.headerTimeoutSeconds() * 1000L, http.bodyMinRate())))
        .requestHandler(router)
        .invalidRequestHandler(FailureHandler::invalidRequest)
        // a connection's failures (resets, malformed input) are answered where they happen, not logged again
        .exceptionHandler(error -> LOG.debug("HTTP connection failure: {}", error.getClass().getSimpleName())),
        "HTTP_PORT", http.host(), http.port()))
      .onSuccess(listening -> {
        server = listening;
        LOG.debug("HTTP verticle listening on {}:{}", http.host(), listening.actualPort());
      });
  }

  private Router router(StoreClient store, SigningKeys keys, DocsRoutes docs) {
    AccessTokens tokens = new AccessTokens(vertx, settings.tokens().withKeys(keys), Clock.systemUTC());
    Router router = Router.router(vertx);
    router.route().handler(AllowedMethods::headAsGet);
    // then: every handler after it, the access log included, sees the same client address
    router.route().handler(new ClientAddress(settings.http().trustedProxies()));
    router.route().handler(new AccessLog());
    router.route().handler(new RequestGuard());
    router.route().handler(new ServiceMetrics(BackendRegistries.getNow(settings.metricsRegistryName())));
    router.route().handler(cors(settings.http().corsOrigins()));
    // on every response; JSON responses get more in JSend, pages and files their own CSP
    router.route().handler(ctx -> {
      ctx.response().putHeader("X-Content-Type-Options", "nosniff").putHeader("Referrer-Policy", "no-referrer");
      ctx.next();
    });

    BearerAuth bearer = new BearerAuth(tokens, store);
    NotifyClient notify = new NotifyClient(vertx, settings.deletionConfirmTimeoutMs());
    AccountService accounts = accountService(settings.accounts(), store, tokens, new SessionEnds(notify));
    RateLimiter authLimiter = NodeShared.get(vertx, "auth-limiter",
      () -> new RateLimiter(settings.http().authRequestsPerMinute(), 60_000, System::currentTimeMillis));
    SchemaRepository schemas = SchemaRepository.create(new JsonSchemaOptions()
      .setDraft(Draft.DRAFT202012).setBaseUri("https://avatar-service.local/schemas/"));

    new OpsRoutes(vertx, store, settings.metricsRegistryName(), settings.management().metricsPublic(),
      NodeShared.get(vertx, "started-at", StartedAt::now).instant()).mount(router);
    UserDeletion deletion = new UserDeletion(store, notify);
    int jsonBodyLimit = settings.http().jsonBodyLimit();
    new KeysRoutes(keys).mount(router);
    new AccountRoutes(accounts, deletion, bearer, authLimiter, schemas, jsonBodyLimit).mount(router);
    new OAuthRoutes(accounts, authLimiter, schemas, jsonBodyLimit).mount(router);
    new AvatarRoutes(vertx, settings.avatars(), store, bearer, Clock.systemUTC()).mount(router);
    docs.mount(router);
    if (settings.runs(Role.NOTIFY)) {
      realtime = new RealtimeRoutes(vertx, settings.realtime(), settings.metricsRegistryName(), tokens, store);
      realtime.mount(router);
    }

    FailureHandler failures = new FailureHandler(AllowedMethods.of(router));
    router.route().failureHandler(failures);
    for (int status : new int[] {400, 401, 403, 404, 405, 413, 415, 500, 503}) {
      router.errorHandler(status, failures);
    }
    return router;
  }

  /** The WebSocket endpoints, with the trailing slash the router also takes. */
  private static final Pattern WEBSOCKET_PATH = Pattern.compile("/ws(/avatar)?/?");

  /**
   * CORS for the configured origins only. SockJS answers its own CORS (and its Origin is checked
   * by the realtime routes), so it is left out here to avoid doubled headers. The WebSocket
   * endpoints are left out too: their handshakes are checked against WS_ORIGINS by the realtime
   * routes, and CORS_ORIGINS must not refuse first an origin that WS_ORIGINS allows.
   */
  private static Handler<RoutingContext> cors(AllowedOrigins origins) {
    CorsHandler cors = CorsHandler.create()
      .addOrigins(List.copyOf(origins.exact()))
      .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE))
      .allowedHeaders(Set.of("Authorization", "Content-Type", "X-Request-Id"))
      .exposedHeaders(Set.of("X-Request-Id", "Retry-After", "WWW-Authenticate"))
      .maxAgeSeconds(600);
    if (origins.loopbackAnyPort()) {
      cors.addOriginWithRegex(AllowedOrigins.LOOPBACK_REGEX);
    }
    return ctx -> {
      String path = ctx.normalizedPath();
      if (path.startsWith("/sockjs") || WEBSOCKET_PATH.matcher(path).matches()) {
        ctx.next();
      } else {
        cors.handle(ctx);
      }
    };
  }

  private AccountService accountService(AccountSettings accounts, StoreClient store, AccessTokens tokens,
                                        SessionEnds sessionEnds) {
    BoundedPool hashing = BoundedPool.shared(vertx, "password-hashing", accounts.hashThreads(), accounts.hashQueue(),
      "too many logins in progress; try again shortly", 1);
    PasswordHasher hasher = new PasswordHasher(accounts.argon2());
    // counted cluster-wide when clustered, so that a limit holds whichever node each guess reaches
    AttemptCounts attempts = HazelcastAttemptCounts.of(vertx).orElseGet(() -> LocalAttemptCounts.of(vertx));
    LoginThrottle throttle = new LoginThrottle(attempts, accounts.loginFailuresLimit(),
      accounts.loginFailuresWindowSeconds(), System::currentTimeMillis);
    return new AccountService(store, tokens, hasher, hashing, throttle, sessionEnds, accounts.refreshTokenTtlSeconds(),
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
      : server.shutdown(settings.http().shutdownTimeoutSeconds(), TimeUnit.SECONDS);
    return Future.join(sockets, drained);
  }
}
