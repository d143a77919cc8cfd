package dev.avatarservice.http.realtime;

import dev.avatarservice.bus.EventAddress;
import dev.avatarservice.bus.Events;
import dev.avatarservice.bus.Failure;
import dev.avatarservice.bus.Field;
import dev.avatarservice.http.AvatarCache;
import io.vertx.core.Future;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * This instance's share of the node's events: one local consumer of {@link EventAddress#NODE_SOCKETS},
 * fed by the node's notify verticle, delivers each event to the sockets of its user here; a second,
 * on an address listed in {@link EventAddress#SOCKET_REGISTRIES} while it runs, answers the
 * confirmed events ({@code user.deleted}, {@code session.ended}) once the sockets concerned here
 * have been sent the event and closed, within a bounded wait.
 */
final class NodeFanOut {

  private static final Logger LOG = LoggerFactory.getLogger(NodeFanOut.class);

  private final Vertx vertx;
  private final SocketRegistry registry;
  private final long closeGraceMillis;
  /** This registry's address for confirmed deletions, listed in {@link EventAddress#SOCKET_REGISTRIES}. */
  private final String deletionAddress = EventAddress.socketRegistry();
  /** The deletions under way here, by user: a second request for the same user waits for the first. */
  private final Map<String, Future<Void>> closing = new HashMap<>();
  private MessageConsumer<Object> events;
  private MessageConsumer<JsonObject> deletions;

  /** @param closeGraceMillis how long a confirmation waits for the clients to answer the close frames */
  NodeFanOut(Vertx vertx, SocketRegistry registry, long closeGraceMillis) {
    this.vertx = vertx;
    this.registry = registry;
    this.closeGraceMillis = closeGraceMillis;
  }

  /** Completes once both consumers are registered and this registry is listed for the notify verticle. */
  Future<Void> start() {
    events = vertx.eventBus().localConsumer(EventAddress.NODE_SOCKETS, this::deliver);
    deletions = vertx.eventBus().localConsumer(deletionAddress, this::confirm);
    return Future.all(events.completion(), deletions.completion())
      .onSuccess(registered -> registries().put(deletionAddress, Boolean.TRUE))
      .mapEmpty();
  }

  /** Unlisted at once; completes once both consumers are unregistered. */
  Future<Void> stop() {
    registries().remove(deletionAddress);
    return Future.all(
        events == null ? Future.succeededFuture() : events.unregister(),
        deletions == null ? Future.succeededFuture() : deletions.unregister())
      .mapEmpty();
  }

  private LocalMap<String, Boolean> registries() {
    return vertx.sharedData().getLocalMap(EventAddress.SOCKET_REGISTRIES);
  }

  /** An event for this node's sockets: written, as published, to each socket of its user here. */
  private void deliver(Message<Object> message) {
    if (!(message.body() instanceof JsonObject event)
      || !(event.getValue(Field.USER_ID) instanceof String userId)
      || !(event.getValue(Field.TYPE) instanceof String type)) {
      LOG.warn("Ignored a malformed event on {}", EventAddress.NODE_SOCKETS);
      return;
    }
    if (Events.TYPE_USER_DELETED.equals(type)) {
      closeSocketsOf(userId, event.encode());
      return;
    }
    if (Events.TYPE_SESSION_ENDED.equals(type)) {
      closeSessions(userId, event);
      return;
    }
    String text = event.encode();
    registry.avatarEvent(userId, text, type);
    for (SocketSession session : registry.sessionsOf(userId)) {
      session.deliver(text, type);
    }
  }

  /**
   * A confirmed event from the node's notify verticle: replies {} once this instance's sockets
   * concerned have been sent {@code user.deleted} (all of the user's) or {@code session.ended}
   * (those of the ended sessions) and closed.
   */
  private void confirm(Message<JsonObject> message) {
    JsonObject event = message.body();
    if (event == null || !(event.getValue(Field.USER_ID) instanceof String userId)
      || !(Events.TYPE_USER_DELETED.equals(event.getValue(Field.TYPE)) || Events.TYPE_SESSION_ENDED.equals(event.getValue(Field.TYPE)))) {
      LOG.warn("Ignored a malformed event on a socket registry");
      message.fail(Failure.INTERNAL.code(), "malformed event");
      return;
    }
    boolean deleted = Events.TYPE_USER_DELETED.equals(event.getValue(Field.TYPE));
    if (deleted) {
      // this node serves the account's avatar no more once it confirms
      AvatarCache.forgetUser(vertx, userId);
    }
    Future<Void> closed = deleted ? closeSocketsOf(userId, event.encode()) : closeSessions(userId, event);
    closed.onComplete(done -> message.reply(new JsonObject()));
  }

  /**
   * Sends {@code session.ended} to every socket here of those sessions of that user and closes them
   * with 4401, bounded like {@link #closeSocketsOf}; the same event arriving twice (published, and
   * asked by the notify verticle) waits for the first.
   */
  private Future<Void> closeSessions(String userId, JsonObject event) {
    if (!(event.getValue(Field.SESSION_IDS) instanceof JsonArray ids)) {
      return Future.succeededFuture();
    }
    Set<String> ended = new HashSet<>();
    ids.forEach(id -> {
      if (id instanceof String sid) {
        ended.add(sid);
        registry.sessionEnded(sid);
      }
    });
    String message = Events.sessionEndedMessage().encode();
    List<Future<Void>> closes = new ArrayList<>();
    String key = "sessions:" + userId;
    Future<Void> earlier = closing.get(key);
    if (earlier != null) {
      closes.add(earlier);
    }
    for (SocketSession session : registry.sessionsOf(userId)) {
      if (ended.contains(session.sessionId())) {
        closes.add(session.sessionEnded(message));
      }
    }
    return bounded(key, closes);
  }

  /**
   * Sends {@code user.deleted} to every socket of that user here and closes them with 4410. The
   * close frames are written at once; the returned future waits for the clients to answer them, so
   * that "closed" means received wherever the client is reachable, but for {@code closeGraceMillis}
   * at most, so that one client that does not answer cannot hold up a deletion. The same deletion
   * arrives twice (published, and asked by the notify verticle): the second waits for the first.
   */
  private Future<Void> closeSocketsOf(String userId, String event) {
    registry.userDeleted(userId);
    List<Future<Void>> closes = new ArrayList<>();
    Future<Void> earlier = closing.get(userId);
    if (earlier != null) {
      closes.add(earlier);
    }
    for (SocketSession session : registry.sessionsOf(userId)) {
      closes.add(session.accountDeleted(event));
    }
    return bounded(userId, closes);
  }

  /** Completes once every close completed, or after {@code closeGraceMillis}; remembered under {@code key} meanwhile. */
  private Future<Void> bounded(String key, List<Future<Void>> closes) {
    if (closes.isEmpty()) {
      return Future.succeededFuture();
    }
    Timer grace = vertx.timer(closeGraceMillis, TimeUnit.MILLISECONDS);
    Future<Void> bounded = Future.any(Future.join(closes).otherwiseEmpty(), grace).mapEmpty();
    closing.put(key, bounded);
    bounded.onComplete(done -> {
      grace.cancel();
      closing.remove(key, bounded);
    });
    return bounded;
  }
}
