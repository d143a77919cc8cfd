package dev.avatarservice.http;

import dev.avatarservice.account.AccessTokens;
import dev.avatarservice.bus.StoreClient;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Authenticates {@code Authorization: Bearer <jwt>} (never a token from the URL), then asks the
 * store for the account and the session ({@code sid}) the token names: an ended session's tokens
 * are refused from the moment its end was committed, like a deleted account's. The account goes
 * into the context for the route.
 *
 * <p>Why this is all a deleted account needs (socket authentication does the same, in
 * {@code Handshakes} and {@code SocketSession}):
 * <ul>
 *   <li>Enough: an access token names its user by {@code sub}, a random UUID that is never reused
 *   (registering the same identifier again makes a new one). Once the store has committed the
 *   deletion, the store, the one source of truth for every node, answers USER_NOT_FOUND for that id:
 *   every token ever issued to the user is refused with 401, on every node, from that moment, and
 *   after any restart (the row is gone from the database, not from a cache).</li>
 *   <li>No deny-list: a list of revoked tokens (or users) would have to be shared by every node,
 *   kept as long as the longest-lived token and survive restarts, and it would still have to be
 *   checked on every request: the absence of the account row already is that list, kept for free.
 *   Refresh tokens need nothing either: their rows go with the account (foreign key cascade).</li>
 *   <li>Cost: one event-bus round trip to the store per authenticated request, which the store
 *   answers from memory for recently used accounts ({@code store.UserCache}, kept in step with
 *   every write) and otherwise with an indexed primary-key read; it also gives the routes the
 *   current account (its avatar URL) for free.</li>
 * </ul>
 */
public final class BearerAuth implements Handler<RoutingContext> {

  private static final String USER = "avatar-service.user";
  private static final String SESSION = "avatar-service.session";

  private final AccessTokens tokens;
  private final StoreClient store;

  public BearerAuth(AccessTokens tokens, StoreClient store) {
    this.tokens = tokens;
    this.store = store;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String token;
    try {
      token = BearerToken.of(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    } catch (ApiException e) {
      ctx.fail(e);
      return;
    }
    tokens.verify(token)
      .compose(verified -> store.user(verified.userId(), verified.sessionId()).map(user -> {
        ctx.put(SESSION, verified.sessionId());
        return user;
      }))
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

  /** The session of the token that authenticated the request (its {@code sid}). */
  public static String sessionId(RoutingContext ctx) {
    return ctx.get(SESSION);
  }
}
