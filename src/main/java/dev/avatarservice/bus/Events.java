package dev.avatarservice.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Builds the published events, which are also the realtime messages clients receive. */
public final class Events {

  // the "type" of each event, which also names its address (EventAddress)

  public static final String TYPE_AVATAR_CHANGED = "avatar.changed";
  public static final String TYPE_AVATAR_REMOVED = "avatar.removed";
  public static final String TYPE_USER_DELETED = "user.deleted";
  public static final String TYPE_SESSION_ENDED = "session.ended";
  private static final Set<String> TYPES = Set.of(TYPE_AVATAR_CHANGED, TYPE_AVATAR_REMOVED, TYPE_USER_DELETED,
    TYPE_SESSION_ENDED);

  public static JsonObject avatarChanged(String userId, String avatarUrl, Instant at) {
    return new JsonObject().put(Field.TYPE, TYPE_AVATAR_CHANGED).put(Field.USER_ID, userId)
      .put(Field.AVATAR_URL, avatarUrl).put(Field.CHANGED_AT, at.toString());
  }

  public static JsonObject avatarRemoved(String userId, Instant at) {
    return new JsonObject().put(Field.TYPE, TYPE_AVATAR_REMOVED).put(Field.USER_ID, userId)
      .put(Field.CHANGED_AT, at.toString());
  }

  public static JsonObject userDeleted(String userId) {
    return new JsonObject().put(Field.TYPE, TYPE_USER_DELETED).put(Field.USER_ID, userId);
  }

  /** On the bus: which sessions ended. Sockets receive {@link #sessionEndedMessage()} only. */
  public static JsonObject sessionEnded(String userId, List<String> sessionIds) {
    return new JsonObject().put(Field.TYPE, TYPE_SESSION_ENDED).put(Field.USER_ID, userId)
      .put(Field.SESSION_IDS, new JsonArray(new ArrayList<Object>(sessionIds)));
  }

  /** What a socket of an ended session is sent before it closes with 4401. */
  public static JsonObject sessionEndedMessage() {
    return new JsonObject().put(Field.TYPE, TYPE_SESSION_ENDED);
  }

  /** The bus address an event is published on. */
  public static String address(JsonObject event) {
    String type = event.getString(Field.TYPE);
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException("not an event type");
    }
    return EventAddress.of(type);
  }

  private Events() {
  }
}
