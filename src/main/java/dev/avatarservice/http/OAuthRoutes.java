package dev.avatarservice.http;

import dev.avatarservice.account.AccountService;
import dev.avatarservice.bus.Failure;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.validation.BadRequestException;
import io.vertx.ext.web.validation.RequestParameters;
import io.vertx.ext.web.validation.RequestPredicate;
import io.vertx.ext.web.validation.ValidationHandler;
import io.vertx.ext.web.validation.builder.Bodies;
import io.vertx.ext.web.validation.builder.ValidationHandlerBuilder;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.common.dsl.ObjectSchemaBuilder;

import static io.vertx.json.schema.common.dsl.Keywords.maxLength;
import static io.vertx.json.schema.common.dsl.Keywords.minLength;
import static io.vertx.json.schema.common.dsl.Schemas.objectSchema;
import static io.vertx.json.schema.common.dsl.Schemas.stringSchema;

/**
 * The OAuth 2 endpoints for clients that speak the RFCs: the refresh-token grant of RFC 6749
 * (the password grant is not offered, as RFC 9700 advises) and revocation per RFC 7009. Their
 * bodies follow the RFCs, not JSend; store outages still go to the root failure handler.
 */
public final class OAuthRoutes {

  /** Far above any valid value, to refuse absurd strings before any work. */
  private static final int MAX_FIELD_LENGTH = 4096;

  private final AccountService accounts;
  private final RateLimiter authLimiter;
  private final BodyHandler formBody;
  private final ValidationHandler tokenForm;
  private final ValidationHandler revokeForm;

  /**
   * @param authLimiter the limiter of {@code /api/refresh} and {@code /api/login}: a token grant is a
   *                    refresh and a revocation a logout, so they count against the same limit
   */
  public OAuthRoutes(AccountService accounts, RateLimiter authLimiter, SchemaRepository schemas, int bodyLimit) {
    this.accounts = accounts;
    this.authLimiter = authLimiter;
    this.formBody = BodyHandler.create(false).setBodyLimit(bodyLimit);
    this.tokenForm = form(schemas, objectSchema()
      .requiredProperty("grant_type", stringSchema().with(minLength(1), maxLength(MAX_FIELD_LENGTH)))
      .optionalProperty("refresh_token", stringSchema().with(maxLength(MAX_FIELD_LENGTH))));
    this.revokeForm = form(schemas, objectSchema()
      .requiredProperty("token", stringSchema().with(minLength(1), maxLength(MAX_FIELD_LENGTH)))
      .optionalProperty("token_type_hint", stringSchema().with(maxLength(MAX_FIELD_LENGTH))));
  }

  private static ValidationHandler form(SchemaRepository schemas, ObjectSchemaBuilder schema) {
    return ValidationHandlerBuilder.create(schemas).body(Bodies.formUrlEncoded(schema.allowAdditionalProperties(true)))
      .predicate(RequestPredicate.BODY_REQUIRED).build();
  }

  static final String TOKEN = "/oauth/token";

  public void mount(Router router) {
    // a refused request goes on to the root failure handler: 429 with Retry-After, as /api/refresh
    router.post(TOKEN).handler(formBody).handler(authLimiter.perClient(ServiceMetrics.AUTH_REQUESTS)).handler(OAuthRoutes::eachOnce).handler(tokenForm).handler(this::token)
      .failureHandler(ctx -> invalidRequest(ctx, "send grant_type=refresh_token and refresh_token, once each, as"
        + " application/x-www-form-urlencoded"));
    router.post("/oauth/revoke").handler(formBody).handler(authLimiter.perClient(ServiceMetrics.AUTH_REQUESTS)).handler(OAuthRoutes::eachOnce).handler(revokeForm).handler(this::revoke)
      .failureHandler(ctx -> invalidRequest(ctx, "send token, once, as application/x-www-form-urlencoded"));
  }

  /**
   * RFC 6749 §3.1: parameters must not be included more than once. The form validation would take the
   * first of repeated values, so a repeat is refused before it.
   */
  private static void eachOnce(RoutingContext ctx) {
    var form = ctx.request().formAttributes();
    if (form.names().stream().anyMatch(name -> form.getAll(name).size() > 1)) {
      oauthError(ctx, 400, "invalid_request", "a parameter was sent more than once");
    } else {
      ctx.next();
    }
  }

  /** A body the form validation refused is an RFC error; anything else goes on to the root handler. */
  private static void invalidRequest(RoutingContext ctx, String description) {
    if (ctx.failure() instanceof BadRequestException) {
      oauthError(ctx, 400, "invalid_request", description);
    } else {
      ctx.next();
    }
  }

  private void token(RoutingContext ctx) {
    JsonObject form = form(ctx);
    String grantType = form.getString("grant_type");
    String refreshToken = form.getString("refresh_token");
    if (!"refresh_token".equals(grantType)) {
      oauthError(ctx, 400, "unsupported_grant_type", "only the refresh_token grant is offered");
    } else if (refreshToken == null || refreshToken.isEmpty()) {
      oauthError(ctx, 400, "invalid_request", "refresh_token is required");
    } else {
      accounts.refresh(refreshToken)
        .onSuccess(tokens -> noStore(ctx.response()).setStatusCode(200)
          .putHeader("Content-Type", "application/json; charset=utf-8").end(tokens.toOAuthJson().toBuffer()))
        .onFailure(error -> {
          if (Failure.of(error).filter(f -> f == Failure.INVALID_REFRESH_TOKEN || f == Failure.USER_NOT_FOUND).isPresent()) {
            oauthError(ctx, 400, "invalid_grant", "the refresh token is not valid");
          } else {
            ctx.fail(error);
          }
        });
    }
  }

  private void revoke(RoutingContext ctx) {
    String token = form(ctx).getString("token");
    // RFC 7009 §2.2: an unknown or already revoked token is answered 200 too. The session's end is
    // announced to every node before the answer; RFC 7009 has no "accepted", so 200 either way.
    accounts.endSessionOf(token, null)
      .onSuccess(done -> noStore(ctx.response()).setStatusCode(200).end())
      .onFailure(ctx::fail);
  }

  private static JsonObject form(RoutingContext ctx) {
    return ctx.<RequestParameters>get(ValidationHandler.REQUEST_CONTEXT_KEY).body().getJsonObject();
  }

  private static void oauthError(RoutingContext ctx, int status, String error, String description) {
    ctx.put(ServiceMetrics.CODE, error);
    noStore(ctx.response()).setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
      .end(new JsonObject().put("error", error).put("error_description", description).toBuffer());
  }

  private static HttpServerResponse noStore(HttpServerResponse response) {
    return response.putHeader("Cache-Control", "no-store").putHeader("Pragma", "no-cache");
  }
}
