package dev.avatarservice.http.realtime;

import dev.avatarservice.account.AccessTokens;
import dev.avatarservice.account.AccessTokens.VerifiedToken;
import dev.avatarservice.account.InvalidTokenException;
import dev.avatarservice.bus.Events;
import dev.avatarservice.bus.Failure;
import dev.avatarservice.bus.Field;
import dev.avatarservice.bus.StoreClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * One client socket, whatever its transport: unauthenticated, then authenticated as one user
 * until its token expires, then closed. Written once over {@link RealtimeSocket}; runs entirely on
 * the event loop that owns the socket, so it needs no locks.
 * <ul>
 *   <li>Unauthenticated: only {@code auth} is taken; without a successful one within
 *   WS_AUTH_TIMEOUT the socket closes with 4401.</li>
 *   <li>Authenticated: {@code ping} is answered {@code pong}; the user's events are delivered; a
 *   new {@code auth} with a token of the same user replaces the token (and so the expiry) and is
 *   answered {@code ready}; a bad token or another user's closes with 4401. When the token held
 *   expires, the socket closes with 4401.</li>
 *   <li>Account deleted: {@code user.deleted}, then closed with 4410; also when the authentication
 *   was on its way while the deletion went through (see {@link SocketRegistry#userDeleted}).</li>
 *   <li>Session ended: {@code session.ended}, then closed with 4401; likewise.</li>
 *   <li>Closed: timers cancelled, gone from the registry; nothing more is sent.</li>
 * </ul>
 */
final class SocketSession {

  private static final Logger LOG = LoggerFactory.getLogger(SocketSession.class);

  static final String TYPE_AUTH = "auth";
  static final String TYPE_PING = "ping";
  static final String TYPE_PONG = "pong";
  static final String TYPE_READY = "ready";
  static final String TYPE_ERROR = "error";
  static final String TOKEN = "token";
  static final String MESSAGE = "message";

  private static final String PONG = new JsonObject().put(Field.TYPE, TYPE_PONG).encode();

  private enum State { UNAUTHENTICATED, AUTHENTICATED, CLOSED }

  /** What every session of one HTTP verticle instance shares. */
  record Services(Vertx vertx, AccessTokens tokens, StoreClient store, SocketRegistry registry,
                  RealtimeMetrics metrics, RealtimeSettings settings, SocketLimits limits) {
  }

  /** Messages a client may send behind its {@code auth} before the answer; more are refused. */
  private static final int MAX_QUEUED = 16;

  private final RealtimeSocket socket;
  private final Services services;
  private State state = State.UNAUTHENTICATED;
  private String userId;
  /** The session of the token the socket holds (its sid). */
  private String sessionId;
  private long authTimer = -1;
  private long expiryTimer = -1;
  private boolean authenticating;
  /** Messages that arrived while the first {@code auth} was being checked, answered after it. */
  private final List<String> queued = new ArrayList<>(0);
  /** This socket's share of its client address (null for SockJS HTTP sessions, whose binding holds it). */
  private SocketLimits.Slot addressSlot;
  /** This socket's share of its account, once authenticated. */
  private SocketLimits.Slot accountSlot;

  SocketSession(RealtimeSocket socket, Services services) {
    this.socket = socket;
    this.services = services;
  }

  /** A socket that must authenticate with its first message; {@code address} is its slot of its client address. */
  void start(SocketLimits.Slot address) {
    addressSlot = address;
    open();
    authTimer = services.vertx().setTimer(services.settings().authTimeoutMillis(), id -> {
      authTimer = -1;
      if (state == State.UNAUTHENTICATED) {
        close(CloseReason.AUTH_TIMEOUT);
      }
    });
  }

  /**
   * A socket authenticated at the handshake: {@code user} is the API's USER; the slots of its
   * address and account were taken at the handshake.
   */
  void start(SocketLimits.Slot address, VerifiedToken token, JsonObject user, SocketLimits.Slot account, long asked) {
    addressSlot = address;
    accountSlot = account;
    open();
    authenticated(token, user, asked);
  }

  private void open() {
    services.registry().opened(this);
    socket.attach(this);
  }

  // ---------------------------------------------------------------- from the transport

  /** A text message from the client. */
  void text(String text) {
    if (state == State.CLOSED) {
      return;
    }
    JsonObject message;
    try {
      message = new JsonObject(text);
    } catch (DecodeException e) {
      error("a message must be a JSON object");
      return;
    }
    if (!(message.getValue(Field.TYPE) instanceof String type)) {
      error("a message must have a string \"type\"");
      return;
    }
    if (TYPE_AUTH.equals(type)) {
      auth(message);
    } else if (state == State.UNAUTHENTICATED && authenticating) {
      // sent right behind the auth: answered once the auth is, as if they had waited for "ready"
      if (queued.size() < MAX_QUEUED) {
        queued.add(text);
      } else {
        error("too many messages before authentication completed");
      }
    } else if (state != State.AUTHENTICATED) {
      error("authenticate first: {\"type\":\"auth\",\"token\":\"<access token>\"}");
    } else if (TYPE_PING.equals(type)) {
      send(PONG);
    } else {
      error("unknown message type");
    }
  }

  void binary() {
    if (state != State.CLOSED) {
      error("binary messages are not accepted; send JSON text");
    }
  }

  void tooBig() {
    close(CloseReason.TOO_BIG);
  }

  /** The transport closed, whoever closed it. */
  void closed() {
    if (state != State.CLOSED) {
      state = State.CLOSED;
      cleanUp();
    }
  }

  /** Called every WS_PING_INTERVAL. */
  void keepAlive() {
    if (state != State.CLOSED && !socket.keepAlive()) {
      close(CloseReason.NO_PONG);
    }
  }

  // ---------------------------------------------------------------- authentication

  private void auth(JsonObject message) {
    if (!(message.getValue(TOKEN) instanceof String token)) {
      error("auth needs a string \"token\"");
      return;
    }
    if (authenticating) {
      error("authentication already in progress");
      return;
    }
    authenticating = true;
    long asked = services.registry().now();
    services.tokens().verify(token)
      .compose(verified -> services.store().user(verified.userId(), verified.sessionId()).map(user -> new Authenticated(verified, user)))
      .onComplete(done -> {
        authenticating = false;
        if (state == State.CLOSED) {
          return;
        }
        if (done.succeeded()) {
          authenticated(done.result().token(), done.result().user(), asked);
        } else {
          authFailed(done.cause());
        }
        replayQueued();
      });
  }

  private void replayQueued() {
    if (queued.isEmpty()) {
      return;
    }
    List<String> waiting = List.copyOf(queued);
    queued.clear();
    for (String text : waiting) {
      text(text);
    }
  }

  private record Authenticated(VerifiedToken token, JsonObject user) {
  }

  /** {@code asked}: when the store was asked for {@code user} (see {@link SocketRegistry#avatarEvent}). */
  private void authenticated(VerifiedToken token, JsonObject user, long asked) {
    if (state == State.AUTHENTICATED && !token.userId().equals(userId)) {
      close(CloseReason.OTHER_USER);
      return;
    }
    if (state == State.UNAUTHENTICATED && services.registry().recentlyEnded(token.sessionId())) {
      // as below, for a session that ended while this authentication was on its way
      socket.send(Events.sessionEndedMessage().encode());
      close(CloseReason.SESSION_ENDED);
      return;
    }
    if (state == State.UNAUTHENTICATED && services.registry().recentlyDeleted(token.userId())) {
      // The store vouched for the account just before it was deleted, and the deletion already
      // went through this registry: as if this socket had been open then.
      socket.send(Events.userDeleted(token.userId()).encode());
      close(CloseReason.ACCOUNT_DELETED);
      return;
    }
    if (state == State.UNAUTHENTICATED && accountSlot == null) {
      accountSlot = services.limits().tryUser(token.userId());
      if (accountSlot == null) {
        queued.clear();
        close(CloseReason.TOO_MANY_SOCKETS);
        return;
      }
    }
    if (state == State.UNAUTHENTICATED) {
      cancelAuthTimer();
      state = State.AUTHENTICATED;
      userId = token.userId();
      services.registry().authenticated(userId, this);
    }
    // a renewal may come from another session of the same user: the socket then follows that one
    sessionId = token.sessionId();
    scheduleExpiry(token.expiresAt());
    send(new JsonObject()
      .put(Field.TYPE, TYPE_READY)
      .put(Field.USER_ID, userId)
      .put(Field.AVATAR_URL, user.getValue(Field.AVATAR_URL))
      .encode());
    // on a renewal too: its ready carries the avatar as read, which an event delivered meanwhile may have replaced
    SocketRegistry.RecentEvent missed = services.registry().avatarEventSince(userId, asked);
    if (missed != null) {
      deliver(missed.text(), missed.type());
    }
  }

  private void authFailed(Throwable error) {
    if (error instanceof InvalidTokenException
      || Failure.of(error).filter(f -> f == Failure.USER_NOT_FOUND || f == Failure.SESSION_ENDED).isPresent()) {
      close(CloseReason.INVALID_TOKEN);
    } else {
      // The store did not answer: the token may be fine. The socket keeps its state (and its
      // deadline: the auth timeout, or the current token's expiry) and the client may try again.
      LOG.warn("Socket authentication could not reach the store: {}", error.getClass().getSimpleName());
      error("authentication is unavailable right now; try again");
    }
  }

  /** The socket lives until the token it holds expires, as the REST API sees it (with the leeway). */
  private void scheduleExpiry(long expiresAtEpochSeconds) {
    if (expiryTimer != -1) {
      services.vertx().cancelTimer(expiryTimer);
    }
    long delay = (expiresAtEpochSeconds + services.settings().leewaySeconds()) * 1000 - System.currentTimeMillis();
    expiryTimer = services.vertx().setTimer(Math.max(1, delay), id -> {
      expiryTimer = -1;
      close(CloseReason.TOKEN_EXPIRED);
    });
  }

  // ---------------------------------------------------------------- to the client

  /** Delivers an event (already encoded) to an authenticated socket. */
  void deliver(String event, String type) {
    if (state == State.AUTHENTICATED && send(event)) {
      services.metrics().delivered(type);
    }
  }

  /**
   * The account was deleted: sends the {@code user.deleted} event (even to a client that reads
   * slowly: it is the last message) and closes with 4410. Completes once closed (see
   * {@link RealtimeSocket#close}); at once for a socket that is not authenticated.
   */
  Future<Void> accountDeleted(String event) {
    if (state != State.AUTHENTICATED) {
      return Future.succeededFuture();
    }
    socket.send(event);
    services.metrics().delivered(Events.TYPE_USER_DELETED);
    return close(CloseReason.ACCOUNT_DELETED);
  }

  String sessionId() {
    return sessionId;
  }

  /**
   * The socket's session ended: sends {@code {"type":"session.ended"}} (the last message, even to a
   * slow reader) and closes with 4401. Completes once closed; at once when not authenticated.
   */
  Future<Void> sessionEnded(String message) {
    if (state != State.AUTHENTICATED) {
      return Future.succeededFuture();
    }
    socket.send(message);
    services.metrics().delivered(Events.TYPE_SESSION_ENDED);
    return close(CloseReason.SESSION_ENDED);
  }

  private void error(String text) {
    send(new JsonObject().put(Field.TYPE, TYPE_ERROR).put(MESSAGE, text).encode());
  }

  /**
   * Sends if the client keeps up. One whose write queue is full is closed instead: buffering
   * without bound for a client that does not read would let it pin the server's memory.
   */
  private boolean send(String message) {
    if (socket.writeQueueFull()) {
      close(CloseReason.TOO_SLOW);
      return false;
    }
    socket.send(message);
    return true;
  }

  Future<Void> close(CloseReason reason) {
    if (state == State.CLOSED) {
      return Future.succeededFuture();
    }
    state = State.CLOSED;
    cleanUp();
    return socket.close(reason.code(), reason.reason());
  }

  private void cleanUp() {
    queued.clear();
    if (addressSlot != null) {
      addressSlot.release();
    }
    if (accountSlot != null) {
      accountSlot.release();
    }
    cancelAuthTimer();
    if (expiryTimer != -1) {
      services.vertx().cancelTimer(expiryTimer);
      expiryTimer = -1;
    }
    services.registry().closed(this, userId);
  }

  private void cancelAuthTimer() {
    if (authTimer != -1) {
      services.vertx().cancelTimer(authTimer);
      authTimer = -1;
    }
  }
}
