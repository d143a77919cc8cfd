package dev.avatarservice.store;

import dev.avatarservice.bus.Field;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.time.Instant;

/** The API's USER shape from a users row: the one place that decides what a client sees of an account. */
final class UserRows {

  static final String COLUMNS = "id, identifier, avatar_file, registered_at";

  private final String avatarBaseUrl;

  UserRows(String publicBaseUrl) {
    this.avatarBaseUrl = publicBaseUrl + "/avatars/";
  }

  JsonObject toUser(Row row) {
    String file = row.getString("avatar_file");
    return new JsonObject()
      .put(Field.ID, row.getString("id"))
      .put(Field.IDENTIFIER, row.getString("identifier"))
      .put(Field.AVATAR_URL, file == null ? null : avatarUrl(file))
      .put(Field.REGISTERED_AT, Instant.ofEpochMilli(row.getLong("registered_at")).toString());
  }

  String avatarUrl(String file) {
    return avatarBaseUrl + file;
  }
}
