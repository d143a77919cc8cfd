package dev.avatarservice.bus;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

import java.util.Map;

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

  /** A new account; fails with IDENTIFIER_TAKEN when the key or the skeleton is taken. */
  public Future<JsonObject> register(String identifier, String identifierKey, String identifierSkeleton,
                                     String passwordHash, JsonObject session) {
    return request(StoreAddress.REGISTER, new JsonObject()
      .put(Field.IDENTIFIER, identifier)
      .put(Field.IDENTIFIER_KEY, identifierKey)
      .put(Field.IDENTIFIER_SKELETON, identifierSkeleton)
      .put(Field.PASSWORD_HASH, passwordHash)
      .put(Field.SESSION, session));
  }

  public Future<JsonObject> credentials(String identifierKey) {
    return request(StoreAddress.CREDENTIALS, new JsonObject().put(Field.IDENTIFIER_KEY, identifierKey));
  }

  /** Opens a login; {@code rehashedPassword} replaces the stored hash when not null. */
  public Future<JsonObject> openSession(String userId, JsonObject session, String rehashedPassword) {
    return request(StoreAddress.OPEN_SESSION, new JsonObject()
      .put(Field.USER_ID, userId)
      .put(Field.SESSION, session)
      .put(Field.PASSWORD_HASH, rehashedPassword));
  }

  public Future<JsonObject> refresh(String tokenHash, JsonObject newSession) {
    return request(StoreAddress.REFRESH, new JsonObject()
      .put(Field.TOKEN_HASH, tokenHash)
      .put(Field.SESSION, newSession));
  }

  /** Ends the session that refresh token belongs to; of {@code userId} only when not null: {userId, sessionIds}. */
  public Future<JsonObject> endSessionOf(String tokenHash, String userId) {
    return request(StoreAddress.END_SESSIONS, new JsonObject()
      .put(Field.TOKEN_HASH, tokenHash)
      .put(Field.USER_ID, userId));
  }

  /** Ends that session of that user (NOT_FOUND when it is not one): {userId, sessionIds}. */
  public Future<JsonObject> endSession(String userId, String sessionId) {
    return request(StoreAddress.END_SESSIONS, new JsonObject()
      .put(Field.USER_ID, userId)
      .put(Field.SESSION_ID, sessionId));
  }

  /** Ends every session of the user, but {@code keepSessionId} when not null: {userId, sessionIds}. */
  public Future<JsonObject> endSessions(String userId, String keepSessionId) {
    return request(StoreAddress.END_SESSIONS, new JsonObject()
      .put(Field.USER_ID, userId)
      .put(Field.KEEP_SESSION_ID, keepSessionId));
  }

  public Future<JsonObject> sessions(String userId) {
    return request(StoreAddress.SESSIONS, new JsonObject().put(Field.USER_ID, userId));
  }

  /** {user, userId, sessionIds}: the new hash, the other sessions ended, {@code session} the kept one's token. */
  public Future<JsonObject> changePassword(String userId, String passwordHash, String keepSessionId, JsonObject session) {
    return request(StoreAddress.CHANGE_PASSWORD, new JsonObject()
      .put(Field.USER_ID, userId)
      .put(Field.PASSWORD_HASH, passwordHash)
      .put(Field.KEEP_SESSION_ID, keepSessionId)
      .put(Field.SESSION, session));
  }

  /** The account, whatever its sessions (tools and tests; requests check their session). */
  public Future<JsonObject> user(String userId) {
    return user(userId, null);
  }

  /** The account; with a session id, only while that session of that account is live. */
  public Future<JsonObject> user(String userId, String sessionId) {
    return request(StoreAddress.USER, new JsonObject().put(Field.USER_ID, userId).put(Field.SESSION_ID, sessionId));
  }

  public Future<JsonObject> deleteUser(String userId) {
    return request(StoreAddress.DELETE_USER, new JsonObject().put(Field.USER_ID, userId));
  }

  /**
   * @param format {@code jpg} or {@code png}
   * @param variants the smaller renderings by size, same format
   */
  public Future<JsonObject> setAvatar(String userId, String format, byte[] image, Map<Integer, byte[]> variants) {
    JsonObject sized = new JsonObject();
    variants.forEach((size, bytes) -> sized.put(Integer.toString(size), bytes));
    return request(StoreAddress.SET_AVATAR, new JsonObject().put(Field.USER_ID, userId).put(Field.FORMAT, format)
      .put(Field.IMAGE, image).put(Field.VARIANTS, sized));
  }

  public Future<JsonObject> removeAvatar(String userId) {
    return request(StoreAddress.REMOVE_AVATAR, new JsonObject().put(Field.USER_ID, userId));
  }

  /** The bytes of an avatar, or of its smallest variant of at least {@code size} (0: the avatar itself). */
  public Future<JsonObject> avatarFile(String file, int size) {
    return request(StoreAddress.AVATAR_FILE, new JsonObject().put(Field.FILE, file).put(Field.SIZE, size));
  }

  public Future<String> signingKey() {
    return request(StoreAddress.SIGNING_KEY, new JsonObject()).map(reply -> reply.getString(Field.KEY));
  }

  /** A page of accounts by identifier prefix; {@code after} is the previous page's {@code next}, or null. */
  public Future<JsonObject> listUsers(String prefix, int limit, String after) {
    return request(StoreAddress.LIST_USERS, new JsonObject()
      .put(Field.PREFIX, prefix).put(Field.LIMIT, limit).put(Field.AFTER, after));
  }

  /** A consistent copy of the database and its avatar files into a new folder under {@code dir}. */
  public Future<JsonObject> backup(String dir, long timeoutMillis) {
    return request(StoreAddress.BACKUP, new JsonObject().put(Field.DIR, dir),
      new DeliveryOptions().setSendTimeout(timeoutMillis)).map(Message::body);
  }

  /**
   * {holder, local}: the store answers; {@code holder} is the cluster address of the node serving
   * it (null when not clustered), {@code local} whether that is this node.
   */
  public Future<JsonObject> ping() {
    if (!sameNode) {
      return request(StoreAddress.PING, new JsonObject()).map(reply -> holder(reply, false));
    }
    return bus.<JsonObject>request(StoreAddress.local(StoreAddress.PING), new JsonObject(), options)
      .map(reply -> holder(reply.body(), true))
      .recover(error -> error instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS
        ? bus.<JsonObject>request(StoreAddress.PING, new JsonObject(), options).map(other -> holder(other.body(), false))
        : Future.failedFuture(error));
  }

  private static JsonObject holder(JsonObject reply, boolean local) {
    return new JsonObject().put(Field.HOLDER, reply.getString(Field.HOLDER)).put(Field.LOCAL, local);
  }

  /** A new refresh token for the store: only its hash travels, never the token. */
  public static JsonObject session(String tokenHash, long expiresAtEpochSeconds) {
    return new JsonObject().put(Field.TOKEN_HASH, tokenHash).put(Field.EXPIRES_AT, expiresAtEpochSeconds);
  }

  /** A new session (a login) with its first refresh token. */
  public static JsonObject newSession(String sessionId, String userAgent, String tokenHash, long expiresAtEpochSeconds) {
    return session(tokenHash, expiresAtEpochSeconds).put(Field.SESSION_ID, sessionId).put(Field.USER_AGENT, userAgent);
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return request(address, body, options).map(Message::body);
  }

  /**
   * This node's own store first when it runs the store role; while it does not serve (a standby, or
   * a holder that was fenced) nobody consumes the node-local address, and the request goes to
   * whichever node serves the cluster address.
   */
  private Future<Message<JsonObject>> request(String address, JsonObject body, DeliveryOptions delivery) {
    if (!sameNode) {
      return bus.request(address, body, delivery);
    }
    return bus.<JsonObject>request(StoreAddress.local(address), body, delivery)
      .recover(error -> error instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS
        ? bus.request(address, body, delivery)
        : Future.failedFuture(error));
  }
}
