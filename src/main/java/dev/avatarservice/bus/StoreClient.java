package dev.avatarservice.bus;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * The store verticle's requests as typed calls, so that callers never spell an address or a field.
 * Replies are the API shapes (USER) or small JSON objects; failures are {@link Failure}s.
 */
public final class StoreClient {

  private final EventBus bus;
  private final DeliveryOptions options;
  private final boolean sameNode;

  /** A client of whichever node runs the store role. */
  public StoreClient(EventBus bus, long timeoutMillis) {
    this(bus, timeoutMillis, false);
  }

  /**
   * A client of this node's own store when {@code sameNode} (the node runs the store role), else of
   * whichever node runs it.
   */
  public StoreClient(EventBus bus, long timeoutMillis, boolean sameNode) {
    this.bus = bus;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMillis);
    this.sameNode = sameNode;
  }

  public Future<JsonObject> register(String identifier, String identifierKey, String passwordHash, JsonObject session) {
    return request(StoreAddress.REGISTER, new JsonObject()
      .put(Field.IDENTIFIER, identifier)
      .put(Field.IDENTIFIER_KEY, identifierKey)
      .put(Field.PASSWORD_HASH, passwordHash)
      .put(Field.SESSION, session));
  }

  public Future<JsonObject> credentials(String identifierKey) {
    return request(StoreAddress.CREDENTIALS, new JsonObject().put(Field.IDENTIFIER_KEY, identifierKey));
  }

  /** Opens a login; {@code rehashedPassword} replaces the stored hash when not null. */
  public Future<JsonObject> login(String userId, JsonObject session, String rehashedPassword) {
    return request(StoreAddress.LOGIN, new JsonObject()
      .put(Field.USER_ID, userId)
      .put(Field.SESSION, session)
      .put(Field.PASSWORD_HASH, rehashedPassword));
  }

  public Future<JsonObject> refresh(String tokenHash, JsonObject newSession) {
    return request(StoreAddress.REFRESH, new JsonObject()
      .put(Field.TOKEN_HASH, tokenHash)
      .put(Field.SESSION, newSession));
  }

  /** Revokes the login that token belongs to; limited to {@code userId}'s logins when not null. */
  public Future<JsonObject> revoke(String tokenHash, String userId) {
    return request(StoreAddress.REVOKE, new JsonObject()
      .put(Field.TOKEN_HASH, tokenHash)
      .put(Field.USER_ID, userId));
  }

  public Future<JsonObject> user(String userId) {
    return request(StoreAddress.USER, new JsonObject().put(Field.USER_ID, userId));
  }

  public Future<JsonObject> deleteUser(String userId) {
    return request(StoreAddress.DELETE_USER, new JsonObject().put(Field.USER_ID, userId));
  }

  public Future<JsonObject> setAvatar(String userId, byte[] png) {
    return request(StoreAddress.SET_AVATAR, new JsonObject().put(Field.USER_ID, userId).put(Field.PNG, png));
  }

  public Future<JsonObject> removeAvatar(String userId) {
    return request(StoreAddress.REMOVE_AVATAR, new JsonObject().put(Field.USER_ID, userId));
  }

  public Future<JsonObject> avatarFile(String file) {
    return request(StoreAddress.AVATAR_FILE, new JsonObject().put(Field.FILE, file));
  }

  public Future<String> signingKey() {
    return request(StoreAddress.SIGNING_KEY, new JsonObject()).map(reply -> reply.getString(Field.KEY));
  }

  /** A page of accounts by identifier prefix; {@code after} is the previous page's {@code next}, or null. */
  public Future<JsonObject> listUsers(String prefix, int limit, String after) {
    return request(StoreAddress.LIST_USERS, new JsonObject()
      .put(Field.PREFIX, prefix).put(Field.LIMIT, limit).put(Field.AFTER, after));
  }

  /** Revokes every refresh token of the user; answers how many were still good. */
  public Future<Integer> revokeUserTokens(String userId) {
    return request(StoreAddress.REVOKE_USER, new JsonObject().put(Field.USER_ID, userId))
      .map(reply -> reply.getInteger(Field.REVOKED));
  }

  /** A consistent copy of the database and its avatar files into a new folder under {@code dir}. */
  public Future<JsonObject> backup(String dir, long timeoutMillis) {
    return bus.<JsonObject>request(sameNode ? StoreAddress.local(StoreAddress.BACKUP) : StoreAddress.BACKUP,
      new JsonObject().put(Field.DIR, dir), new DeliveryOptions().setSendTimeout(timeoutMillis)).map(Message::body);
  }

  public Future<JsonObject> ping() {
    return request(StoreAddress.PING, new JsonObject());
  }

  /** A new refresh token for the store: only its hash travels, never the token. */
  public static JsonObject session(String tokenHash, long expiresAtEpochSeconds) {
    return new JsonObject().put(Field.TOKEN_HASH, tokenHash).put(Field.EXPIRES_AT, expiresAtEpochSeconds);
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return bus.<JsonObject>request(sameNode ? StoreAddress.local(address) : address, body, options).map(Message::body);
  }
}
