package dev.avatarservice.http;

import dev.avatarservice.log.LogSafe;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.BitSet;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * One access-log line per request, and a request id ({@code X-Request-Id}: the client's when it is
 * a plain token, else a new one) echoed in the response so a report can be matched to the log.
 * Only the path is logged: query strings and headers may carry secrets, and bodies carry passwords.
 */
public final class AccessLog implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger("access");
  private static final String HEADER = "X-Request-Id";
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern UNSAFE_PATH_CHARS = Pattern.compile("[^A-Za-z0-9/._~%+-]");
  private static final BitSet SAFE_PATH_CHAR = safePathChars();
  private static final String SOCKJS = "/sockjs/";
  /** {@code /sockjs/<server>/<session>/<transport>}; anything after the first two segments names a session. */
  private static final Pattern SOCKJS_SESSION = Pattern.compile("^/sockjs/[^/]*/[^/]*(/|$)");

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    String offered = ctx.request().getHeader(HEADER);
    String requestId = offered != null && SAFE_ID.matcher(offered).matches() ? offered : newId();
    ctx.put(HEADER, requestId);
    ctx.response().putHeader(HEADER, requestId);
    String method = ctx.get(AllowedMethods.HEAD_MARK) != null ? "HEAD" : LogSafe.escape(ctx.request().method());
    ctx.addEndHandler(done -> {
      if (done.failed() && !ctx.response().ended() && !ctx.response().closed()) {
        // the request failed (a malformed body) and its answer is still to come: log that one
        ctx.addBodyEndHandler(written -> log(ctx, method, start, requestId));
      } else {
        log(ctx, method, start, requestId);
      }
    });
    ctx.next();
  }

  private static void log(RoutingContext ctx, String method, long start, String requestId) {
    if (LOG.isInfoEnabled()) {
      // the client address every limit used; the proxy it came through, when it did
      String client = ClientAddress.of(ctx);
      String peer = ClientAddress.peer(ctx.request());
      LOG.info("{} {} {} {} {}ms id={}{}", LogSafe.escape(client), method,
        loggable(ctx.request().path()), ctx.response().getStatusCode(), (System.nanoTime() - start) / 1_000_000,
        requestId, client.equals(peer) ? "" : " via=" + LogSafe.escape(peer));
    }
  }

  /**
   * A random UUID for matching a report to a log line. Not SecureRandom's: it names a request, it
   * protects nothing, and SecureRandom was a visible share of a cheap request's CPU.
   */
  static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = random.nextLong() & ~0xF000L | 0x4000L;
    long low = random.nextLong() & ~(0xC000L << 48) | (0x8000L << 48);
    return new UUID(high, low).toString();
  }

  /**
   * The path with anything that could forge a log line or hide in a terminal replaced, and without
   * SockJS server and session ids: a session id is what an HTTP transport request names its
   * session by, so it stays out of the logs.
   */
  static String loggable(String path) {
    if (path == null) {
      return "-";
    }
    if (path.startsWith(SOCKJS)) {
      path = SOCKJS_SESSION.matcher(path).replaceFirst("/sockjs/-/-/");
    }
    String bounded = path.length() > 200 ? path.substring(0, 200) + "..." : path;
    // the regular expression only for the rare path that needs it: it cost more than the rest of a /health
    for (int i = 0; i < bounded.length(); i++) {
      if (!SAFE_PATH_CHAR.get(bounded.charAt(i))) {
        return UNSAFE_PATH_CHARS.matcher(bounded).replaceAll("?");
      }
    }
    return bounded;
  }

  private static BitSet safePathChars() {
    BitSet safe = new BitSet(128);
    for (char c = 0; c < 128; c++) {
      if (!UNSAFE_PATH_CHARS.matcher(String.valueOf(c)).matches()) {
        safe.set(c);
      }
    }
    return safe;
  }
}
