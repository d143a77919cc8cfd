package dev.avatarservice.bus;

import java.util.UUID;

/**
 * Point-to-point addresses answered by the store verticle. Every request body and reply is a
 * {@link io.vertx.core.json.JsonObject} (the clustered bus carries JSON, never Java objects);
 * the fields are named in {@link Field}. A failed request is a {@link io.vertx.core.eventbus.ReplyException}
 * whose failure code is a {@link Failure}.
 */
public final class StoreAddress {

  /**
   * {identifier, identifierKey, passwordHash, session} -> USER; IDENTIFIER_TAKEN. The session is
   * {tokenHash, expiresAt, sessionId, userAgent}: the new session and its first refresh token.
   */
  public static final String REGISTER = "store.account.register";
  /** {identifierKey} -> {userId, passwordHash}; UNKNOWN_IDENTIFIER. */
  public static final String CREDENTIALS = "store.account.credentials";
  /** {userId, session, passwordHash?} -> USER: opens a login (a new refresh-token family); USER_NOT_FOUND. */
  public static final String OPEN_SESSION = "store.session.open";
  /**
   * {tokenHash, session} -> {user: USER, sessionId}: rotates a refresh token in one statement;
   * INVALID_REFRESH_TOKEN. A token that was already used ends its whole session (reuse detection,
   * no grace period), committed before the answer, which is then {ended: {userId, sessionIds}}: the
   * caller announces the ended session and refuses the request.
   */
  public static final String REFRESH = "store.session.rotate";
  /**
   * Ends sessions, committed before the answer: their rows and refresh tokens are gone, so their
   * access tokens fail {@link #USER} on every node. One of: {tokenHash, userId?} the session of that
   * refresh token (of that user, when given; none is no failure); {userId, sessionId} that session
   * of that user (NOT_FOUND); {userId, keepSessionId?} every session of the user (but that one).
   * Answers {userId, sessionIds} (userId null when nothing ended).
   */
  public static final String END_SESSIONS = "store.session.end";
  /** {userId} -> {sessions: [{id, createdAt, lastUsedAt, userAgent}]}, newest first. */
  public static final String SESSIONS = "store.session.list";
  /**
   * {userId, passwordHash, keepSessionId, session} -> {user: USER, userId, sessionIds}: the new hash,
   * every other session ended, and the kept session's refresh tokens replaced by the new one, in one
   * transaction; USER_NOT_FOUND, SESSION_ENDED when the kept session ended meanwhile.
   */
  public static final String CHANGE_PASSWORD = "store.account.password";
  /**
   * {userId, sessionId?} -> USER; USER_NOT_FOUND; SESSION_ENDED when a session is given and it has
   * ended, is not that user's, or is older than SESSION_MAX_AGE.
   */
  public static final String USER = "store.user.get";
  /**
   * {userId} -> {}: the account, its refresh tokens and its avatar files are gone; USER_NOT_FOUND;
   * UNAVAILABLE when the avatar file could not be deleted (the account is then kept, for a retry).
   */
  public static final String DELETE_USER = "store.user.delete";
  /**
   * {userId, format ("jpg" or "png"), image (the finished avatar), variants: {"64": bytes, ...}} ->
   * {user: USER with the new avatarUrl, previousAvatarUrl: the replaced one or null}; the previous
   * files are gone when this answers; USER_NOT_FOUND.
   */
  public static final String SET_AVATAR = "store.avatar.set";
  /**
   * {userId} -> {user: USER with avatarUrl null, previousAvatarUrl: the removed one, or null when there
   * was none}; the file is gone when this answers; USER_NOT_FOUND.
   */
  public static final String REMOVE_AVATAR = "store.avatar.remove";
  /**
   * {file (an avatar name), size (optional: the smallest variant at least this large, or the
   * avatar)} -> {image (the bytes), contentType, etag (the strong ETag, quoted), userId (whose
   * avatar it is, so that caches can forget it with the account's events)}; NOT_FOUND when no
   * account has that avatar.
   */
  public static final String AVATAR_FILE = "store.avatar.file";
  /** {} -> {key}: the token signing key generated and kept by the store when none is configured. */
  public static final String SIGNING_KEY = "store.signing-key";
  /**
   * {prefix, limit, after?} -> {users: [USER...], next: cursor or null}: accounts whose identifier
   * starts with the prefix (case-insensitively), in identifier order, a page at a time; {@code after}
   * is the {@code next} of the previous page (opaque).
   */
  public static final String LIST_USERS = "store.admin.users";
  /**
   * {dir} -> {directory, database, avatars, users, avatarFiles}: a consistent copy of the database and of the
   * avatar files it names, in a new folder under {@code dir}; UNAVAILABLE when it cannot be written;
   * NOT_SUPPORTED on PostgreSQL, whose backups are {@code pg_dump}'s (avatars included: they are rows).
   */
  public static final String BACKUP = "store.admin.backup";
  /** {} -> {}: answered once the database answers; the readiness probe. */
  public static final String PING = "store.ping";

  private static final String LOCAL_PREFIX = "local.";

  /*
   * Caches of the stores of a PostgreSQL cluster (every node runs the store role). Each store keeps
   * the accounts and sessions it read (UserCache, SessionCache); a change committed by one store must
   * be forgotten by every other before that store answers, else another node could still serve the
   * old account or the ended session:
   *
   *   changing store --request--> CACHE_NODE of each other store (cluster-wide AsyncMap STORE_NODES)
   *   other store: forgets the user and the sessions named, then replies {}
   *
   * Request body {userId?, sessionIds?}; reply {}. A listed store that no longer exists answers
   * NO_HANDLERS (its cache is gone with it; its address is taken off the map), one that does not
   * answer within the timeout is logged, and its entries expire after STORE_USER_CACHE_SECONDS.
   */

  /**
   * Cluster-wide {@code AsyncMap} whose keys are the {@link #cacheNode()} addresses of the running
   * store verticles on PostgreSQL (one per node); each puts its own in at start and takes it out at stop.
   */
  public static final String STORE_NODES = "avatar-service.store-nodes";

  private static final String CACHE_NODE_PREFIX = "store.cache.node.";

  /** A new address for one store's caches: clustered, answered by that store only. */
  public static String cacheNode() {
    return CACHE_NODE_PREFIX + UUID.randomUUID();
  }

  /**
   * The node-local twin of a store address, answered only by the store verticle of the same node
   * (never clustered): a node that runs the store role asks its own store, instead of having its
   * requests round-robined over every store in the cluster.
   */
  public static String local(String address) {
    return LOCAL_PREFIX + address;
  }

  private StoreAddress() {
  }
}
