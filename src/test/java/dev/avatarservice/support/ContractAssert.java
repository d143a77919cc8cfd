package dev.avatarservice.support;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * What API.md promises of any answer, whatever was asked: no server error but an overload 503 with
 * {@code Retry-After}; JSend on every JSON response of the JSend routes, RFC 6749/7009 bodies on
 * {@code /oauth/*}; {@code WWW-Authenticate} on a 401; {@code Retry-After} on 429 and 503; never a
 * stack trace or SQL in a body.
 */
public final class ContractAssert {

  private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
  /** RFC 6749 §5.2, and RFC 7009 §2.2.1. */
  private static final Set<String> OAUTH_ERRORS = Set.of("invalid_request", "invalid_client", "invalid_grant",
    "unauthorized_client", "unsupported_grant_type", "invalid_scope", "unsupported_token_type");
  /** Traces of internals that must never reach a client. */
  private static final Pattern INTERNALS = Pattern.compile(
    "Exception|\\bat (dev|io|java|com|org)\\.|SQLITE_|\\bSELECT\\b|\\bINSERT\\b|\\bUPDATE\\b .* SET\\b");

  private ContractAssert() {
  }

  /** Checks the answer to that request; {@code answer} is empty when the server closed without one. */
  public static void legitimate(HostileRequest request, Optional<RawHttp.Response> answer) {
    if (answer.isEmpty()) {
      assertThat(request.malformed())
        .as("the server closed the connection without answering a well-formed request:%n%s", request).isTrue();
      return;
    }
    RawHttp.Response response = answer.get();
    String context = String.format("%nrequest: %s%nresponse: %s", request, response);
    int status = response.status();
    assertThat(status).as("status" + context).isBetween(100, 599);
    if (status >= 500) {
      assertThat(status).as("a server error" + context).isEqualTo(503);
      assertThat(response.header("Retry-After")).as("503 without Retry-After" + context).matches("[1-9][0-9]{0,4}");
    }
    if (status == 429) {
      assertThat(response.header("Retry-After")).as("429 without Retry-After" + context).matches("[1-9][0-9]{0,5}");
    }
    String path = request.path().toLowerCase(Locale.ROOT);
    if (status == 101) {
      assertThat(path).as("an upgrade where none is served" + context).matches("/(ws|ws/avatar|sockjs/.*)");
      return;
    }
    if (status >= 300 && status < 400) {
      assertThat(status).as("a redirect" + context).isEqualTo(304);
      return;
    }
    String body = response.bodyText();
    if (status >= 400) {
      assertThat(INTERNALS.matcher(body).find()).as("internals in the body" + context).isFalse();
    }
    if (status == 401 && !path.startsWith("/oauth/")) {
      assertThat(response.header("WWW-Authenticate")).as("401 without WWW-Authenticate" + context).startsWith("Bearer");
    }
    String type = response.header("Content-Type");
    boolean json = type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json");
    if (path.startsWith("/sockjs/") && !json) {
      return; // the SockJS protocol's own answers (such as an empty 405 for a wrong method)
    }
    if (response.body().length == 0) {
      boolean allowedEmpty = request.isHead() || status == 204 || (status < 300 && !json);
      assertThat(allowedEmpty).as("an empty body where JSend was due" + context).isTrue();
      return;
    }
    if (path.startsWith("/sockjs/") && !object(response).containsKey("status")) {
      return; // SockJS's own JSON (its /info)
    }
    if (!json) {
      // Only the documents, metrics and avatar files answer in other types, and only with success.
      assertThat(status).as("a non-JSON error" + context).isLessThan(300);
      assertThat(path).as("a non-JSON answer" + context)
        .matches("/((metrics|openapi\\.yaml|asyncapi\\.yaml)/?|docs(/.*)?|demo(/.*)?|avatars/.*)");
      return;
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(response.bodyText());
    } catch (DecodeException e) {
      throw new AssertionError("a JSON content type with a body that is not JSON" + context, e);
    }
    assertThat(parsed).as("a JSON answer that is not an object" + context).isInstanceOf(JsonObject.class);
    JsonObject object = (JsonObject) parsed;
    if (path.startsWith("/oauth/") && !object.containsKey("status")) {
      oauth(object, status, path, context);
    } else {
      jsend(object, status, context);
    }
  }

  private static JsonObject object(RawHttp.Response response) {
    try {
      return Json.decodeValue(response.bodyText()) instanceof JsonObject object ? object : new JsonObject();
    } catch (DecodeException e) {
      return new JsonObject();
    }
  }

  /** The JSend envelope of API.md. */
  public static void jsend(JsonObject body, int status, String context) {
    String kind = body.getValue("status") instanceof String s ? s : null;
    if ("success".equals(kind)) {
      assertThat(status).as("success outside 2xx" + context).isBetween(200, 299);
      assertThat(body.fieldNames()).as("success members" + context).containsExactlyInAnyOrder("status", "data");
      assertThat(body.getValue("data")).as("success data" + context).satisfiesAnyOf(
        data -> assertThat(data).isNull(), data -> assertThat(data).isInstanceOf(JsonObject.class));
    } else if ("fail".equals(kind)) {
      assertThat(status).as("fail outside 4xx" + context).isBetween(400, 499);
      assertThat(body.fieldNames()).as("fail members" + context).containsExactlyInAnyOrder("status", "data");
      assertThat(body.getValue("data")).as("fail data" + context).isInstanceOf(JsonObject.class);
      JsonObject data = body.getJsonObject("data");
      assertThat(data.isEmpty()).as("empty fail data" + context).isFalse();
      if (data.containsKey("code")) {
        assertThat(data.fieldNames()).as("fail data members" + context).containsExactlyInAnyOrder("message", "code");
        assertThat(data.getValue("code")).as("fail code" + context).isInstanceOf(String.class);
        assertThat(data.getString("code")).as("fail code" + context).matches(SNAKE_CASE);
        assertThat(data.getValue("message")).as("fail message" + context).isInstanceOf(String.class);
        assertThat(data.getString("message")).as("fail message" + context).isNotBlank();
      } else {
        assertThat(status).as("field failures outside 400" + context).isEqualTo(400);
        data.forEach(field -> assertThat(field.getValue()).as("field failure " + field.getKey() + context)
          .isInstanceOf(String.class));
      }
    } else if ("error".equals(kind)) {
      assertThat(status).as("error outside 5xx" + context).isBetween(500, 599);
      assertThat(Set.of("status", "message", "code", "data")).as("error members" + context)
        .containsAll(body.fieldNames());
      assertThat(body.getValue("message")).as("error message" + context).isInstanceOf(String.class);
      assertThat(body.getValue("code")).as("error code" + context).isEqualTo(status);
    } else {
      fail("not JSend: status is %s%s", body.getValue("status"), context);
    }
  }

  /** RFC 6749 §5.1 and §5.2 bodies of {@code /oauth/token}; RFC 7009 answers 200 with no body. */
  private static void oauth(JsonObject body, int status, String path, String context) {
    if (status == 200) {
      assertThat(path).as("a JSON success from revocation" + context).isEqualTo("/oauth/token");
      assertThat(body.getValue("access_token")).as("access_token" + context).isInstanceOf(String.class);
      assertThat(body.getString("token_type")).as("token_type" + context).isEqualToIgnoringCase("Bearer");
      assertThat(body.getValue("expires_in")).as("expires_in" + context).isInstanceOf(Integer.class);
      assertThat(body.getValue("refresh_token")).as("refresh_token" + context).isInstanceOf(String.class);
      return;
    }
    assertThat(status).as("an OAuth error status" + context).isIn(400, 401);
    assertThat(Set.of("error", "error_description", "error_uri")).as("OAuth error members" + context)
      .containsAll(body.fieldNames());
    assertThat(body.getValue("error")).as("error" + context).isIn(OAUTH_ERRORS.toArray());
    if (body.containsKey("error_description")) {
      assertThat(body.getValue("error_description")).as("error_description" + context).isInstanceOf(String.class);
      // RFC 6749 §5.2: error_description is printable ASCII without " and \
      assertThat(body.getString("error_description")).as("error_description" + context)
        .matches("[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]*");
    }
  }
}
