package dev.avatarservice.http.realtime;

import dev.avatarservice.http.ApiException;
import dev.avatarservice.http.ClientAddress;
import dev.avatarservice.http.NodeShared;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Knowing a SockJS session id is not enough to use the session: its first HTTP-transport request
 * binds it to a key sent to that client in an HttpOnly cookie, which every later request of the
 * session must carry ({@link SockJsBindings}). The WebSocket transports are one connection each and
 * need none. The first request also takes the session's slot of its client address.
 */
final class SockJsSessionGuard {

  /** The cookie that binds a SockJS session to the client that opened it. */
  static final String SOCKJS_COOKIE = "sockjs_key";
  /** What a server or session id may be: sockjs-client sends a few letters and digits. */
  private static final Pattern SOCKJS_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern SOCKJS_URI = Pattern.compile("^/sockjs/[^/.]+/([^/.]+)/");
  /** How long a closed SockJS session keeps its binding: longer than Vert.x keeps the session to answer polls. */
  private static final long SOCKJS_CLOSED_RETENTION_MILLIS = SockJSHandlerOptions.DEFAULT_SESSION_TIMEOUT * 6;
  private static final long SOCKJS_SWEEP_MILLIS = 10_000;

  private final Vertx vertx;
  private final SocketLimits limits;
  private final SockJsBindings bindings;
  /** Whether the public URL is https: the cookie is then Secure, and SameSite=None for allowed cross-site pages. */
  private final boolean secureCookies;
  private long sweepTimer = -1;

  SockJsSessionGuard(Vertx vertx, SocketLimits limits, boolean secureCookies) {
    this.vertx = vertx;
    this.limits = limits;
    this.bindings = NodeShared.get(vertx, "sockjs-bindings",
      () -> new SockJsBindings(SOCKJS_CLOSED_RETENTION_MILLIS, System::currentTimeMillis));
    this.secureCookies = secureCookies;
  }

  /** Lets a request of an HTTP transport through only from the client its session is bound to. */
  void checkOwner(RoutingContext ctx) {
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
      ctx.fail(Handshakes.tooManyFromAddress());
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

  /** Vert.x opened a SockJS session: its binding (if any) follows the socket; run the result when it closes. */
  Runnable opened(SockJSSocket socket) {
    SockJsBindings.Binding binding = bindings.opened(sessionIdOf(socket.uri()), socket);
    return () -> bindings.closed(binding, socket);
  }

  /** The session id in a SockJS transport URI ({@code /sockjs/<server>/<session>/<transport>}), or null. */
  static String sessionIdOf(String uri) {
    if (uri == null) {
      return null;
    }
    Matcher matcher = SOCKJS_URI.matcher(uri);
    return matcher.find() ? matcher.group(1) : null;
  }

  void startSweeping() {
    sweepTimer = vertx.setPeriodic(SOCKJS_SWEEP_MILLIS, id -> bindings.sweep());
  }

  void stopSweeping() {
    if (sweepTimer != -1) {
      vertx.cancelTimer(sweepTimer);
      sweepTimer = -1;
    }
  }
}
