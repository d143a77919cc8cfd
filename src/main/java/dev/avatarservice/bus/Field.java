package dev.avatarservice.bus;

/** Field names of the event-bus messages; the user shape is the API's USER, field for field. */
public final class Field {

  public static final String USER_ID = "userId";
  public static final String IDENTIFIER = "identifier";
  public static final String IDENTIFIER_KEY = "identifierKey";
  /** The confusable skeleton of an identifier: no two registrations may share one. */
  public static final String IDENTIFIER_SKELETON = "identifierSkeleton";
  public static final String PASSWORD_HASH = "passwordHash";
  /** A new refresh token to store: {tokenHash, expiresAt (epoch seconds)}. */
  public static final String SESSION = "session";
  public static final String TOKEN_HASH = "tokenHash";
  /** A session's id: the {@code sid} claim of its access tokens and the family of its refresh tokens. */
  public static final String SESSION_ID = "sessionId";
  /** The ids of the sessions a request ended. */
  public static final String SESSION_IDS = "sessionIds";
  /** The session a request keeps while it ends the user's others (a password change). */
  public static final String KEEP_SESSION_ID = "keepSessionId";
  public static final String USER_AGENT = "userAgent";
  /** The sessions of a user: [SESSION without "current"]. */
  public static final String SESSIONS = "sessions";
  /** In a refresh reply: the sessions the reuse of a refresh token ended, {userId, sessionIds}. */
  public static final String ENDED = "ended";
  public static final String EXPIRES_AT = "expiresAt";
  public static final String FORMAT = "format";
  public static final String IMAGE = "image";
  public static final String VARIANTS = "variants";
  public static final String FILE = "file";
  public static final String SIZE = "size";
  public static final String CONTENT_TYPE = "contentType";
  public static final String ETAG = "etag";
  public static final String KEY = "key";
  public static final String PREFIX = "prefix";
  public static final String LIMIT = "limit";
  public static final String AFTER = "after";
  public static final String USERS = "users";
  public static final String NEXT = "next";
  public static final String DIR = "dir";
  /** The account in an avatar reply: the API's USER. */
  public static final String USER = "user";
  /** The avatar URL an avatar request replaced or removed, or null when the user had none. */
  public static final String PREVIOUS_AVATAR_URL = "previousAvatarUrl";

  // USER, as in the API
  public static final String ID = "id";
  public static final String AVATAR_URL = "avatarUrl";
  public static final String REGISTERED_AT = "registeredAt";

  // SESSION, as in the API
  public static final String CREATED_AT = "createdAt";
  public static final String LAST_USED_AT = "lastUsedAt";
  public static final String CURRENT = "current";

  // readiness: which node answers for the store, and whether it is the asking node
  public static final String HOLDER = "holder";
  public static final String LOCAL = "local";

  // events
  public static final String TYPE = "type";
  public static final String CHANGED_AT = "changedAt";

  private Field() {
  }
}
