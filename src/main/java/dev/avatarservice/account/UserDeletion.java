package dev.avatarservice.account;

import dev.avatarservice.bus.StoreClient;
import dev.avatarservice.bus.Events;
import dev.avatarservice.bus.NotifyClient;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes an account ({@code DELETE /api/user}): first the store deletes the avatar file, the row
 * and with it every refresh token (see the store's {@code AccountDeletion} for the order that makes
 * a failure retryable); only then is the deletion announced to every node, whose sockets of that
 * user get {@code user.deleted} and close with 4410.
 * <p>
 * From the store's commit on, every access token of the user is refused everywhere, because every
 * authenticated request and socket authentication asks the store for the account (see
 * {@link dev.avatarservice.http.BearerAuth}); nothing else needs to be told.
 */
public final class UserDeletion {

  private static final Logger LOG = LoggerFactory.getLogger(UserDeletion.class);

  private final StoreClient store;
  private final NotifyClient broadcast;

  public UserDeletion(StoreClient store, NotifyClient broadcast) {
    this.store = store;
    this.broadcast = broadcast;
  }

  /**
   * Deletes the account, then waits (for DELETION_CONFIRM_TIMEOUT_MS at most) until every node
   * confirmed that it closed the user's sockets. Fails as the store fails (the account is then
   * still there, whole or without its avatar file, and a retry finishes the deletion); otherwise
   * answers whether every node confirmed.
   * <p>
   * When a node does not confirm in time, the account is gone all the same and cannot come back, so
   * answering an error would be wrong (and a retry would only meet 401); but answering 200 would
   * promise what the contract ties to 200: that every socket is closed. The route answers 202
   * instead: deleted, the closing of sockets still under way. Those sockets close when the published
   * event reaches their node, and at the latest when their access token expires, since no new
   * token can be had for a deleted account.
   */
  public Future<Boolean> delete(String userId) {
    return store.deleteUser(userId)
      .compose(deleted -> broadcast.send(Events.userDeleted(userId)))
      .map(outcome -> {
        if (!outcome.complete()) {
          LOG.warn("Account deleted, but not every node confirmed closing its sockets in time"
              + " ({} confirmed, {} gone, {} unconfirmed or not known): answering 202",
            outcome.confirmed(), outcome.gone(), outcome.unconfirmed());
        }
        return outcome.complete();
      });
  }
}
