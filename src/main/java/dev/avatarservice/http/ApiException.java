package dev.avatarservice.http;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;

/**
 * A failure with everything the client should see: status, JSend code and message, field errors,
 * and headers such as {@code Retry-After}. Handlers fail the routing context with it; the root
 * failure handler writes it.
 */
public final class ApiException extends RuntimeException {

  private final int status;
  private final String code;
  private final JsonObject fields;
  private String limiter;
  private final MultiMap headers = MultiMap.caseInsensitiveMultiMap();

  private ApiException(int status, String code, String message, JsonObject fields) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.fields = fields;
  }

  public static ApiException fail(int status, String code, String message) {
    return new ApiException(status, code, message, null);
  }

  public static ApiException fields(JsonObject fields) {
    return new ApiException(400, "invalid_fields", "invalid fields", fields);
  }

  /** A 401 for a bearer token that was sent and refused (RFC 6750: {@code error="invalid_token"}). */
  public static ApiException unauthorized(String message) {
    return unauthorized("unauthorized", message);
  }

  public static ApiException unauthorized(String code, String message) {
    return fail(401, code, message)
      .header("WWW-Authenticate", "Bearer realm=\"avatar-service\", error=\"invalid_token\"");
  }

  /**
   * A 401 when no bearer token was sent, or credentials other than a token were refused: the
   * challenge without an error code, as RFC 6750 asks when the request had no token.
   */
  public static ApiException authenticationRequired(String code, String message) {
    return fail(401, code, message).header("WWW-Authenticate", "Bearer realm=\"avatar-service\"");
  }

  public static ApiException rateLimited(long retryAfterSeconds) {
    return fail(429, "rate_limited", "too many requests; retry after " + retryAfterSeconds + " s")
      .header("Retry-After", Long.toString(retryAfterSeconds));
  }

  /** A 429 of that limiter (one of {@link ServiceMetrics}' names), which counts it. */
  public static ApiException rateLimited(long retryAfterSeconds, String limiter) {
    ApiException refused = rateLimited(retryAfterSeconds);
    refused.limiter = limiter;
    return refused;
  }

  public static ApiException unavailable(String message, long retryAfterSeconds) {
    return fail(503, "service_unavailable", message).header("Retry-After", Long.toString(retryAfterSeconds));
  }

  public ApiException header(String name, String value) {
    headers.set(name, value);
    return this;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public JsonObject fields() {
    return fields;
  }

  public MultiMap headers() {
    return headers;
  }

  /** The limiter that refused the request, for a 429; else null. */
  public String limiter() {
    return limiter;
  }
}
