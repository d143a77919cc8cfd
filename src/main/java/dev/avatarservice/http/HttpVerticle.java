package dev.avatarservice.http;

import dev.avatarservice.auth.AccessTokens;
import dev.avatarservice.auth.SigningKeys;
import dev.avatarservice.auth.TokenSettings;
import dev.avatarservice.bus.StoreClient;
import dev.avatarservice.config.AppConfig;
import dev.avatarservice.http.account.AccountRoutes;
import dev.avatarservice.http.account.AccountService;
import dev.avatarservice.http.account.Argon2Settings;
import dev.avatarservice.http.account.HashingGate;
import dev.avatarservice.http.account.LoginThrottle;
import dev.avatarservice.http.account.OAuthRoutes;
import dev.avatarservice.http.account.PasswordHasher;
import dev.avatarservice.http.avatar.AvatarRoutes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Draft;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/**
 * The public HTTP server: routing, validation, JSend, authentication, and the work that needs a
 * worker (hashing, images). It reaches the database only through the store verticle, over the event bus.
 * Deployed once per core; the instances share the listening port.
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);

  private HttpServer server;

  @Override
  public Future<?> start() {
    AppConfig config = AppConfig.from(config());
    StoreClient store = new StoreClient(vertx.eventBus(), config.storeTimeoutMs());
    return SigningKeys.resolve(config, store)
      .map(key -> router(config, store, new AccessTokens(vertx, TokenSettings.of(config, key), Clock.systemUTC())))
      .compose(router -> vertx.createHttpServer(new HttpServerOptions()
          .setHost(config.httpHost())
          .setPort(config.httpPort())
          .setCompressionSupported(false))
        .requestHandler(router)
        .listen())
      .onSuccess(listening -> {
        server = listening;
        LOG.debug("HTTP verticle listening on {}:{}", config.httpHost(), listening.actualPort());
      });
  }

  private Router router(AppConfig config, StoreClient store, AccessTokens tokens) {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      ctx.response().putHeader("X-Content-Type-Options", "nosniff");
      ctx.next();
    });

    BearerAuth bearer = new BearerAuth(tokens, store);
    AccountService accounts = accountService(config, store, tokens);
    RateLimiter authLimiter = NodeShared.get(vertx, "auth-limiter",
      () -> new RateLimiter(config.authRequestsPerMinute(), 60_000, System::currentTimeMillis));
    SchemaRepository schemas = SchemaRepository.create(new JsonSchemaOptions()
      .setDraft(Draft.DRAFT202012).setBaseUri("https://avatar-service.local/schemas/"));

    new OpsRoutes(vertx, store).mount(router);
    new AccountRoutes(accounts, bearer, authLimiter, schemas, config.jsonBodyLimit()).mount(router);
    new OAuthRoutes(accounts, config.jsonBodyLimit()).mount(router);
    new AvatarRoutes(vertx, config, store, bearer, Clock.systemUTC()).mount(router);

    FailureHandler failures = new FailureHandler();
    router.route().failureHandler(failures);
    for (int status : new int[] {400, 401, 404, 405, 413, 415, 500, 503}) {
      router.errorHandler(status, failures);
    }
    return router;
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

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
