package dev.avatarservice.account;

import dev.avatarservice.bus.Events;
import dev.avatarservice.bus.Field;
import dev.avatarservice.bus.NotifyClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Announces sessions the store has ended (its commit already refuses their tokens on every node) to
 * every node, whose sockets of those sessions get {@code session.ended} and close with 4401, and
 * waits for their confirmations like a deletion does: true once every node confirmed, false when
 * one did not within DELETION_CONFIRM_TIMEOUT_MS (the route then answers 202).
 */
public final class SessionEnds {

  private static final Logger LOG = LoggerFactory.getLogger(SessionEnds.class);

  private final NotifyClient notify;

  public SessionEnds(NotifyClient notify) {
    this.notify = notify;
  }

  /** {@code ended} is the store's {userId, sessionIds}; nothing ended is confirmed at once. */
  public Future<Boolean> announce(JsonObject ended) {
    String userId = ended == null ? null : ended.getString(Field.USER_ID);
    JsonArray ids = ended == null ? null : ended.getJsonArray(Field.SESSION_IDS);
    if (userId == null || ids == null || ids.isEmpty()) {
      return Future.succeededFuture(true);
    }
    List<String> sessionIds = new ArrayList<>();
    ids.forEach(id -> sessionIds.add((String) id));
    return notify.send(Events.sessionEnded(userId, sessionIds)).map(outcome -> {
      if (!outcome.complete()) {
        LOG.warn("Sessions ended, but not every node confirmed closing their sockets in time"
            + " ({} confirmed, {} gone, {} unconfirmed or not known): answering 202",
          outcome.confirmed(), outcome.gone(), outcome.unconfirmed());
      }
      return outcome.complete();
    });
  }
}
