package dev.avatarservice.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * HEAD wherever GET is, and the {@code Allow} header of a 405. Vert.x Web routes HEAD to no GET
 * route, and knows the methods of a 405 but writes them only in its own, non-JSend 405, which our
 * failure handler replaces; so the allowed methods are read here from the router's routes.
 */
public final class AllowedMethods {

  /** Where a rerouted HEAD request keeps its real method, for the access log. */
  static final String HEAD_MARK = "avatar.head";

  private final List<Entry> entries = new ArrayList<>();

  private record Entry(Pattern path, Set<HttpMethod> methods) {
  }

  private AllowedMethods() {
  }

  /** The routes of {@code router} with a path and methods; read once every route is mounted. */
  public static AllowedMethods of(Router router) {
    AllowedMethods allowed = new AllowedMethods();
    for (Route route : router.getRoutes()) {
      Set<HttpMethod> methods = route.methods();
      String path = route.getPath();
      if (methods == null || methods.isEmpty() || path == null || route.isRegexPath()) {
        continue;
      }
      allowed.entries.add(new Entry(pattern(path, route.isExactPath()), methods));
    }
    return allowed;
  }

  /**
   * Answers a HEAD request as the GET of the same target (Vert.x writes the headers of that answer
   * without its body); mounted first.
   */
  public static void headAsGet(RoutingContext ctx) {
    if (ctx.request().method() == HttpMethod.HEAD && ctx.get(HEAD_MARK) == null && ctx.request().path() != null) {
      ctx.put(HEAD_MARK, Boolean.TRUE);
      // the path and query, not the URI, which may be in absolute form (HEAD http://host/path)
      String query = ctx.request().query();
      ctx.reroute(HttpMethod.GET, query == null ? ctx.request().path() : ctx.request().path() + "?" + query);
      return;
    }
    if (isHead(ctx)) {
      // (after the reroute, which drops the handlers added before it) Vert.x leaves out the
      // Content-Length of a HEAD answer; GET's is the length of a body ended in one go, which is
      // counted when the headers are written with it; a streamed answer sets its own
      HttpServerResponse response = ctx.response();
      ctx.addHeadersEndHandler(v -> {
        if (!response.isChunked() && !response.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
          response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(response.bytesWritten()));
        }
      });
    }
    ctx.next();
  }

  /** Whether this request came as HEAD (routes see it as GET). */
  public static boolean isHead(RoutingContext ctx) {
    return ctx.get(HEAD_MARK) != null;
  }

  /** The value of the {@code Allow} header for that path, such as {@code GET, HEAD}; null if no route has it. */
  public String allow(String path) {
    Set<String> names = new TreeSet<>();
    for (Entry entry : entries) {
      if (entry.path().matcher(path).matches()) {
        entry.methods().forEach(method -> names.add(method.name()));
      }
    }
    if (names.contains("GET")) {
      names.add("HEAD");
    }
    return names.isEmpty() ? null : String.join(", ", names);
  }

  /** A route path ({@code /avatars/:file}, {@code /docs/*}) as the pattern of the paths it takes. */
  private static Pattern pattern(String path, boolean exact) {
    StringBuilder regex = new StringBuilder();
    String[] segments = path.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        regex.append('/');
      }
      regex.append(segments[i].startsWith(":") ? "[^/]+" : Pattern.quote(segments[i]));
    }
    return Pattern.compile(exact ? regex + "/?" : regex + ".*");
  }
}
