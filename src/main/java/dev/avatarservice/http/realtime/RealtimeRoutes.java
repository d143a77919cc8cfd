package dev.avatarservice.http.realtime;

import dev.avatarservice.account.AccessTokens;
import dev.avatarservice.bus.StoreClient;
import dev.avatarservice.http.NodeShared;
import dev.avatarservice.http.realtime.WebSocketChannel.Framing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;

import java.util.List;

/**
 * The realtime endpoints of one HTTP verticle instance, wired: WebSocket at {@code /ws} and
 * {@code /ws/avatar}, SockJS at {@code /sockjs}. Built and mounted by the HTTP verticle when the
 * node runs the notify role. The sockets live on the HTTP verticle's event loops, not in a verticle
 * of their own, because the service has one public port and Vert.x hands a shared port out by whole
 * connections: an upgraded connection stays on the event loop of the instance that accepted it.
 * <p>
 * The parts: {@link Handshakes} (origin, token, caps, upgrade), {@link SockJsSessionGuard} (which
 * client may use a SockJS session), {@link SockJsProtocol} (our side of SockJS), {@link NodeFanOut}
 * (the node's events and confirmations for this instance's sockets) and {@link SocketLifecycle}
 * (keep-alive and shutdown). Upgrades go through the router ({@code toWebSocket()}), never
 * {@code HttpServer.webSocketHandler}, so that WebSocket and SockJS work side by side.
 */
public final class RealtimeRoutes {

  private static final String SOCKJS_SESSION = "/sockjs/[^/.]+/[^/.]+/";
  /**
   * The SockJS HTTP transports of a session. No capturing groups: Vert.x would add them to the
   * request's parameters as param0, param1..., where the SockJS handler reads its session id.
   */
  private static final String SOCKJS_HTTP_TRANSPORT = "/sockjs/[^/.]+/[^/.]+/(?:xhr|xhr_streaming|eventsource|xhr_send)";

  private final Vertx vertx;
  private final RealtimeSettings settings;
  private final SocketSession.Services services;
  private final Handshakes handshakes;
  private final SockJsSessionGuard sessionGuard;
  private final NodeFanOut fanOut;
  private final SocketLifecycle sockets;

  public RealtimeRoutes(Vertx vertx, RealtimeSettings settings, String metricsRegistryName, AccessTokens tokens,
                        StoreClient store) {
    this.vertx = vertx;
    this.settings = settings;
    RealtimeMetrics metrics = RealtimeMetrics.of(vertx, metricsRegistryName);
    SocketRegistry registry = new SocketRegistry(metrics, settings.deletedRetentionMillis(), System::currentTimeMillis);
    SocketLimits limits = NodeShared.get(vertx, "socket-limits",
      () -> new SocketLimits(settings.maxPerUser(), settings.maxPerAddress()));
    this.sessionGuard = new SockJsSessionGuard(vertx, limits, settings.secureCookies());
    this.services = new SocketSession.Services(vertx, tokens, store, registry, metrics, settings, limits);
    this.handshakes = new Handshakes(services);
    this.fanOut = new NodeFanOut(vertx, registry, settings.deletionCloseGraceMillis());
    this.sockets = new SocketLifecycle(vertx, registry, settings.pingIntervalMillis());
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
      router.get(path).handler(handshakes::checkOrigin).handler(ctx -> handshakes.upgrade(ctx, Framing.PLAIN));
    }
    router.route("/sockjs/*").handler(handshakes::checkOrigin);
    // SockJS's raw WebSocket is the same endpoint as /ws; its framed WebSocket transport is ours too.
    router.get("/sockjs/websocket").handler(ctx -> handshakes.upgrade(ctx, Framing.PLAIN));
    router.getWithRegex(SOCKJS_SESSION + "websocket").handler(ctx -> handshakes.upgrade(ctx, Framing.SOCKJS));
    router.routeWithRegex("/sockjs/iframe[^/]*\\.html").handler(ctx -> ctx.fail(404));
    router.get("/sockjs/info").handler(SockJsProtocol::info);
    router.routeWithRegex(SOCKJS_HTTP_TRANSPORT).handler(sessionGuard::checkOwner);
    router.postWithRegex(SOCKJS_SESSION + "xhr").handler(RealtimeRoutes::announceClose);
    router.postWithRegex(SOCKJS_SESSION + "xhr_send")
      .handler(BodyHandler.create(false).setBodyLimit(settings.maxFrameBytes()))
      .handler(SockJsProtocol::checkSentFrame);
    router.route("/sockjs/*").subRouter(SockJSHandler.create(vertx, SockJsProtocol.handlerOptions(settings))
      .socketHandler(socket -> {
        Runnable onClosed = sessionGuard.opened(socket);
        new SocketSession(new SockJsChannel(socket, settings, onClosed), services).start(null);
      }));
  }

  /**
   * Vert.x (5.0.7) ends every xhr poll by closing the connection, without saying so in the answer.
   * A client that keeps connections alive then sends its next request (an xhr_send, the next poll)
   * on a connection the server is closing, and that request fails unsent: Node's http agent does,
   * and sockjs-client in Node closed with 1006 "Sending error: http status 0". Chromium retries a
   * request that fails on a reused connection, so browsers hid it. Saying {@code Connection: close}
   * keeps every client off the closing connection.
   */
  private static void announceClose(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    ctx.next();
  }

  /**
   * Starts taking this node's events and confirmed deletions, pinging sockets and sweeping SockJS
   * bindings; completes once this instance is listed for the node's notify verticle.
   */
  public Future<Void> start() {
    Future<Void> listed = fanOut.start();
    sockets.startPinging();
    sessionGuard.startSweeping();
    return listed;
  }

  /** Stops taking events, then closes every socket (see {@link SocketLifecycle#closeAll}). */
  public Future<Void> close() {
    sockets.stopPinging();
    sessionGuard.stopSweeping();
    return sockets.closeAll(fanOut.stop());
  }
}
