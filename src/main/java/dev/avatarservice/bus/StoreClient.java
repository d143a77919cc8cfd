package dev.avatarservice.bus;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * The store verticle's requests as typed calls, so that callers never spell an address or a field.
 * Replies are the API shapes (USER) or small JSON objects; failures are {@link Failure}s.
 */
public final class StoreClient {

  private final EventBus bus;
  private final DeliveryOptions options;

  public StoreClient(EventBus bus, long timeoutMillis) {
    this.bus = bus;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMillis);
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

  public Future<JsonObject> ping() {
    return request(StoreAddress.PING, new JsonObject());
  }

  /** A new refresh token for the store: only its hash travels, never the token. */
  public static JsonObject session(String tokenHash, long expiresAtEpochSeconds) {
    return new JsonObject().put(Field.TOKEN_HASH, tokenHash).put(Field.EXPIRES_AT, expiresAtEpochSeconds);
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return bus.<JsonObject>request(address, body, options).map(Message::body);
  }
}
