package dev.avatarservice.notify;

import dev.avatarservice.bus.EventAddress;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.ArrayList;
import java.util.List;

/**
 * The node's single cluster-facing consumer of the published events (one instance per node). It
 * holds no sockets: it republishes each event, unchanged and local only, to
 * {@link EventAddress#NODE_SOCKETS}, where every HTTP verticle instance of this node delivers it to
 * the sockets it holds. So the cluster sees one consumer per node and address, however many
 * sockets the node serves (a clustered consumer per socket would flood the cluster's registry).
 */
public final class NotifyVerticle extends VerticleBase {

  /** The events that sockets receive; their bodies are the client messages, forwarded verbatim. */
  static final List<String> EVENTS = List.of(EventAddress.AVATAR_CHANGED, EventAddress.AVATAR_REMOVED,
    EventAddress.USER_DELETED);

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    DeliveryOptions localOnly = new DeliveryOptions().setLocalOnly(true);
    List<Future<Void>> registered = new ArrayList<>();
    for (String address : EVENTS) {
      MessageConsumer<Object> consumer = bus.consumer(address,
        message -> bus.publish(EventAddress.NODE_SOCKETS, message.body(), localOnly));
      registered.add(consumer.completion());
    }
    return Future.all(registered);
  }
}
