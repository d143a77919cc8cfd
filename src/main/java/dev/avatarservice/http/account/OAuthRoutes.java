package dev.avatarservice.http.account;

import dev.avatarservice.bus.Failure;
import dev.avatarservice.http.ServiceMetrics;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The OAuth 2 endpoints for clients that speak the RFCs: the refresh-token grant of RFC 6749
 * (the password grant is not offered, as RFC 9700 advises) and revocation per RFC 7009. Their
 * bodies follow the RFCs, not JSend; store outages still go to the root failure handler.
 */
public final class OAuthRoutes {

  private final AccountService accounts;
  private final BodyHandler formBody;

  public OAuthRoutes(AccountService accounts, int bodyLimit) {
    this.accounts = accounts;
    this.formBody = BodyHandler.create(false).setBodyLimit(bodyLimit);
  }

  public void mount(Router router) {
    router.post("/oauth/token").handler(formBody).handler(this::token);
    router.post("/oauth/revoke").handler(formBody).handler(this::revoke);
  }

  private void token(RoutingContext ctx) {
    if (!isForm(ctx)) {
      oauthError(ctx, 400, "invalid_request", "the body must be application/x-www-form-urlencoded");
      return;
    }
    String grantType = ctx.request().getFormAttribute("grant_type");
    String refreshToken = ctx.request().getFormAttribute("refresh_token");
    if (ctx.request().formAttributes().getAll("grant_type").size() > 1
      || ctx.request().formAttributes().getAll("refresh_token").size() > 1) {
      // RFC 6749 §5.2: a repeated parameter is an invalid request
      oauthError(ctx, 400, "invalid_request", "grant_type and refresh_token must be sent once");
    } else if (grantType == null || grantType.isEmpty()) {
      oauthError(ctx, 400, "invalid_request", "grant_type is required");
    } else if (!"refresh_token".equals(grantType)) {
      oauthError(ctx, 400, "unsupported_grant_type", "only the refresh_token grant is offered");
    } else if (refreshToken == null || refreshToken.isEmpty()) {
      oauthError(ctx, 400, "invalid_request", "refresh_token is required");
    } else {
      accounts.refresh(refreshToken)
        .onSuccess(tokens -> noStore(ctx.response()).setStatusCode(200)
          .putHeader("Content-Type", "application/json; charset=utf-8").end(tokens.toOAuthJson().toBuffer()))
        .onFailure(error -> {
          if (Failure.of(error).filter(f -> f == Failure.INVALID_REFRESH_TOKEN || f == Failure.USER_NOT_FOUND).isPresent()) {
            oauthError(ctx, 400, "invalid_grant", "the refresh token is not valid");
          } else {
            ctx.fail(error);
          }
        });
    }
  }

  private void revoke(RoutingContext ctx) {
    String token = isForm(ctx) ? ctx.request().getFormAttribute("token") : null;
    if (token == null || token.isEmpty()) {
      oauthError(ctx, 400, "invalid_request", "token is required");
      return;
    }
    // RFC 7009 §2.2: an unknown or already revoked token is answered 200 too. The session's end is
    // announced to every node before the answer; RFC 7009 has no "accepted", so 200 either way.
    accounts.endSessionOf(token, null)
      .onSuccess(done -> noStore(ctx.response()).setStatusCode(200).end())
      .onFailure(ctx::fail);
  }

  private static boolean isForm(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded");
  }

  private static void oauthError(RoutingContext ctx, int status, String error, String description) {
    ctx.put(ServiceMetrics.CODE, error);
    noStore(ctx.response()).setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
      .end(new JsonObject().put("error", error).put("error_description", description).toBuffer());
  }

  private static HttpServerResponse noStore(HttpServerResponse response) {
    return response.putHeader("Cache-Control", "no-store").putHeader("Pragma", "no-cache");
  }
}
