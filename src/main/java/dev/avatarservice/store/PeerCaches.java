package dev.avatarservice.store;

import dev.avatarservice.bus.Field;
import dev.avatarservice.bus.StoreAddress;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The caches of the other stores of a PostgreSQL cluster (see {@link StoreAddress#STORE_NODES}): a
 * change this store committed is forgotten by every other store before this one answers, so that
 * no node serves an account or a session as it was before a change that has been answered.
 *
 * <p>Every store lists its own address in the cluster-wide map and answers it by forgetting what it
 * is told. {@link #forget} asks every other listed store and waits for all of them, for a bounded
 * time: a store that no longer exists (killed: its address is still listed, or its node not yet
 * declared dead) answers {@code NO_HANDLERS} at once or not at all; its cache died with it, so
 * either way the change is answered, at the latest after the timeout, and the dead address is taken
 * off the map. A live store that does not answer in time is logged; its copy expires after
 * STORE_USER_CACHE_SECONDS. Never fails: the change is committed whatever the caches answer.
 */
final class PeerCaches {

  private static final Logger LOG = LoggerFactory.getLogger(PeerCaches.class);

  private final Vertx vertx;
  private final long timeoutMillis;
  private final DeliveryOptions options;
  private final String self = StoreAddress.cacheNode();
  private MessageConsumer<JsonObject> consumer;

  PeerCaches(Vertx vertx, long timeoutMillis) {
    this.vertx = vertx;
    this.timeoutMillis = timeoutMillis;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMillis);
  }

  /** Answers this store's address with {@code forget(userId, sessionIds)}, then lists it. */
  Future<Void> start(BiConsumer<String, List<String>> forget) {
    consumer = vertx.eventBus().consumer(self, message -> {
      JsonObject body = message.body();
      List<String> sessionIds = new ArrayList<>();
      JsonArray ids = body.getJsonArray(Field.SESSION_IDS);
      if (ids != null) {
        ids.forEach(id -> sessionIds.add(String.valueOf(id)));
      }
      forget.accept(body.getString(Field.USER_ID), sessionIds);
      message.reply(new JsonObject());
    });
    return consumer.completion()
      .compose(registered -> map())
      .compose(map -> map.put(self, Boolean.TRUE));
  }

  /** Takes this store off the map, then stops answering. */
  Future<Void> stop() {
    if (consumer == null) {
      return Future.succeededFuture();
    }
    return map().compose(map -> map.remove(self)).<Void>mapEmpty()
      .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
      .otherwiseEmpty()
      .eventually(() -> consumer.unregister());
  }

  /** Every other store forgets the user (when not null) and the sessions; completes once they all answered. */
  Future<Void> forget(String userId, List<String> sessionIds) {
    JsonObject body = new JsonObject().put(Field.USER_ID, userId)
      .put(Field.SESSION_IDS, new JsonArray(new ArrayList<Object>(sessionIds)));
    return map()
      .compose(map -> map.keys().compose(addresses -> {
        List<Future<Void>> answers = new ArrayList<>();
        for (String address : addresses) {
          if (!address.equals(self)) {
            answers.add(vertx.eventBus().request(address, body, options).<Void>mapEmpty()
              .recover(error -> gone(map, address, error)));
          }
        }
        return Future.join(answers).<Void>mapEmpty();
      }))
      // the answers are bounded by the send timeout, the cluster map is not
      .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
      .recover(error -> {
        LOG.warn("Not every store confirmed forgetting a change in time ({}): their copies expire after"
          + " STORE_USER_CACHE_SECONDS", error.getClass().getSimpleName());
        return Future.succeededFuture();
      });
  }

  private Future<Void> gone(AsyncMap<String, Boolean> map, String address, Throwable error) {
    if (error instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS) {
      // a store that died without taking its address out: nothing of it to forget
      return map.remove(address).<Void>mapEmpty().otherwiseEmpty();
    }
    return Future.failedFuture(error);
  }

  private Future<AsyncMap<String, Boolean>> map() {
    return vertx.sharedData().getAsyncMap(StoreAddress.STORE_NODES);
  }
}
