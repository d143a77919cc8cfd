package dev.avatarservice.bus;

import java.util.UUID;

/**
 * Published events. Each body is the realtime message that sockets receive, as it is: the notify
 * verticle forwards it without reshaping, so what is published here is what clients see.
 */
public final class EventAddress {

  /** {type: "avatar.changed", userId, avatarUrl, changedAt}. */
  public static final String AVATAR_CHANGED = of(Events.TYPE_AVATAR_CHANGED);
  /** {type: "avatar.removed", userId, changedAt}. */
  public static final String AVATAR_REMOVED = of(Events.TYPE_AVATAR_REMOVED);
  /** {type: "user.deleted", userId}. */
  public static final String USER_DELETED = of(Events.TYPE_USER_DELETED);
  /**
   * {type: "session.ended", userId, sessionIds}: sessions that ended. Sockets of those sessions
   * receive {@code {"type":"session.ended"}} (the ids are not sent to clients) and close with 4401.
   */
  public static final String SESSION_ENDED = of(Events.TYPE_SESSION_ENDED);
  /**
   * {userId, sessionIds}: published by the store on SQLite after it committed the end of sessions,
   * for every holder of a session cache to forget them (today the store verticle itself, which also
   * forgets them before it answers). On PostgreSQL, where every node runs a store, the stores ask
   * each other instead and wait for the answers ({@link StoreAddress#STORE_NODES}).
   */
  public static final String SESSIONS_FORGET = "cache.sessions.forget";

  /**
   * Node-local, never clustered: the notify verticle (the node's one cluster-facing consumer of the
   * three events above) republishes each body here with {@code setLocalOnly(true)}, and every HTTP
   * verticle instance of the same node delivers it to the sockets it holds. Publish nothing here
   * from anywhere else.
   */
  public static final String NODE_SOCKETS = "local.notify.sockets";

  /*
   * Confirmed events (user.deleted, session.ended). A publish is fire-and-forget, but DELETE /api/user
   * (or the end of a session) may only answer once every socket concerned, on every node, has
   * received the event and been closed, so the sender also asks each node directly and waits for
   * the answers (NotifyClient):
   *
   *   deleting HTTP verticle --request--> NOTIFY_NODE of each node (cluster-wide AsyncMap NOTIFY_NODES)
   *   notify verticle        --request--> SOCKET_REGISTRY of each HTTP instance of its node (LocalMap)
   *   socket registry: writes the event and closes (4410 user.deleted, 4401 session.ended) each socket
   *                    concerned, then replies {}
   *
   * Request body: the event as published; reply: {} once that part's sockets are closed.
   */

  /**
   * Cluster-wide {@code AsyncMap} whose keys are the {@link #notifyNode()} addresses of the running
   * notify verticles (one per node); each puts its own in at start and takes it out at stop.
   */
  public static final String NOTIFY_NODES = "avatar-service.notify-nodes";

  /**
   * Node {@code LocalMap} whose keys are the {@link #socketRegistry()} addresses of the socket
   * registries of this node (one per HTTP verticle instance).
   */
  public static final String SOCKET_REGISTRIES = "avatar-service.socket-registries";

  private static final String NOTIFY_NODE_PREFIX = "notify.node.";
  private static final String SOCKET_REGISTRY_PREFIX = "local.notify.registry.";

  /** A new address for one notify verticle: clustered, answered by that node only. */
  public static String notifyNode() {
    return NOTIFY_NODE_PREFIX + UUID.randomUUID();
  }

  /** A new address for one socket registry: node-local, never clustered. */
  public static String socketRegistry() {
    return SOCKET_REGISTRY_PREFIX + UUID.randomUUID();
  }

  /** The address of the events of that type: each type has its own, named after it. */
  static String of(String type) {
    return "events." + type;
  }

  private EventAddress() {
  }
}
