package dev.avatarservice.bus;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/** Builds the published events, which are also the realtime messages clients receive. */
public final class Events {

  public static final String AVATAR_CHANGED = "avatar.changed";
  public static final String AVATAR_REMOVED = "avatar.removed";
  public static final String USER_DELETED = "user.deleted";

  public static JsonObject avatarChanged(String userId, String avatarUrl, Instant at) {
    return new JsonObject().put(Field.TYPE, AVATAR_CHANGED).put(Field.USER_ID, userId)
      .put(Field.AVATAR_URL, avatarUrl).put(Field.CHANGED_AT, at.toString());
  }

  public static JsonObject avatarRemoved(String userId, Instant at) {
    return new JsonObject().put(Field.TYPE, AVATAR_REMOVED).put(Field.USER_ID, userId)
      .put(Field.CHANGED_AT, at.toString());
  }

  public static JsonObject userDeleted(String userId) {
    return new JsonObject().put(Field.TYPE, USER_DELETED).put(Field.USER_ID, userId);
  }

  private Events() {
  }
}
