package dev.avatarservice.notify;

import dev.avatarservice.bus.EventAddress;
import dev.avatarservice.bus.Events;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The notify verticle alone, on the bus: it passes every published event to the node's sockets
 * unchanged, and answers a confirmed deletion only once every socket registry of its node did.
 */
@ExtendWith(VertxExtension.class)
class NotifyVerticleTest {

  private static final long CONFIRM_TIMEOUT_MS = 5_000;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext context) {
    vertx.deployVerticle(new NotifyVerticle(CONFIRM_TIMEOUT_MS)).onComplete(context.succeedingThenComplete());
  }

  @Test
  void everyPublishedEventReachesTheNodesSocketsAsPublished(Vertx vertx, VertxTestContext context) {
    Instant at = Instant.parse("2026-12-05T10:00:00Z");
    Map<String, JsonObject> published = Map.of(
      EventAddress.AVATAR_CHANGED, Events.avatarChanged("u1", "http://localhost/avatars/a.jpg", at),
      EventAddress.AVATAR_REMOVED, Events.avatarRemoved("u1", at),
      EventAddress.USER_DELETED, Events.userDeleted("u1"));
    Checkpoint delivered = context.checkpoint(published.size());
    vertx.eventBus().localConsumer(EventAddress.NODE_SOCKETS, message -> context.verify(() -> {
      assertThat(published.values()).contains((JsonObject) message.body());
      delivered.flag();
    })).completion().onComplete(context.succeeding(registered ->
      published.forEach((address, event) -> vertx.eventBus().publish(address, event))));
  }

  @Test
  void aDeletionIsConfirmedOnlyOnceEverySocketRegistryOfTheNodeReplied(Vertx vertx, VertxTestContext context) {
    List<Message<JsonObject>> held = new ArrayList<>();
    AtomicBoolean secondReplied = new AtomicBoolean();
    Checkpoint bothAsked = context.checkpoint(2);
    Checkpoint confirmed = context.checkpoint();
    var registries = vertx.sharedData().<String, Boolean>getLocalMap(EventAddress.SOCKET_REGISTRIES);
    JsonObject deletion = Events.userDeleted("u2");
    for (int i = 0; i < 2; i++) {
      String address = EventAddress.socketRegistry();
      vertx.eventBus().<JsonObject>localConsumer(address, message -> context.verify(() -> {
        assertThat(message.body()).isEqualTo(deletion);
        held.add(message);
        bothAsked.flag();
        if (held.size() == 2) {
          // the first registry answers; the node must still wait for the second
          held.get(0).reply(new JsonObject());
          vertx.setTimer(200, id -> {
            secondReplied.set(true);
            held.get(1).reply(new JsonObject());
          });
        }
      }));
      registries.put(address, Boolean.TRUE);
    }
    vertx.sharedData().<String, Boolean>getAsyncMap(EventAddress.NOTIFY_NODES)
      .compose(nodes -> nodes.keys())
      .compose(nodes -> {
        assertThat(nodes).hasSize(1);
        return vertx.eventBus().request(nodes.iterator().next(), deletion);
      })
      .onComplete(context.succeeding(reply -> context.verify(() -> {
        assertThat(held).hasSize(2);
        assertThat(secondReplied).isTrue();
        confirmed.flag();
      })));
  }
}
