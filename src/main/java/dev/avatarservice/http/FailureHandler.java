package dev.avatarservice.http;

import dev.avatarservice.account.InvalidTokenException;
import dev.avatarservice.worker.PoolBusyException;
import dev.avatarservice.bus.Failure;
import dev.avatarservice.account.AttemptsUnavailableException;
import dev.avatarservice.account.InvalidCredentialsException;
import dev.avatarservice.account.InvalidFieldException;
import dev.avatarservice.account.InvalidFieldsException;
import dev.avatarservice.account.LoginLockedException;
import dev.avatarservice.account.WrongPasswordException;
import dev.avatarservice.log.LogSafe;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.validation.BadRequestException;
import io.vertx.ext.web.validation.BodyProcessorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP: every route's errors, the router's own 404/405, body
 * limits, validation and bus failures end up here as JSend. Registered on the root router, since
 * sub-router failure handlers are ignored in Vert.x 5.0.7.
 */
public final class FailureHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);
  private static final long STORE_RETRY_AFTER_SECONDS = 5;

  private final AllowedMethods allowed;

  public FailureHandler(AllowedMethods allowed) {
    this.allowed = allowed;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.failure() instanceof HttpClosedException || ctx.response().closed()) {
      return; // the client went away mid-request: no one to answer, and nothing went wrong here
    }
    if (ctx.response().headWritten()) {
      if (!ctx.response().ended()) {
        ctx.response().reset();
      }
      return;
    }
    ApiException failure = toApiException(ctx.failure(), ctx.statusCode());
    if (failure.status() == 400 && ctx.failure() instanceof BodyProcessorException) {
      JsonObject fields = JsonBody.explain(ctx);
      if (fields != null) {
        failure = ApiException.fields(fields);
      }
    }
    failure.headers().forEach(header -> ctx.response().headers().set(header.getKey(), header.getValue()));
    if (failure.status() == 405) {
      String allow = allowed.allow(ctx.normalizedPath());
      if (allow != null) {
        ctx.response().putHeader(HttpHeaders.ALLOW, allow);
      }
    }
    ctx.put(ServiceMetrics.CODE, failure.code());
    if (failure.limiter() != null) {
      ServiceMetrics.refusedBy(ctx, failure.limiter());
    }
    if (failure.status() >= 500) {
      JSend.error(ctx, failure.status(), failure.getMessage(), null);
    } else if (failure.fields() != null) {
      JSend.failFields(ctx, failure.fields());
    } else {
      JSend.fail(ctx, failure.status(), failure.code(), failure.getMessage());
    }
  }

  /**
   * A request the HTTP codec could not parse (a request line or headers over the limits, bytes HTTP
   * forbids) never reaches the router; it is answered here in JSend too, instead of Vert.x's empty
   * body, and its connection closed, as Vert.x does.
   */
  public static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ApiException failure;
    if (cause instanceof TooLongHttpLineException) {
      failure = ApiException.fail(414, "uri_too_long", "the request line is too long");
    } else if (cause instanceof TooLongHttpHeaderException) {
      failure = ApiException.fail(431, "header_fields_too_large", "the request headers are too large");
    } else {
      failure = ApiException.fail(400, "bad_request", "the request is not valid HTTP");
    }
    JsonObject body = new JsonObject().put("status", "fail")
      .put("data", new JsonObject().put("message", failure.getMessage()).put("code", failure.code()));
    request.response().setStatusCode(failure.status())
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
      .putHeader("X-Content-Type-Options", "nosniff")
      .putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
      .end(body.toBuffer())
      .onComplete(done -> request.connection().close());
  }

  static ApiException toApiException(Throwable error, int statusCode) {
    if (error == null) {
      return byStatus(statusCode);
    }
    if (error instanceof ApiException api) {
      return api;
    }
    if (error instanceof PoolBusyException busy) {
      return ApiException.unavailable(busy.getMessage(), busy.retryAfterSeconds());
    }
    if (error instanceof InvalidTokenException) {
      return ApiException.unauthorized(error.getMessage());
    }
    if (error instanceof InvalidFieldsException fields) {
      return ApiException.fields(fields.fields());
    }
    if (error instanceof InvalidCredentialsException credentials) {
      return ApiException.authenticationRequired("invalid_credentials", credentials.getMessage());
    }
    if (error instanceof WrongPasswordException wrong) {
      return ApiException.fail(403, "wrong_password", wrong.getMessage());
    }
    if (error instanceof LoginLockedException locked) {
      return ApiException.rateLimited(locked.retryAfterSeconds(), ServiceMetrics.LOGIN_FAILURES);
    }
    if (error instanceof InvalidFieldException field) {
      return ApiException.fields(new JsonObject().put(field.field(), field.getMessage()));
    }
    if (error instanceof AttemptsUnavailableException unavailable) {
      LOG.warn("Failed logins cannot be counted: {}", LogSafe.escape(String.valueOf(unavailable.getCause())));
      return ApiException.unavailable("logins cannot be checked right now; try again shortly", STORE_RETRY_AFTER_SECONDS);
    }
    if (error instanceof BodyProcessorException body) {
      return fromBody(body);
    }
    if (error instanceof BadRequestException) {
      return ApiException.fail(400, "bad_request", "the request is not valid");
    }
    if (error instanceof HttpException http) {
      return byStatus(http.getStatusCode());
    }
    if (error instanceof ReplyException reply) {
      return fromReply(reply);
    }
    if (statusCode >= 400 && statusCode < 500) {
      // a Vert.x handler refused the request with a status and an exception of its own (CORS: 403)
      return byStatus(statusCode);
    }
    if (thrownByMultipartDecoder(error)) {
      // Netty's form decoder throws plain runtime exceptions on some malformed part headers
      // (a Content-Disposition parameter without "="): the client's fault, not ours
      LOG.debug("Unreadable multipart body: {}", error.getClass().getSimpleName());
      return ApiException.fail(400, "bad_request", "the multipart/form-data body cannot be read");
    }
    // its message may quote the request (Vert.x and Netty quote header values, parsers the body)
    LOG.error("Unhandled failure", LogSafe.escapeMessages(error));
    return ApiException.fail(500, "internal_error", "internal error");
  }

  private static boolean thrownByMultipartDecoder(Throwable error) {
    StackTraceElement[] frames = error.getStackTrace();
    return error instanceof RuntimeException && frames.length > 0
      && frames[0].getClassName().startsWith("io.netty.handler.codec.http.multipart.");
  }

  private static ApiException fromReply(ReplyException reply) {
    if (reply.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      LOG.warn("Store not reachable: {}", reply.failureType());
      return ApiException.unavailable("the store is not reachable; try again shortly", STORE_RETRY_AFTER_SECONDS);
    }
    return Failure.of(reply).map(failure -> switch (failure) {
      case UNKNOWN_IDENTIFIER, USER_NOT_FOUND -> ApiException.unauthorized("the account does not exist");
      case SESSION_ENDED -> ApiException.unauthorized("the session has ended");
      case IDENTIFIER_TAKEN -> ApiException.fail(409, "identifier_taken", reply.getMessage());
      case INVALID_REFRESH_TOKEN -> ApiException.fail(401, "invalid_token", reply.getMessage())
        .header("WWW-Authenticate", "Bearer realm=\"avatar-service\", error=\"invalid_token\"");
      case NOT_FOUND -> byStatus(404);
      case UNAVAILABLE -> ApiException.unavailable(reply.getMessage(), STORE_RETRY_AFTER_SECONDS);
      // the admin backup on PostgreSQL: the message names the tool that does it (pg_dump)
      case NOT_SUPPORTED -> ApiException.fail(501, "not_supported", reply.getMessage());
      // UNCONFIRMED is the notify verticle's, which NotifyClient counts and never passes on
      case INTERNAL, UNCONFIRMED -> ApiException.fail(500, "internal_error", "internal error");
    }).orElseGet(() -> {
      LOG.error("Store answered an unknown failure code {}", reply.failureCode());
      return ApiException.fail(500, "internal_error", "internal error");
    });
  }

  private static ApiException fromBody(BodyProcessorException body) {
    switch (body.getErrorType()) {
      case MISSING_MATCHING_BODY_PROCESSOR:
        return ApiException.fail(415, "unsupported_media_type", "the body must be application/json");
      case VALIDATION_ERROR:
        return ApiException.fail(400, "bad_request", "the body must be a JSON object with the documented fields");
      default:
        return ApiException.fail(400, "bad_request", "the body is not well-formed JSON");
    }
  }

  static ApiException byStatus(int status) {
    return switch (status) {
      case 400 -> ApiException.fail(400, "bad_request", "the request is not valid");
      case 401 -> ApiException.authenticationRequired("unauthorized", "authentication required");
      case 403 -> ApiException.fail(403, "forbidden", "this origin is not allowed");
      case 404 -> ApiException.fail(404, "not_found", "no such resource");
      case 405 -> ApiException.fail(405, "method_not_allowed", "this method is not allowed here");
      case 413 -> ApiException.fail(413, "payload_too_large", "the request body is too large");
      case 415 -> ApiException.fail(415, "unsupported_media_type", "this content type is not accepted here");
      case 503 -> ApiException.unavailable("the service is not available; try again shortly", STORE_RETRY_AFTER_SECONDS);
      default -> status >= 400 && status < 500
        ? ApiException.fail(status, "bad_request", "the request cannot be served")
        : ApiException.fail(500, "internal_error", "internal error");
    };
  }
}
