package dev.avatarservice.http.realtime;

import dev.avatarservice.account.AccessTokens.VerifiedToken;
import dev.avatarservice.http.ApiException;
import dev.avatarservice.http.BearerToken;
import dev.avatarservice.http.ClientAddress;
import dev.avatarservice.http.realtime.WebSocketChannel.Framing;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may open a socket: the page's origin, the token of the handshake if any, and the caps per
 * client address and per account ({@link SocketLimits}). A WebSocket handshake that passes is
 * upgraded and handed to a new {@link SocketSession}.
 */
final class Handshakes {

  private static final Logger LOG = LoggerFactory.getLogger(Handshakes.class);
  /** The FastAPI version's header. */
  private static final String TOKEN_HEADER = "token";

  private final SocketSession.Services services;
  private final SocketLimits limits;
  private final RealtimeSettings settings;

  Handshakes(SocketSession.Services services) {
    this.services = services;
    this.limits = services.limits();
    this.settings = services.settings();
  }

  /** A present Origin must be allowed: refuses cross-site WebSocket hijacking and foreign SockJS pages. */
  void checkOrigin(RoutingContext ctx) {
    String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    if (origin == null || settings.allows(origin)) {
      ctx.next();
    } else {
      ctx.fail(ApiException.fail(403, "forbidden", "sockets may not be opened from this origin"));
    }
  }

  /** A WebSocket handshake: upgraded once its token (if any) and the caps allow it. */
  void upgrade(RoutingContext ctx, Framing framing) {
    HttpServerRequest request = ctx.request();
    if (!request.canUpgradeToWebSocket()) {
      ctx.fail(ApiException.fail(426, "upgrade_required", "this endpoint takes WebSocket upgrades only")
        .header("Upgrade", "websocket"));
      return;
    }
    String token;
    try {
      token = handshakeToken(request);
    } catch (ApiException e) {
      ctx.fail(e);
      return;
    }
    SocketLimits.Slot address = limits.tryAddress(ClientAddress.of(ctx));
    if (address == null) {
      ctx.fail(tooManyFromAddress());
      return;
    }
    if (token == null) {
      request.toWebSocket()
        .onSuccess(ws -> new SocketSession(new WebSocketChannel(ws, framing, settings), services).start(address))
        .onFailure(error -> {
          address.release();
          LOG.debug("WebSocket upgrade failed: {}", error.toString());
        });
      return;
    }
    // Keep the request unread while the token and the account are checked: toWebSocket() needs it.
    request.pause();
    long asked = services.registry().now();
    services.tokens().verify(token)
      .compose(verified -> services.store().user(verified.userId(), verified.sessionId())
        .map(user -> new Handshake(verified, user)))
      .compose(handshake -> {
        SocketLimits.Slot account = limits.tryUser(handshake.token().userId());
        return account == null ? Future.<Handshake>failedFuture(tooManyForAccount())
          : Future.succeededFuture(new Handshake(handshake.token(), handshake.user(), account));
      })
      .onSuccess(handshake -> request.toWebSocket()
        .onSuccess(ws -> new SocketSession(new WebSocketChannel(ws, framing, settings), services)
          .start(address, handshake.token(), handshake.user(), handshake.account(), asked))
        .onFailure(error -> {
          address.release();
          handshake.account().release();
          LOG.debug("WebSocket upgrade failed: {}", error.toString());
        }))
      .onFailure(error -> {
        address.release();
        request.resume();
        ctx.fail(error);
      });
  }

  private record Handshake(VerifiedToken token, JsonObject user, SocketLimits.Slot account) {
    Handshake(VerifiedToken token, JsonObject user) {
      this(token, user, null);
    }
  }

  /**
   * The token of {@code Authorization: Bearer <jwt>} or of the {@code token} header, or null when
   * neither is present (the client then authenticates with its first message). Never from the URL.
   */
  private static String handshakeToken(HttpServerRequest request) {
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization != null) {
      return BearerToken.of(authorization);
    }
    String token = request.getHeader(TOKEN_HEADER);
    if (token != null && token.isBlank()) {
      throw ApiException.authenticationRequired("unauthorized", "the token header is empty");
    }
    return token == null ? null : token.trim();
  }

  /** Also the answer to a SockJS session's first request beyond the cap. */
  static ApiException tooManyFromAddress() {
    return ApiException.fail(429, "too_many_sockets", "too many sockets from this address")
      .header("Retry-After", "30");
  }

  private static ApiException tooManyForAccount() {
    return ApiException.fail(429, "too_many_sockets", "too many sockets for this account")
      .header("Retry-After", "30");
  }
}
