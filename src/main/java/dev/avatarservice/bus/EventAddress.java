package dev.avatarservice.bus;

/**
 * Published events. Each body is the realtime message that sockets receive, as it is: the notify
 * verticle forwards it without reshaping, so what is published here is what clients see.
 */
public final class EventAddress {

  /** {type: "avatar.changed", userId, avatarUrl, changedAt}. */
  public static final String AVATAR_CHANGED = "events.avatar.changed";
  /** {type: "avatar.removed", userId, changedAt}. */
  public static final String AVATAR_REMOVED = "events.avatar.removed";
  /** {type: "user.deleted", userId}. */
  public static final String USER_DELETED = "events.user.deleted";

  /**
   * Node-local, never clustered: the notify verticle (the node's one cluster-facing consumer of the
   * three events above) republishes each body here with {@code setLocalOnly(true)}, and every HTTP
   * verticle instance of the same node delivers it to the sockets it holds. Publish nothing here
   * from anywhere else.
   */
  public static final String NODE_SOCKETS = "local.notify.sockets";

  private EventAddress() {
  }
}
