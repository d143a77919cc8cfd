package dev.avatarservice.notify;

import dev.avatarservice.bus.EventAddress;
import dev.avatarservice.bus.Failure;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The node's single cluster-facing consumer of the published events (one instance per node). It
 * holds no sockets: it republishes each event, unchanged and local only, to
 * {@link EventAddress#NODE_SOCKETS}, where every HTTP verticle instance of this node delivers it to
 * the sockets it holds. So the cluster sees one consumer per node and address, however many
 * sockets the node serves (a clustered consumer per socket would flood the cluster's registry).
 * <p>
 * It also answers the confirmed events of {@link dev.avatarservice.bus.NotifyClient} ({@code user.deleted},
 * {@code session.ended}): on an address of its own, listed in the cluster-wide
 * {@link EventAddress#NOTIFY_NODES} while it runs, it passes the event to each socket registry of
 * its node ({@link EventAddress#SOCKET_REGISTRIES}) and replies once all of them replied, that is
 * once every socket concerned on this node has been sent the event and closed.
 */
public final class NotifyVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(NotifyVerticle.class);

  /** The events that sockets receive; their bodies are the client messages, forwarded verbatim. */
  static final List<String> EVENTS = List.of(EventAddress.AVATAR_CHANGED, EventAddress.AVATAR_REMOVED,
    EventAddress.USER_DELETED, EventAddress.SESSION_ENDED);

  private final String address = EventAddress.notifyNode();
  private final long confirmTimeoutMs;
  private AsyncMap<String, Boolean> nodes;

  /**
   * @param confirmTimeoutMs how long a confirmed deletion waits for each socket registry of this
   *                         node (DELETION_CONFIRM_TIMEOUT_MS)
   */
  public NotifyVerticle(long confirmTimeoutMs) {
    this.confirmTimeoutMs = confirmTimeoutMs;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    DeliveryOptions localOnly = new DeliveryOptions().setLocalOnly(true);
    DeliveryOptions registryOptions = new DeliveryOptions().setLocalOnly(true)
      .setSendTimeout(confirmTimeoutMs);
    List<Future<Void>> registered = new ArrayList<>();
    for (String event : EVENTS) {
      MessageConsumer<Object> consumer = bus.consumer(event,
        message -> bus.publish(EventAddress.NODE_SOCKETS, message.body(), localOnly));
      registered.add(consumer.completion());
    }
    MessageConsumer<JsonObject> deletions = bus.consumer(address, message -> closeSockets(message, registryOptions));
    registered.add(deletions.completion());
    // Listed only once the consumer is registered, so a listed address of a live node always answers.
    return Future.all(registered)
      .compose(done -> vertx.sharedData().<String, Boolean>getAsyncMap(EventAddress.NOTIFY_NODES))
      .compose(map -> {
        nodes = map;
        return map.put(address, Boolean.TRUE);
      });
  }

  /** Unlisted first: a deletion that read the list before gets NO_HANDLERS once the consumer is gone. */
  @Override
  public Future<?> stop() {
    return nodes == null ? Future.succeededFuture() : nodes.remove(address);
  }

  /** Asks every socket registry of this node; replies {} once each replied or no longer exists. */
  private void closeSockets(Message<JsonObject> message, DeliveryOptions options) {
    EventBus bus = vertx.eventBus();
    List<Future<Object>> closed = new ArrayList<>();
    for (String registry : vertx.sharedData().<String, Boolean>getLocalMap(EventAddress.SOCKET_REGISTRIES).keySet()) {
      closed.add(bus.request(registry, message.body(), options)
        .<Object>map(reply -> null)
        .recover(error -> gone(error) ? Future.succeededFuture() : Future.failedFuture(error)));
    }
    Future.all(closed).onComplete(done -> {
      if (done.succeeded()) {
        message.reply(new JsonObject());
      } else {
        LOG.warn("A socket registry did not confirm an event: {}", done.cause().toString());
        message.fail(Failure.UNCONFIRMED.code(), "a socket registry did not confirm");
      }
    });
  }

  /** A registry that is gone (its HTTP verticle stopped) holds no sockets. */
  private static boolean gone(Throwable error) {
    return error instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS;
  }
}
