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
  /** {} -> {}: answered once the database answers; the readiness probe. */
  public static final String PING = "store.ping";

  private StoreAddress() {
  }
}
