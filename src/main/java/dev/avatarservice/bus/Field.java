package dev.avatarservice.bus;

/** Field names of the event-bus messages; the user shape is the API's USER, field for field. */
public final class Field {

  public static final String USER_ID = "userId";
  public static final String IDENTIFIER = "identifier";
  public static final String IDENTIFIER_KEY = "identifierKey";
  public static final String PASSWORD_HASH = "passwordHash";
  /** A new refresh token to store: {tokenHash, expiresAt (epoch seconds)}. */
  public static final String SESSION = "session";
  public static final String TOKEN_HASH = "tokenHash";
  public static final String EXPIRES_AT = "expiresAt";
  public static final String PNG = "png";
  public static final String FILE = "file";
  public static final String PATH = "path";
  public static final String KEY = "key";
  public static final String PREFIX = "prefix";
  public static final String LIMIT = "limit";
  public static final String AFTER = "after";
  public static final String USERS = "users";
  public static final String NEXT = "next";
  public static final String REVOKED = "revoked";
  public static final String DIR = "dir";
  /** The account in an avatar reply: the API's USER. */
  public static final String USER = "user";
  /** The avatar URL an avatar request replaced or removed, or null when the user had none. */
  public static final String PREVIOUS_AVATAR_URL = "previousAvatarUrl";

  // USER, as in the API
  public static final String ID = "id";
  public static final String AVATAR_URL = "avatarUrl";
  public static final String REGISTERED_AT = "registeredAt";

  // events
  public static final String TYPE = "type";
  public static final String CHANGED_AT = "changedAt";

  private Field() {
  }
}
