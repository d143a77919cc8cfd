package dev.avatarservice.http;

import dev.avatarservice.auth.AccessTokens;
import dev.avatarservice.bus.StoreClient;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Authenticates {@code Authorization: Bearer <jwt>} (never a token from the URL), then asks the
 * store for the account the token names: a token of a deleted account finds no account and is
 * refused, on every node, at once, and for good (user ids are never reused). The account goes
 * into the context for the route.
 */
public final class BearerAuth implements Handler<RoutingContext> {

  private static final String USER = "avatar-service.user";
  private static final String PREFIX = "bearer ";

  private final AccessTokens tokens;
  private final StoreClient store;

  public BearerAuth(AccessTokens tokens, StoreClient store) {
    this.tokens = tokens;
    this.store = store;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || header.length() <= PREFIX.length()
      || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      ctx.fail(ApiException.unauthorized("a bearer access token is required"));
      return;
    }
    tokens.verify(header.substring(PREFIX.length()).trim())
      .compose(token -> store.user(token.userId()))
      .onSuccess(user -> {
        ctx.put(USER, user);
        ctx.next();
      })
      .onFailure(ctx::fail);
  }

  /** The authenticated account, as the API's USER. */
  public static JsonObject user(RoutingContext ctx) {
    return ctx.get(USER);
  }

  public static String userId(RoutingContext ctx) {
    return user(ctx).getString("id");
  }
}
