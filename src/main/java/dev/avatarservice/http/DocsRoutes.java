package dev.avatarservice.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The documents and pages: the OpenAPI document (HTTP), the AsyncAPI document (the sockets), Swagger
 * UI on the first, the browser demo, and the webjars they load (Swagger UI, sockjs-client), all from the jar so the service works offline.
 * Each page gets a Content-Security-Policy that allows only what it needs.
 */
public final class DocsRoutes {

  /** Swagger UI sets inline styles on its elements; everything else comes from this origin. */
  static final String DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline';"
    + " script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
  static final String DEMO_CSP = "default-src 'self'; img-src 'self' data: blob:; connect-src 'self' ws: wss:;"
    + " style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

  /**
   * Works around a leak of {@code vertx_http_server_active_requests} in vertx-web 5.0.7: its
   * StaticHandler pauses a request whose end has not been read yet (the usual case: a GET's end
   * arrives just after its head) and, when it serves the file or a 304, never resumes it. The end
   * then waits in the paused request forever, Vert.x never reports the request as ended to the
   * metrics, and vertx-micrometer-metrics, which counts a request as active until both its request
   * and its response have ended, never takes it off the gauge: +1 for every static answer. Resuming
   * the request once the answer is sent lets the waiting end through, which ends the request.
   */
  static final Handler<RoutingContext> RESUME_AFTER_ANSWER = ctx -> {
    ctx.addEndHandler(answered -> {
      if (!ctx.request().isEnded()) {
        ctx.request().resume();
      }
    });
    ctx.next();
  };

  private final Buffer openApi;
  private final Buffer asyncApi;

  private DocsRoutes(Buffer openApi, Buffer asyncApi) {
    this.openApi = openApi;
    this.asyncApi = asyncApi;
  }

  /** Reads the OpenAPI and AsyncAPI documents once, off the event loop. */
  public static Future<DocsRoutes> load(Vertx vertx) {
    return Future.all(vertx.fileSystem().readFile("openapi.yaml"), vertx.fileSystem().readFile("asyncapi.yaml"))
      .map(read -> new DocsRoutes(read.resultAt(0), read.resultAt(1)));
  }

  public void mount(Router router) {
    document(router, "/openapi.yaml", openApi);
    document(router, "/asyncapi.yaml", asyncApi);
    page(router, "docs", DOCS_CSP);
    page(router, "demo", DEMO_CSP);
    router.get("/webjars/*").handler(RESUME_AFTER_ANSWER).handler(StaticHandler.create(FileSystemAccess.RELATIVE, "META-INF/resources/webjars")
      .setCachingEnabled(true).setMaxAgeSeconds(86_400).setDirectoryListing(false));
  }

  /** A document, revalidated on each use (no-cache): it changes with every deployment of a new version. */
  private static void document(Router router, String path, Buffer bytes) {
    router.get(path).handler(ctx -> ctx.response()
      .putHeader("Content-Type", "application/yaml; charset=utf-8")
      .putHeader("Cache-Control", "no-cache")
      .end(bytes));
  }

  private static void page(Router router, String name, String csp) {
    Handler<RoutingContext> headers = ctx -> {
      ctx.response().putHeader("Content-Security-Policy", csp).putHeader("Referrer-Policy", "no-referrer");
      ctx.next();
    };
    // the router also matches "/name/" here: the bare path is served the folder's page, with a 200
    // (the page names its scripts and styles by absolute paths, so no redirect is needed)
    router.get("/" + name).handler(ctx -> {
      if (ctx.normalizedPath().endsWith("/")) {
        ctx.next();
      } else {
        ctx.reroute("/" + name + "/");
      }
    });
    router.get("/" + name + "/*").handler(headers).handler(RESUME_AFTER_ANSWER).handler(StaticHandler.create(FileSystemAccess.RELATIVE, "webroot/" + name)
      .setIndexPage("index.html").setDirectoryListing(false).setCachingEnabled(false));
  }
}
