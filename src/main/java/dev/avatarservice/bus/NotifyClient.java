package dev.avatarservice.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Announces an event that every node must act on and confirm ({@code user.deleted},
 * {@code session.ended}), and waits, for a bounded time, until every node has closed the sockets
 * concerned. It publishes the event on its address ({@link Events#address}) as any event (for every
 * consumer of it, and as a second path to the sockets), then sends it to each notify verticle
 * listed in {@link EventAddress#NOTIFY_NODES}, which answers once its node's sockets concerned have
 * been sent the event and closed (4410 for a deleted account, 4401 for an ended session).
 * <p>
 * A listed node that no longer exists (it crashed without taking its address out) answers at once
 * with {@code NO_HANDLERS}: it holds no sockets, so it counts as done. A node that does not answer
 * within the timeout, or a cluster map that does not answer, makes the outcome unconfirmed.
 */
public final class NotifyClient {

  /** How the nodes answered: closed their sockets, did not exist any more, or did not answer in time. */
  public record Outcome(int confirmed, int gone, int unconfirmed) {

    public boolean complete() {
      return unconfirmed == 0;
    }
  }

  private enum Answer { CONFIRMED, GONE, UNCONFIRMED }

  private static final Outcome UNKNOWN = new Outcome(0, 0, 1);

  private final Vertx vertx;
  private final long timeoutMillis;
  private final DeliveryOptions options;

  public NotifyClient(Vertx vertx, long timeoutMillis) {
    this.vertx = vertx;
    this.timeoutMillis = timeoutMillis;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMillis);
  }

  /** Never fails: the outcome says whether every node confirmed within the timeout. */
  public Future<Outcome> send(JsonObject event) {
    EventBus bus = vertx.eventBus();
    bus.publish(Events.address(event), event);
    return vertx.sharedData().<String, Boolean>getAsyncMap(EventAddress.NOTIFY_NODES)
      .compose(AsyncMap::keys)
      .compose(nodes -> {
        List<Future<Answer>> answers = nodes.stream()
          .map(address -> bus.request(address, event, options)
            .map(Answer.CONFIRMED)
            .otherwise(NotifyClient::answer))
          .toList();
        return Future.all(answers).map(done -> count(answers));
      })
      // the answers are bounded by the send timeout, the cluster map is not
      .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
      .otherwise(UNKNOWN);
  }

  private static Answer answer(Throwable error) {
    return error instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS
      ? Answer.GONE : Answer.UNCONFIRMED;
  }

  private static Outcome count(List<Future<Answer>> answers) {
    int confirmed = 0;
    int gone = 0;
    int unconfirmed = 0;
    for (Future<Answer> answer : answers) {
      switch (answer.result()) {
        case CONFIRMED -> confirmed++;
        case GONE -> gone++;
        case UNCONFIRMED -> unconfirmed++;
      }
    }
    return new Outcome(confirmed, gone, unconfirmed);
  }
}
