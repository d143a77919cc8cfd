package dev.avatarservice.http;

import dev.avatarservice.account.AccountService;
import dev.avatarservice.account.Identifiers;
import dev.avatarservice.account.IssuedTokens;
import dev.avatarservice.account.PasswordPolicy;
import dev.avatarservice.account.UserDeletion;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.SchemaRepository;

import static io.vertx.json.schema.common.dsl.Keywords.maxLength;
import static io.vertx.json.schema.common.dsl.Schemas.objectSchema;
import static io.vertx.json.schema.common.dsl.Schemas.stringSchema;

/**
 * The account routes of the contract and their FastAPI aliases: register, login, refresh, logout,
 * the current user and its deletion. The JSON shape is checked by vertx-web-validation; the rules of
 * identifiers and passwords by {@link Identifiers} and {@link PasswordPolicy}.
 */
public final class AccountRoutes {

  /** Far above any valid value, to refuse absurd strings before any work; the rules say the rest. */
  private static final int MAX_FIELD_LENGTH = 4096;

  private final AccountService accounts;
  private final UserDeletion deletion;
  private final BearerAuth bearer;
  private final RateLimiter authLimiter;
  private final JsonBody credentialsBody;
  private final JsonBody refreshBody;

  public AccountRoutes(AccountService accounts, UserDeletion deletion, BearerAuth bearer, RateLimiter authLimiter,
                       SchemaRepository schemas, int jsonBodyLimit) {
    this.accounts = accounts;
    this.deletion = deletion;
    this.bearer = bearer;
    this.authLimiter = authLimiter;
    this.credentialsBody = new JsonBody(schemas, objectSchema()
      .requiredProperty("identifier", stringSchema().with(maxLength(MAX_FIELD_LENGTH)))
      .requiredProperty("password", stringSchema().with(maxLength(MAX_FIELD_LENGTH))), jsonBodyLimit);
    this.refreshBody = new JsonBody(schemas, objectSchema()
      .requiredProperty("refreshToken", stringSchema().with(maxLength(MAX_FIELD_LENGTH))), jsonBodyLimit);
  }

  public void mount(Router router) {
    for (String path : new String[] {"/api/register", "/register"}) {
      router.post(path).handler(credentialsBody.reader()).handler(limited()).handler(credentialsBody.validator()).handler(this::register);
    }
    for (String path : new String[] {"/api/login", "/login"}) {
      router.post(path).handler(credentialsBody.reader()).handler(limited()).handler(credentialsBody.validator()).handler(this::login);
    }
    router.post("/api/refresh").handler(refreshBody.reader()).handler(limited()).handler(refreshBody.validator()).handler(this::refresh);
    router.post("/api/logout").handler(refreshBody.reader()).handler(refreshBody.validator()).handler(bearer).handler(this::logout);
    for (String path : new String[] {"/api/user", "/user"}) {
      router.get(path).handler(bearer).handler(ctx -> JSend.success(ctx, 200, BearerAuth.user(ctx)));
      router.delete(path).handler(bearer).handler(this::deleteUser);
    }
  }

  /** Bursts of unauthenticated account requests from one client address are refused with 429. */
  private Handler<RoutingContext> limited() {
    return authLimiter.perClient(ServiceMetrics.AUTH_REQUESTS);
  }

  private void register(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    accounts.register(body.getString("identifier"), body.getString("password"))
      .onSuccess(tokens -> sendTokens(ctx, 201, tokens))
      .onFailure(ctx::fail);
  }

  private void login(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    accounts.login(body.getString("identifier"), body.getString("password"), ClientAddress.of(ctx))
      .onSuccess(tokens -> sendTokens(ctx, 200, tokens))
      .onFailure(ctx::fail);
  }

  private void refresh(RoutingContext ctx) {
    accounts.refresh(ctx.body().asJsonObject().getString("refreshToken"))
      .onSuccess(tokens -> sendTokens(ctx, 200, tokens))
      .onFailure(ctx::fail);
  }

  private void logout(RoutingContext ctx) {
    accounts.revoke(ctx.body().asJsonObject().getString("refreshToken"), BearerAuth.userId(ctx))
      .onSuccess(done -> JSend.success(ctx, 200, null))
      .onFailure(ctx::fail);
  }

  /**
   * 200 once the account, its tokens and files are gone and every node closed the user's sockets;
   * 202 when the account is gone but not every node confirmed in time (see {@link UserDeletion}).
   * A second deletion with the same token finds no account: 401.
   */
  private void deleteUser(RoutingContext ctx) {
    deletion.delete(BearerAuth.userId(ctx))
      .onSuccess(confirmed -> JSend.success(ctx, confirmed ? 200 : 202, null))
      .onFailure(ctx::fail);
  }

  private static void sendTokens(RoutingContext ctx, int status, IssuedTokens tokens) {
    ctx.response().putHeader("Cache-Control", "no-store").putHeader("Pragma", "no-cache");
    JSend.success(ctx, status, tokens.toJson());
  }
}
