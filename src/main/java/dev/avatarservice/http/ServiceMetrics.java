package dev.avatarservice.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The service's own meters, next to Vert.x's HTTP, event-bus, pool and JVM meters in the node's
 * registry ({@code /metrics}, Prometheus names):
 * <ul>
 *   <li>{@code avatar_registrations_total{outcome}}, {@code avatar_logins_total{outcome}},
 *   {@code avatar_refreshes_total{outcome}}, {@code avatar_uploads_total{outcome}}: each answered
 *   request of those operations, by outcome: {@code success}, or the JSend code of the failure
 *   ({@code invalid_credentials}, {@code rate_limited}, {@code payload_too_large}, ...);</li>
 *   <li>{@code avatar_rate_limit_refusals_total{limiter}}: requests refused with 429, by limiter
 *   ({@code auth_requests}, {@code login_failures}, {@code avatar_uploads}).</li>
 * </ul>
 * Label values come from fixed lists, every one registered at 0 from the start; a failure code that
 * is not on its operation's list is counted as {@code other}. The counted operations are found by
 * their paths ({@code COUNTED}); the HTTP verticle runs this handler first on every request; it counts when
 * the response has been sent, from its status and the code that {@link FailureHandler} (or a route
 * answering in a format of its own) left in {@link #CODE}. Thread-safe: Micrometer counters are.
 */
public final class ServiceMetrics implements Handler<RoutingContext> {

  /** Where the failure's code is left for this handler. */
  public static final String CODE = "avatar-service.metrics.code";
  private static final String OPERATION = "avatar-service.metrics.operation";
  private static final String LIMITER = "avatar-service.metrics.limiter";
  static final String OTHER = "other";
  static final String SUCCESS = "success";

  /** The counted operations and the outcomes each can have. */
  public enum Operation {
    REGISTRATION("avatar.registrations", "Registrations answered, by outcome",
      List.of("invalid_fields", "identifier_taken", "rate_limited", "bad_request", "payload_too_large",
        "unsupported_media_type", "service_unavailable", "internal_error")),
    LOGIN("avatar.logins", "Logins answered, by outcome",
      List.of("invalid_credentials", "rate_limited", "invalid_fields", "bad_request", "payload_too_large",
        "unsupported_media_type", "service_unavailable", "internal_error")),
    REFRESH("avatar.refreshes", "Refresh-token rotations answered (/api/refresh and /oauth/token), by outcome",
      List.of("invalid_token", "rate_limited", "bad_request", "payload_too_large", "unsupported_media_type",
        "service_unavailable", "internal_error")),
    UPLOAD("avatar.uploads", "Avatar uploads answered, by outcome",
      List.of("unauthorized", "rate_limited", "bad_request", "no_file", "payload_too_large",
        "unsupported_media_type", "image_too_large", "image_too_complex", "image_undecodable", "upload_in_progress",
        "service_unavailable", "internal_error"));

    private final String meter;
    private final String description;
    private final List<String> failures;

    Operation(String meter, String description, List<String> failures) {
      this.meter = meter;
      this.description = description;
      this.failures = failures;
    }
  }

  /** The limiters whose 429s are counted; {@link ApiException#rateLimited(long, String)} names one. */
  public static final String AUTH_REQUESTS = "auth_requests";
  public static final String LOGIN_FAILURES = "login_failures";
  public static final String AVATAR_UPLOADS = "avatar_uploads";
  private static final List<String> LIMITERS = List.of(AUTH_REQUESTS, LOGIN_FAILURES, AVATAR_UPLOADS);

  private final Map<Operation, Map<String, Counter>> outcomes = new EnumMap<>(Operation.class);
  private final Map<String, Counter> refusals = new HashMap<>();

  /** The meters in this registry; with none (metrics off), a handler that counts nothing. */
  public ServiceMetrics(MeterRegistry registry) {
    if (registry == null) {
      return;
    }
    for (Operation operation : Operation.values()) {
      Map<String, Counter> counters = new HashMap<>();
      for (String outcome : outcomes(operation)) {
        counters.put(outcome, Counter.builder(operation.meter).description(operation.description)
          .tag("outcome", outcome).register(registry));
      }
      outcomes.put(operation, counters);
    }
    for (String limiter : LIMITERS) {
      refusals.put(limiter, Counter.builder("avatar.rate.limit.refusals")
        .description("Requests refused with 429, by limiter").tag("limiter", limiter).register(registry));
    }
  }

  private static List<String> outcomes(Operation operation) {
    List<String> all = new java.util.ArrayList<>(operation.failures);
    all.add(0, SUCCESS);
    all.add(OTHER);
    return all;
  }

  /**
   * The counted operations by path (all POST), canonical routes and aliases. Looked up here rather
   * than marked by routes of their own, so that each request matches only its real route and the
   * {@code route} label of Vert.x's request meters names that one pattern.
   */
  private static final Map<String, Operation> COUNTED = counted();

  private static Map<String, Operation> counted() {
    Map<String, Operation> counted = new java.util.HashMap<>();
    AccountRoutes.REGISTER.forEach(path -> counted.put(path, Operation.REGISTRATION));
    AccountRoutes.LOGIN.forEach(path -> counted.put(path, Operation.LOGIN));
    counted.put(AccountRoutes.REFRESH, Operation.REFRESH);
    counted.put(OAuthRoutes.TOKEN, Operation.REFRESH);
    AvatarRoutes.PATHS.forEach(path -> counted.put(path, Operation.UPLOAD));
    return Map.copyOf(counted);
  }

  /** Records, for this handler, that the request was refused by that limiter. */
  static void refusedBy(RoutingContext ctx, String limiter) {
    ctx.put(LIMITER, limiter);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.request().method() == io.vertx.core.http.HttpMethod.POST) {
      String path = ctx.normalizedPath();
      // the router matches "/api/login/" to "/api/login" too
      Operation operation = COUNTED.get(path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
      if (operation != null) {
        ctx.put(OPERATION, operation);
      }
    }
    if (!outcomes.isEmpty()) {
      ctx.addEndHandler(ended -> {
        if (ended.succeeded()) {
          record(ctx);
        }
      });
    }
    ctx.next();
  }

  private void record(RoutingContext ctx) {
    String limiter = ctx.get(LIMITER);
    if (limiter != null && refusals.containsKey(limiter)) {
      refusals.get(limiter).increment();
    }
    Operation operation = ctx.get(OPERATION);
    if (operation != null) {
      Map<String, Counter> counters = outcomes.get(operation);
      counters.get(outcome(operation, ctx.response().getStatusCode(), ctx.get(CODE), counters)).increment();
    }
  }

  static String outcome(Operation operation, int status, String code, Map<String, Counter> known) {
    if (status >= 200 && status < 300) {
      return SUCCESS;
    }
    String outcome = code;
    if (status == 401) {
      // the bearer token of an upload; the refresh token of a refresh (invalid_grant on /oauth/token)
      outcome = operation == Operation.UPLOAD ? "unauthorized"
        : operation == Operation.REFRESH ? "invalid_token" : code;
    } else if (operation == Operation.REFRESH && "invalid_grant".equals(code)) {
      outcome = "invalid_token";
    } else if (code == null || "invalid_request".equals(code) || "unsupported_grant_type".equals(code)) {
      outcome = status >= 500 ? (status == 503 ? "service_unavailable" : "internal_error")
        : status == 429 ? "rate_limited" : status == 413 ? "payload_too_large" : status == 415 ? "unsupported_media_type"
        : status == 400 ? "bad_request" : OTHER;
    }
    return outcome != null && known.containsKey(outcome) ? outcome : OTHER;
  }
}
