package dev.avatarservice.http.realtime;

import dev.avatarservice.notify.NotifyVerticle;
import dev.avatarservice.account.AccessTokens;
import dev.avatarservice.account.AccessTokens.VerifiedToken;
import dev.avatarservice.bus.EventAddress;
import dev.avatarservice.bus.Events;
import dev.avatarservice.bus.Field;
import dev.avatarservice.bus.StoreClient;
import dev.avatarservice.http.ApiException;
import dev.avatarservice.http.AvatarCache;
import dev.avatarservice.http.BearerToken;
import dev.avatarservice.http.ClientAddress;
import dev.avatarservice.http.NodeShared;
import dev.avatarservice.http.realtime.WebSocketChannel.Framing;
import io.vertx.core.Future;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
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

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * serves the HTTP transports, without JSONP and htmlfile (script injection), the iframe page (it
 * loads the SockJS client from a CDN) or JSESSIONID cookies. {@code /info} is ours, and each HTTP
 * transport session is bound to the client that opened it by a cookie of ours ({@link SockJsBindings}).
 * Sockets are capped per account and per client address ({@link SocketLimits}).
 */
public final class RealtimeRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(RealtimeRoutes.class);
  /** The FastAPI version's header. */
  private static final String TOKEN_HEADER = "token";
  private static final String SOCKJS_SESSION = "/sockjs/[^/.]+/[^/.]+/";
  /**
   * The SockJS HTTP transports of a session. No capturing groups: Vert.x would add them to the
   * request's parameters as param0, param1..., where the SockJS handler reads its session id.
   */
  private static final String SOCKJS_HTTP_TRANSPORT = "/sockjs/[^/.]+/[^/.]+/(?:xhr|xhr_streaming|eventsource|xhr_send)";
  /** What a server or session id may be: sockjs-client sends a few letters and digits. */
  private static final Pattern SOCKJS_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  /** The cookie that binds a SockJS session to the client that opened it. */
  static final String SOCKJS_COOKIE = "sockjs_key";
  /** How long a closed SockJS session keeps its binding: longer than Vert.x keeps the session to answer polls. */
  private static final long SOCKJS_CLOSED_RETENTION_MILLIS = SockJSHandlerOptions.DEFAULT_SESSION_TIMEOUT * 6;
  private static final long SOCKJS_SWEEP_MILLIS = 10_000;
  private static final Pattern SOCKJS_URI = Pattern.compile("^/sockjs/[^/.]+/([^/.]+)/");

  private final Vertx vertx;
  private final AccessTokens tokens;
  private final StoreClient store;
  private final RealtimeSettings settings;
  private final SocketRegistry registry;
  private final SocketSession.Services services;
  /** This registry's address for confirmed deletions, listed in {@link EventAddress#SOCKET_REGISTRIES}. */
  private final String deletionAddress = EventAddress.socketRegistry();
  /** The deletions under way here, by user: a second request for the same user waits for the first. */
  private final Map<String, Future<Void>> closing = new HashMap<>();
  private final SocketLimits limits;
  private final SockJsBindings bindings;
  /** Whether the public URL is https: the SockJS cookie is then Secure, and SameSite=None for allowed cross-site pages. */
  private final boolean secureCookies;
  private long sweepTimer = -1;
  private MessageConsumer<Object> events;
  private MessageConsumer<JsonObject> deletions;
  private long keepAliveTimer = -1;

  public RealtimeRoutes(Vertx vertx, RealtimeSettings settings, String metricsRegistryName, AccessTokens tokens,
                        StoreClient store) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.store = store;
    this.settings = settings;
    RealtimeMetrics metrics = RealtimeMetrics.of(vertx, metricsRegistryName);
    this.registry = new SocketRegistry(metrics, settings.deletedRetentionMillis(), System::currentTimeMillis);
    this.limits = NodeShared.get(vertx, "socket-limits",
      () -> new SocketLimits(settings.maxPerUser(), settings.maxPerAddress()));
    this.bindings = NodeShared.get(vertx, "sockjs-bindings",
      () -> new SockJsBindings(SOCKJS_CLOSED_RETENTION_MILLIS, System::currentTimeMillis));
    this.secureCookies = settings.secureCookies();
    this.services = new SocketSession.Services(vertx, tokens, store, registry, metrics, settings, limits);
  }

  /**
   * The server options the sockets need: frames big enough that every over-long message reaches
   * the 1009 check, and no compression (a deflate context per socket costs far more memory than
   * our small messages could save, and inflating is a decompression-bomb risk).
   */
  public static HttpServerOptions webSocketOptions(HttpServerOptions options, RealtimeSettings settings) {
    int maxFrame = settings.maxFrameBytes();
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
    router.get("/sockjs/info").handler(this::info);
    router.routeWithRegex(SOCKJS_HTTP_TRANSPORT).handler(this::checkSessionOwner);
    router.postWithRegex(SOCKJS_SESSION + "xhr_send")
      .handler(BodyHandler.create(false).setBodyLimit(settings.maxFrameBytes()))
      .handler(RealtimeRoutes::checkSentFrame);
    router.route("/sockjs/*").subRouter(SockJSHandler.create(vertx, sockJsOptions()).socketHandler(socket -> {
      SockJsBindings.Binding binding = bindings.opened(sessionIdOf(socket.uri()), socket);
      new SocketSession(new SockJsChannel(socket, settings, () -> bindings.closed(binding, socket)), services)
        .start(null);
    }));
  }

  /**
   * SockJS's {@code /info}, answered here rather than by Vert.x, which says {@code cookie_needed}
   * only when it sets its own JSESSIONID: {@code cookie_needed: true} is what makes sockjs-client
   * send cookies on its HTTP transports (and avoid the ones that cannot carry them).
   */
  private void info(RoutingContext ctx) {
    JsonObject info = new JsonObject()
      .put("websocket", true)
      .put("cookie_needed", true)
      .put("origins", new JsonArray().add("*:*"))
      .put("entropy", ThreadLocalRandom.current().nextLong(1L << 32));
    String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    if (origin != null) {
      // an allowed origin (checked before): its pages may send the session cookie
      ctx.response().putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
        .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true")
        .putHeader(HttpHeaders.VARY, HttpHeaders.ORIGIN);
    }
    ctx.response()
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=UTF-8")
      .putHeader(HttpHeaders.CACHE_CONTROL, "no-store, no-cache, no-transform, must-revalidate, max-age=0")
      .end(info.encode());
  }

  /**
   * Knowing a session id is not enough to use the session: its first HTTP-transport request binds
   * it to a key sent to that client in an HttpOnly cookie, which every later request of the
   * session must carry. The WebSocket transports are one connection each and need none.
   */
  private void checkSessionOwner(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    // /sockjs/<server>/<session>/<transport>, as the route's pattern matched it
    String[] parts = ctx.normalizedPath().split("/");
    String server = parts[2];
    String sessionId = parts[3];
    String transport = parts[4];
    boolean send = "xhr_send".equals(transport);
    HttpMethod expected = "eventsource".equals(transport) ? HttpMethod.GET : HttpMethod.POST;
    if (method != expected) {
      ctx.next(); // CORS preflights, and wrong methods, which the SockJS handler answers
      return;
    }
    if (!SOCKJS_ID.matcher(server).matches() || !SOCKJS_ID.matcher(sessionId).matches()) {
      ctx.fail(ApiException.fail(404, "not_found", "not a SockJS session"));
      return;
    }
    SockJsBindings.Binding binding = bindings.get(sessionId);
    if (binding != null) {
      Cookie cookie = ctx.request().getCookie(SOCKJS_COOKIE);
      if (binding.accepts(cookie == null ? null : cookie.getValue())) {
        ctx.next();
      } else {
        ctx.fail(ApiException.fail(403, "session_forbidden", "this SockJS session was opened by another client"));
      }
      return;
    }
    if (send) {
      ctx.fail(ApiException.fail(404, "not_found", "no such SockJS session"));
      return;
    }
    SocketLimits.Slot address = limits.tryAddress(ClientAddress.of(ctx));
    if (address == null) {
      ctx.fail(tooManyFromAddress());
      return;
    }
    SockJsBindings.Binding created = bindings.bind(sessionId, address);
    if (created == null) {
      address.release();
      ctx.fail(ApiException.fail(403, "session_forbidden", "this SockJS session was opened by another client"));
      return;
    }
    ctx.response().addCookie(Cookie.cookie(SOCKJS_COOKIE, created.key())
      .setPath("/sockjs/" + server + "/" + sessionId)
      .setHttpOnly(true)
      .setSecure(secureCookies)
      .setSameSite(secureCookies ? CookieSameSite.NONE : CookieSameSite.LAX));
    ctx.next();
  }

  /**
   * An {@code xhr_send} body must be SockJS framing (a JSON array of strings): Vert.x answers an
   * empty or malformed one with a text/plain 500, as if it were the server's fault.
   */
  private static void checkSentFrame(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      ctx.fail(ApiException.fail(400, "empty_payload", "xhr_send needs a body: a JSON array of messages"));
    } else if (WebSocketChannel.sockJsDecode(body.toString(StandardCharsets.UTF_8)) == null) {
      ctx.fail(ApiException.fail(400, "bad_frame", "xhr_send takes a JSON array of strings"));
    } else {
      ctx.next();
    }
  }

  /** The session id in a SockJS transport URI ({@code /sockjs/<server>/<session>/<transport>}), or null. */
  static String sessionIdOf(String uri) {
    if (uri == null) {
      return null;
    }
    Matcher matcher = SOCKJS_URI.matcher(uri);
    return matcher.find() ? matcher.group(1) : null;
  }

  private static ApiException tooManyFromAddress() {
    return ApiException.fail(429, "too_many_sockets", "too many sockets from this address")
      .header("Retry-After", "30");
  }

  private static ApiException tooManyForAccount() {
    return ApiException.fail(429, "too_many_sockets", "too many sockets for this account")
      .header("Retry-After", "30");
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
    deletions = vertx.eventBus().localConsumer(deletionAddress, this::confirm);
    keepAliveTimer = vertx.setPeriodic(settings.pingIntervalMillis(), id -> {
      for (SocketSession session : registry.all()) {
        session.keepAlive();
      }
    });
    sweepTimer = vertx.setPeriodic(SOCKJS_SWEEP_MILLIS, id -> bindings.sweep());
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
    if (sweepTimer != -1) {
      vertx.cancelTimer(sweepTimer);
      sweepTimer = -1;
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
    tokens.verify(token)
      .compose(verified -> store.user(verified.userId(), verified.sessionId()).map(user -> new Handshake(verified, user)))
      .compose(handshake -> {
        SocketLimits.Slot account = limits.tryUser(handshake.token().userId());
        return account == null ? Future.<Handshake>failedFuture(tooManyForAccount())
          : Future.succeededFuture(new Handshake(handshake.token(), handshake.user(), account));
      })
      .onSuccess(handshake -> request.toWebSocket()
        .onSuccess(ws -> new SocketSession(new WebSocketChannel(ws, framing, settings), services)
          .start(address, handshake.token(), handshake.user(), handshake.account()))
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
    if (Events.SESSION_ENDED.equals(type)) {
      closeSessions(userId, event);
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
   * A confirmed event from the node's {@link NotifyVerticle}: replies {} once this instance's
   * sockets concerned have been sent {@code user.deleted} (all of the user's) or
   * {@code session.ended} (those of the ended sessions) and closed.
   */
  private void confirm(Message<JsonObject> message) {
    JsonObject event = message.body();
    if (event == null || !(event.getValue(Field.USER_ID) instanceof String userId)
      || !(Events.USER_DELETED.equals(event.getValue(Field.TYPE)) || Events.SESSION_ENDED.equals(event.getValue(Field.TYPE)))) {
      LOG.warn("Ignored a malformed event on a socket registry");
      message.fail(0, "malformed event");
      return;
    }
    boolean deleted = Events.USER_DELETED.equals(event.getValue(Field.TYPE));
    if (deleted) {
      // this node serves the account's avatar no more once it confirms
      AvatarCache.forgetUser(vertx, userId);
    }
    Future<Void> closed = deleted ? closeSocketsOf(userId, event.encode()) : closeSessions(userId, event);
    closed.onComplete(done -> message.reply(new JsonObject()));
  }

  /**
   * Sends {@code session.ended} to every socket here of those sessions of that user and closes them
   * with 4401, bounded like {@link #closeSocketsOf}; the same event arriving twice (published, and
   * asked by the notify verticle) waits for the first.
   */
  private Future<Void> closeSessions(String userId, JsonObject event) {
    if (!(event.getValue(Field.SESSION_IDS) instanceof JsonArray ids)) {
      return Future.succeededFuture();
    }
    Set<String> ended = new HashSet<>();
    ids.forEach(id -> {
      if (id instanceof String sid) {
        ended.add(sid);
        registry.sessionEnded(sid);
      }
    });
    String message = Events.sessionEndedMessage().encode();
    List<Future<Void>> closes = new ArrayList<>();
    String key = "sessions:" + userId;
    Future<Void> earlier = closing.get(key);
    if (earlier != null) {
      closes.add(earlier);
    }
    for (SocketSession session : registry.sessionsOf(userId)) {
      if (ended.contains(session.sessionId())) {
        closes.add(session.sessionEnded(message));
      }
    }
    return bounded(key, closes);
  }

  /**
   * Sends {@code user.deleted} to every socket of that user here and closes them with 4410. The
   * close frames are written at once; the returned future waits for the clients to answer them, so
   * that "closed" means received wherever the client is reachable, but for {@code deletionCloseGraceMillis}
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
    return bounded(userId, closes);
  }

  /** Completes once every close completed, or after {@code closeGraceMillis}; remembered under {@code key} meanwhile. */
  private Future<Void> bounded(String key, List<Future<Void>> closes) {
    if (closes.isEmpty()) {
      return Future.succeededFuture();
    }
    Timer grace = vertx.timer(settings.deletionCloseGraceMillis(), TimeUnit.MILLISECONDS);
    Future<Void> bounded = Future.any(Future.join(closes).otherwiseEmpty(), grace).mapEmpty();
    closing.put(key, bounded);
    bounded.onComplete(done -> {
      grace.cancel();
      closing.remove(key, bounded);
    });
    return bounded;
  }
}
