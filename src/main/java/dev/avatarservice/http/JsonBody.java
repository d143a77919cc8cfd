package dev.avatarservice.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.validation.ValidationHandler;
import io.vertx.ext.web.validation.builder.Bodies;
import io.vertx.ext.web.validation.builder.ValidationHandlerBuilder;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.common.dsl.ObjectSchemaBuilder;

import java.util.Map;

/**
 * A JSON request body: its size limit, its schema checked by vertx-web-validation, and an
 * explanation by field when the check fails. The validator's own report names keywords, not
 * fields, so the failure handler asks this class, which reads the same schema, what is wrong with
 * each field; that keeps the rules in one place and the messages plain.
 */
public final class JsonBody {

  private static final String KEY = "avatar-service.json-body";

  private final JsonObject schema;
  private final BodyHandler bodyHandler;
  private final ValidationHandler validation;

  public JsonBody(SchemaRepository repository, ObjectSchemaBuilder schema, int bodyLimit) {
    this.schema = schema.toJson();
    this.bodyHandler = BodyHandler.create(false).setBodyLimit(bodyLimit);
    this.validation = ValidationHandlerBuilder.create(repository).body(Bodies.json(schema)).build();
  }

  /** Reads the body, up to the limit (413 beyond it). */
  public Handler<RoutingContext> reader() {
    return bodyHandler;
  }

  /** Checks the body against the schema (400 keyed by field, 415 for another content type). */
  public Handler<RoutingContext> validator() {
    return ctx -> {
      ctx.put(KEY, this);
      // vertx-web-validation checks no body at all when there is no Content-Type
      if (ctx.request().getHeader(HttpHeaders.CONTENT_TYPE) == null) {
        ctx.fail(ctx.body().length() > 0
          ? ApiException.fail(415, "unsupported_media_type", "the body must be application/json")
          : ApiException.fail(400, "bad_request", "the body must be a JSON object"));
        return;
      }
      validation.handle(ctx);
    };
  }

  /** What is wrong with each field of the body this context was checked against, if anything. */
  static JsonObject explain(RoutingContext ctx) {
    JsonBody body = ctx.get(KEY);
    if (body == null) {
      return null;
    }
    Object parsed;
    try {
      parsed = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
    return parsed instanceof JsonObject json ? body.explain(json) : null;
  }

  JsonObject explain(JsonObject instance) {
    JsonObject problems = new JsonObject();
    JsonObject properties = schema.getJsonObject("properties", new JsonObject());
    var required = schema.getJsonArray("required", new io.vertx.core.json.JsonArray());
    for (Map.Entry<String, Object> property : properties) {
      String name = property.getKey();
      JsonObject rules = (JsonObject) property.getValue();
      Object value = instance.getValue(name);
      if (value == null) {
        if (required.contains(name)) {
          problems.put(name, "is required");
        }
      } else if ("string".equals(rules.getString("type"))) {
        if (!(value instanceof String text)) {
          problems.put(name, "must be a string");
        } else if (rules.containsKey("maxLength") && text.codePointCount(0, text.length()) > rules.getInteger("maxLength")) {
          problems.put(name, "must be at most " + rules.getInteger("maxLength") + " characters");
        }
      }
    }
    return problems.isEmpty() ? null : problems;
  }
}
