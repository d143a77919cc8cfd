package dev.avatarservice.notify;

import dev.avatarservice.auth.AccessTokens;
import dev.avatarservice.auth.AccessTokens.VerifiedToken;
import dev.avatarservice.bus.EventAddress;
import dev.avatarservice.bus.Events;
import dev.avatarservice.bus.Field;
import dev.avatarservice.bus.StoreClient;
import dev.avatarservice.config.AppConfig;
import dev.avatarservice.http.ApiException;
import dev.avatarservice.http.avatar.AvatarCache;
import dev.avatarservice.notify.WebSocketChannel.Framing;
import io.vertx.core.Future;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The realtime endpoints of one HTTP verticle instance: WebSocket at {@code /ws} and
 * {@code /ws/avatar}, SockJS at {@code /sockjs}. Built and mounted by the HTTP verticle when the
 * node runs the notify role, so the sockets share the public port and live on the event loop of
 * the instance that accepted them. Each instance keeps its own {@link SocketRegistry} and one
 * local consumer of {@link EventAddress#NODE_SOCKETS}, fed by the node's {@link NotifyVerticle}.
 * <p>
 * Upgrades go through the router ({@code toWebSocket()}), never {@code HttpServer.webSocketHandler},
 * so that WebSocket and SockJS work side by side. SockJS's two WebSocket transports are served here
 * ({@link WebSocketChannel}) so that they carry the contract's close codes; Vert.x's SockJS handler
 * serves the HTTP transports and {@code /info}, without JSONP and htmlfile (script injection), the
 * iframe page (it loads the SockJS client from a CDN) or JSESSIONID cookies.
 */
public final class RealtimeRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(RealtimeRoutes.class);
  private static final String BEARER = "bearer ";
  /** The FastAPI version's header. */
  private static final String TOKEN_HEADER = "token";
  private static final String SOCKJS_SESSION = "/sockjs/[^/.]+/[^/.]+/";

  private final Vertx vertx;
  private final AccessTokens tokens;
  private final StoreClient store;
  private final RealtimeSettings settings;
  private final SocketRegistry registry;
  private final SocketSession.Services services;
  /** This registry's address for confirmed deletions, listed in {@link EventAddress#SOCKET_REGISTRIES}. */
  private final String deletionAddress = EventAddress.socketRegistry();
  /** How long a deletion waits for the clients to answer the 4410 close frames, which are written at once. */
  private final long closeGraceMillis;
  /** The deletions under way here, by user: a second request for the same user waits for the first. */
  private final Map<String, Future<Void>> closing = new HashMap<>();
  private MessageConsumer<Object> events;
  private MessageConsumer<JsonObject> deletions;
  private long keepAliveTimer = -1;

  public RealtimeRoutes(Vertx vertx, AppConfig config, AccessTokens tokens, StoreClient store) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.store = store;
    this.settings = RealtimeSettings.from(config);
    this.closeGraceMillis = config.deletionConfirmTimeoutMs() / 2;
    RealtimeMetrics metrics = RealtimeMetrics.of(vertx, config.metricsRegistryName());
    this.registry = new SocketRegistry(metrics, config.storeTimeoutMs(), System::currentTimeMillis);
    this.services = new SocketSession.Services(vertx, tokens, store, registry, metrics, settings);
  }

  /**
   * The server options the sockets need: frames big enough that every over-long message reaches
   * the 1009 check, and no compression (a deflate context per socket costs far more memory than
   * our small messages could save, and inflating is a decompression-bomb risk).
   */
  public static HttpServerOptions webSocketOptions(HttpServerOptions options, AppConfig config) {
    int maxFrame = RealtimeSettings.from(config).maxFrameBytes();
    return options
      .setMaxWebSocketFrameSize(maxFrame)
      .setMaxWebSocketMessageSize(maxFrame)
      .setPerMessageWebSocketCompressionSupported(false)
      .setPerFrameWebSocketCompressionSupported(false);
  }

  public void mount(Router router) {
    for (String path : List.of("/ws", "/ws/avatar")) {
      router.get(path).handler(this::checkOrigin).handler(ctx -> handshake(ctx, Framing.PLAIN));
    }
    router.route("/sockjs/*").handler(this::checkOrigin);
    // SockJS's raw WebSocket is the same endpoint as /ws; its framed WebSocket transport is ours too.
    router.get("/sockjs/websocket").handler(ctx -> handshake(ctx, Framing.PLAIN));
    router.getWithRegex(SOCKJS_SESSION + "websocket").handler(ctx -> handshake(ctx, Framing.SOCKJS));
    router.routeWithRegex("/sockjs/iframe[^/]*\\.html").handler(ctx -> ctx.fail(404));
    router.postWithRegex(SOCKJS_SESSION + "xhr_send")
      .handler(BodyHandler.create(false).setBodyLimit(settings.maxFrameBytes()));
    router.route("/sockjs/*").subRouter(SockJSHandler.create(vertx, sockJsOptions()).socketHandler(socket ->
      new SocketSession(new SockJsChannel(socket, settings), services).start()));
  }

  private SockJSHandlerOptions sockJsOptions() {
    return new SockJSHandlerOptions()
      .setInsertJSESSIONID(false)
      .setRegisterWriteHandler(false)
      .setHeartbeatInterval(settings.pingIntervalMillis())
      .addDisabledTransport(Transport.JSON_P.name())
      .addDisabledTransport(Transport.HTML_FILE.name());
  }

  /**
   * Starts taking this node's events and confirmed deletions, and pinging sockets; completes once
   * the consumers are registered and this registry is listed for the node's notify verticle.
   */
  public Future<Void> start() {
    events = vertx.eventBus().localConsumer(EventAddress.NODE_SOCKETS, this::deliver);
    deletions = vertx.eventBus().localConsumer(deletionAddress, this::confirmDeletion);
    keepAliveTimer = vertx.setPeriodic(settings.pingIntervalMillis(), id -> {
      for (SocketSession session : registry.all()) {
        session.keepAlive();
      }
    });
    return Future.all(events.completion(), deletions.completion())
      .onSuccess(registered -> registries().put(deletionAddress, Boolean.TRUE))
      .mapEmpty();
  }

  private LocalMap<String, Boolean> registries() {
    return vertx.sharedData().getLocalMap(EventAddress.SOCKET_REGISTRIES);
  }

  /**
   * Closes every socket with 1001 (server shutting down) and waits, for a moment at most, for the
   * clients to answer, so that the close frames are out before the server closes the connections.
   */
  public Future<Void> close() {
    if (keepAliveTimer != -1) {
      vertx.cancelTimer(keepAliveTimer);
      keepAliveTimer = -1;
    }
    registries().remove(deletionAddress);
    Future<Void> unregistered = Future.all(
        events == null ? Future.succeededFuture() : events.unregister(),
        deletions == null ? Future.succeededFuture() : deletions.unregister())
      .mapEmpty();
    List<Future<Void>> closing = new ArrayList<>();
    for (SocketSession session : registry.all()) {
      closing.add(session.close(CloseReason.SHUTDOWN));
    }
    if (closing.isEmpty()) {
      return unregistered;
    }
    Future<Void> closed = Future.join(closing).mapEmpty();
    Future<Void> grace = vertx.timer(RealtimeSettings.SHUTDOWN_GRACE_MILLIS, TimeUnit.MILLISECONDS).mapEmpty();
    return Future.any(closed, grace).transform(done -> unregistered.otherwiseEmpty());
  }

  // ---------------------------------------------------------------- handshake

  /** A present Origin must be allowed: refuses cross-site WebSocket hijacking and foreign SockJS pages. */
  private void checkOrigin(RoutingContext ctx) {
    String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    if (origin == null || settings.allows(origin)) {
      ctx.next();
    } else {
      ctx.fail(ApiException.fail(403, "forbidden", "sockets may not be opened from this origin"));
    }
  }

  private void handshake(RoutingContext ctx, Framing framing) {
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
    if (token == null) {
      request.toWebSocket()
        .onSuccess(ws -> new SocketSession(new WebSocketChannel(ws, framing, settings), services).start())
        .onFailure(error -> LOG.debug("WebSocket upgrade failed: {}", error.toString()));
      return;
    }
    // Keep the request unread while the token and the account are checked: toWebSocket() needs it.
    request.pause();
    tokens.verify(token)
      .compose(verified -> store.user(verified.userId()).map(user -> new Handshake(verified, user)))
      .onSuccess(handshake -> request.toWebSocket()
        .onSuccess(ws -> new SocketSession(new WebSocketChannel(ws, framing, settings), services)
          .start(handshake.token(), handshake.user()))
        .onFailure(error -> LOG.debug("WebSocket upgrade failed: {}", error.toString())))
      .onFailure(error -> {
        request.resume();
        ctx.fail(error);
      });
  }

  private record Handshake(VerifiedToken token, JsonObject user) {
  }

  /**
   * The token of {@code Authorization: Bearer <jwt>} or of the {@code token} header, or null when
   * neither is present (the client then authenticates with its first message). Never from the URL.
   */
  private static String handshakeToken(HttpServerRequest request) {
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization != null) {
      if (authorization.length() <= BEARER.length() || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        throw ApiException.authenticationRequired("unauthorized", "a bearer access token is required");
      }
      return authorization.substring(BEARER.length()).trim();
    }
    String token = request.getHeader(TOKEN_HEADER);
    if (token != null && token.isBlank()) {
      throw ApiException.authenticationRequired("unauthorized", "the token header is empty");
    }
    return token == null ? null : token.trim();
  }

  // ---------------------------------------------------------------- fan-out

  /** An event for this node's sockets: written, as published, to each socket of its user here. */
  private void deliver(Message<Object> message) {
    if (!(message.body() instanceof JsonObject event)
      || !(event.getValue(Field.USER_ID) instanceof String userId)
      || !(event.getValue(Field.TYPE) instanceof String type)) {
      LOG.warn("Ignored a malformed event on {}", EventAddress.NODE_SOCKETS);
      return;
    }
    if (Events.USER_DELETED.equals(type)) {
      closeSocketsOf(userId, event.encode());
      return;
    }
    List<SocketSession> sessions = registry.sessionsOf(userId);
    if (sessions.isEmpty()) {
      return;
    }
    String text = event.encode();
    for (SocketSession session : sessions) {
      session.deliver(text, type);
    }
  }

  /**
   * A confirmed deletion from the node's {@link NotifyVerticle}: replies {} once this instance's
   * sockets of that user have been sent {@code user.deleted} and closed.
   */
  private void confirmDeletion(Message<JsonObject> message) {
    JsonObject event = message.body();
    if (event == null || !(event.getValue(Field.USER_ID) instanceof String userId)
      || !Events.USER_DELETED.equals(event.getValue(Field.TYPE))) {
      LOG.warn("Ignored a malformed deletion on a socket registry");
      message.fail(0, "malformed deletion");
      return;
    }
    // this node serves the account's avatar no more once it confirms
    AvatarCache.forgetUser(vertx, userId);
    closeSocketsOf(userId, event.encode()).onComplete(closed -> message.reply(new JsonObject()));
  }

  /**
   * Sends {@code user.deleted} to every socket of that user here and closes them with 4410. The
   * close frames are written at once; the returned future waits for the clients to answer them, so
   * that "closed" means received wherever the client is reachable, but for {@code closeGraceMillis}
   * at most, so that one client that does not answer cannot hold up a deletion. The same deletion
   * arrives twice (published, and asked by the notify verticle): the second waits for the first.
   */
  private Future<Void> closeSocketsOf(String userId, String event) {
    registry.userDeleted(userId);
    List<Future<Void>> closes = new ArrayList<>();
    Future<Void> earlier = closing.get(userId);
    if (earlier != null) {
      closes.add(earlier);
    }
    for (SocketSession session : registry.sessionsOf(userId)) {
      closes.add(session.accountDeleted(event));
    }
    if (closes.isEmpty()) {
      return Future.succeededFuture();
    }
    Timer grace = vertx.timer(closeGraceMillis, TimeUnit.MILLISECONDS);
    Future<Void> bounded = Future.any(Future.join(closes).otherwiseEmpty(), grace).mapEmpty();
    closing.put(userId, bounded);
    bounded.onComplete(done -> {
      grace.cancel();
      closing.remove(userId, bounded);
    });
    return bounded;
  }
}
