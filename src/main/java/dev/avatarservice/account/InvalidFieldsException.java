package dev.avatarservice.account;

import io.vertx.core.json.JsonObject;

/**
 * Fields of a request broke their rules: {@code {field: reason}} for each, every bad field at once.
 * The reasons are safe to show a client and never quote the submitted value.
 */
public final class InvalidFieldsException extends RuntimeException {

  private final JsonObject fields;

  public InvalidFieldsException(JsonObject fields) {
    super("invalid fields", null, false, false);
    this.fields = fields.copy();
  }

  public JsonObject fields() {
    return fields.copy();
  }
}
