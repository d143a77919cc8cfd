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

import java.util.List;

import static io.vertx.json.schema.common.dsl.Keywords.maxLength;
import static io.vertx.json.schema.common.dsl.Schemas.objectSchema;
import static io.vertx.json.schema.common.dsl.Schemas.stringSchema;

/**
 * The account routes of the contract and their FastAPI aliases: register, login, refresh, logout,
 * the current user and its deletion, the password change and the sessions. The JSON shape is checked by vertx-web-validation; the rules of
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
  private final JsonBody passwordBody;

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
    this.passwordBody = new JsonBody(schemas, objectSchema()
      .requiredProperty("currentPassword", stringSchema().with(maxLength(MAX_FIELD_LENGTH)))
      .requiredProperty("newPassword", stringSchema().with(maxLength(MAX_FIELD_LENGTH))), jsonBodyLimit);
  }

  /** The paths of the operations {@link ServiceMetrics} counts: the canonical route and its alias. */
  static final List<String> REGISTER = List.of("/api/register", "/register");
  static final List<String> LOGIN = List.of("/api/login", "/login");
  static final String REFRESH = "/api/refresh";

  public void mount(Router router) {
    for (String path : REGISTER) {
      router.post(path).handler(credentialsBody.reader()).handler(limited()).handler(credentialsBody.validator()).handler(this::register);
    }
    for (String path : LOGIN) {
      router.post(path).handler(credentialsBody.reader()).handler(limited()).handler(credentialsBody.validator()).handler(this::login);
    }
    router.post(REFRESH).handler(refreshBody.reader()).handler(limited()).handler(refreshBody.validator()).handler(this::refresh);
    router.post("/api/logout").handler(refreshBody.reader()).handler(refreshBody.validator()).handler(bearer).handler(this::logout);
    router.put("/api/user/password").handler(passwordBody.reader()).handler(bearer).handler(limited())
      .handler(passwordBody.validator()).handler(this::changePassword);
    router.get("/api/user/sessions").handler(bearer).handler(this::sessions);
    router.delete("/api/user/sessions").handler(bearer).handler(this::endAllSessions);
    router.delete("/api/user/sessions/:id").handler(bearer).handler(this::endSession);
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
    accounts.register(body.getString("identifier"), body.getString("password"), ctx.request().getHeader("User-Agent"))
      .onSuccess(tokens -> sendTokens(ctx, 201, tokens))
      .onFailure(ctx::fail);
  }

  private void login(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    accounts.login(body.getString("identifier"), body.getString("password"), ClientAddress.of(ctx),
        ctx.request().getHeader("User-Agent"))
      .onSuccess(tokens -> sendTokens(ctx, 200, tokens))
      .onFailure(ctx::fail);
  }

  private void refresh(RoutingContext ctx) {
    accounts.refresh(ctx.body().asJsonObject().getString("refreshToken"))
      .onSuccess(tokens -> sendTokens(ctx, 200, tokens))
      .onFailure(ctx::fail);
  }

  /**
   * Ends the session of that refresh token (one of the caller's; another's is left alone): 200 once
   * every node confirmed closing its sockets, 202 when one did not in time.
   */
  private void logout(RoutingContext ctx) {
    accounts.endSessionOf(ctx.body().asJsonObject().getString("refreshToken"), BearerAuth.userId(ctx))
      .onSuccess(confirmed -> JSend.success(ctx, confirmed ? 200 : 202, null))
      .onFailure(ctx::fail);
  }

  private void changePassword(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    accounts.changePassword(BearerAuth.user(ctx), BearerAuth.sessionId(ctx), body.getString("currentPassword"),
        body.getString("newPassword"), ClientAddress.of(ctx))
      .onSuccess(changed -> sendTokens(ctx, changed.confirmed() ? 200 : 202, changed.tokens()))
      .onFailure(ctx::fail);
  }

  private void sessions(RoutingContext ctx) {
    accounts.sessions(BearerAuth.userId(ctx), BearerAuth.sessionId(ctx))
      .onSuccess(sessions -> JSend.success(ctx, 200, new JsonObject().put("sessions", sessions)))
      .onFailure(ctx::fail);
  }

  private void endSession(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!isUuid(id)) {
      ctx.fail(ApiException.fail(404, "not_found", "no such session"));
      return;
    }
    accounts.endSession(BearerAuth.userId(ctx), id)
      .onSuccess(confirmed -> JSend.success(ctx, confirmed ? 200 : 202, null))
      .onFailure(ctx::fail);
  }

  private void endAllSessions(RoutingContext ctx) {
    accounts.endAllSessions(BearerAuth.userId(ctx))
      .onSuccess(confirmed -> JSend.success(ctx, confirmed ? 200 : 202, null))
      .onFailure(ctx::fail);
  }

  private static boolean isUuid(String text) {
    try {
      return text != null && text.length() == 36 && java.util.UUID.fromString(text).toString().equals(text);
    } catch (IllegalArgumentException e) {
      return false;
    }
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
