package dev.avatarservice.bus;

/**
 * Point-to-point addresses answered by the store verticle. Every request body and reply is a
 * {@link io.vertx.core.json.JsonObject} (the clustered bus carries JSON, never Java objects);
 * the fields are named in {@link Field}. A failed request is a {@link io.vertx.core.eventbus.ReplyException}
 * whose failure code is a {@link Failure}.
 */
public final class StoreAddress {

  /** {identifier, identifierKey, passwordHash, session} -> USER; IDENTIFIER_TAKEN. */
  public static final String REGISTER = "store.account.register";
  /** {identifierKey} -> {userId, passwordHash}; UNKNOWN_IDENTIFIER. */
  public static final String CREDENTIALS = "store.account.credentials";
  /** {userId, session, passwordHash?} -> USER: opens a login (a new refresh-token family); USER_NOT_FOUND. */
  public static final String LOGIN = "store.session.open";
  /** {tokenHash, session} -> USER: rotates a refresh token in one statement; INVALID_REFRESH_TOKEN. */
  public static final String REFRESH = "store.session.rotate";
  /** {tokenHash, userId?} -> {}: revokes the family of that token (of that user, when given). */
  public static final String REVOKE = "store.session.revoke";
  /** {userId} -> USER; USER_NOT_FOUND. */
  public static final String USER = "store.user.get";
  /**
   * {userId} -> {}: the account, its refresh tokens and its avatar files are gone; USER_NOT_FOUND;
   * UNAVAILABLE when the avatar file could not be deleted (the account is then kept, for a retry).
   */
  public static final String DELETE_USER = "store.user.delete";
  /**
   * {userId, png (the finished PNG)} -> {user: USER with the new avatarUrl, previousAvatarUrl: the
   * replaced one or null}; the previous file is gone when this answers; USER_NOT_FOUND.
   */
  public static final String SET_AVATAR = "store.avatar.set";
  /**
   * {userId} -> {user: USER with avatarUrl null, previousAvatarUrl: the removed one, or null when there
   * was none}; the file is gone when this answers; USER_NOT_FOUND.
   */
  public static final String REMOVE_AVATAR = "store.avatar.remove";
  /** {file} -> {path}: where an avatar file lives, for nodes that serve it; NOT_FOUND. */
  public static final String AVATAR_FILE = "store.avatar.file";
  /** {} -> {key}: the token signing key generated and kept by the store when none is configured. */
  public static final String SIGNING_KEY = "store.signing-key";
  /**
   * {prefix, limit, after?} -> {users: [USER...], next: cursor or null}: accounts whose identifier
   * starts with the prefix (case-insensitively), in identifier order, a page at a time; {@code after}
   * is the {@code next} of the previous page (opaque).
   */
  public static final String LIST_USERS = "store.admin.users";
  /** {userId} -> {revoked: count}: revokes every refresh token of the user (log out everywhere); USER_NOT_FOUND. */
  public static final String REVOKE_USER = "store.session.revoke-user";
  /**
   * {dir} -> {directory, database, avatars, users, avatarFiles}: a consistent copy of the database and of the
   * avatar files it names, in a new folder under {@code dir}; UNAVAILABLE when it cannot be written.
   */
  public static final String BACKUP = "store.admin.backup";
  /** {} -> {}: answered once the database answers; the readiness probe. */
  public static final String PING = "store.ping";

  private static final String LOCAL_PREFIX = "local.";

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
