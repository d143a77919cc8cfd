package dev.avatarservice.store;

import dev.avatarservice.bus.Failure;
import dev.avatarservice.bus.Field;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

/**
 * Deletes an account: its avatar file, then its row, and with the row every refresh token it was
 * ever issued ({@code refresh_tokens.user_id ... ON DELETE CASCADE}, with {@code foreign_keys} on).
 *
 * <p>The order makes every failure retryable by the same request:
 * <ol>
 *   <li>read the file the row points at (none: {@code USER_NOT_FOUND});</li>
 *   <li>delete that file, while the row still exists. If that fails, the request fails
 *   ({@code UNAVAILABLE}) and the account is untouched, its tokens still work, and a retry
 *   starts over;</li>
 *   <li>delete the row, in one statement, <em>only if it still points at the file just deleted</em>.
 *   If an upload (or an avatar removal) moved the row to another file between 1 and 3, the
 *   statement deletes nothing and the steps run again for the new file; after a few such rounds
 *   the request fails with {@code UNAVAILABLE}, the account intact.</li>
 * </ol>
 * So the row is never deleted while it names a file that exists, and nothing is left to do after
 * the commit: when this answers, the account, its refresh tokens and its avatar files are gone.
 * An upload that points its row at a new file after step 3 finds no row and deletes its own file
 * ({@link Avatars}); if even that deletion fails, or the process dies between two steps, what is
 * left is a file no row names, which the sweep removes. Two deletions of one account may run
 * interleaved: both delete the same file (deleting a missing file succeeds), one deletes the row,
 * the other finds no row and fails with {@code USER_NOT_FOUND}.
 */
final class AccountDeletion {

  private static final Logger LOG = LoggerFactory.getLogger(AccountDeletion.class);
  /** Rounds of steps 1 to 3 before giving up; each extra round needs an avatar change racing this one. */
  static final int MAX_ROUNDS = 10;

  private final Pool pool;
  private final Dialect dialect;
  private final AvatarStorage files;
  private final UserCache cache;
  /** Told the user id after the deletion, before the answer: every node's cache forgets it. */
  private final Function<String, Future<Void>> deleted;

  AccountDeletion(Pool pool, Dialect dialect, AvatarStorage files, UserCache cache, Function<String, Future<Void>> deleted) {
    this.pool = pool;
    this.dialect = dialect;
    this.files = files;
    this.cache = cache;
    this.deleted = deleted;
  }

  /** {userId} -> {}; USER_NOT_FOUND, UNAVAILABLE. */
  Future<JsonObject> delete(JsonObject request) {
    String userId = request.getString(Field.USER_ID);
    if (userId == null) {
      LOG.error("Refused an account deletion without a user id: the caller has a bug");
      return Future.failedFuture(Failure.INTERNAL.exception("internal error"));
    }
    return round(userId, 1);
  }

  private Future<JsonObject> round(String userId, int round) {
    return pool.preparedQuery("SELECT avatar_file FROM users WHERE id = ?").execute(Tuple.of(userId))
      .compose(found -> {
        Row row = Accounts.first(found);
        if (row == null) {
          return Future.failedFuture(Failure.USER_NOT_FOUND.exception("the account does not exist"));
        }
        String file = row.getString("avatar_file");
        return removeFile(file)
          // In a transaction, so that it is committed when it answers: see Accounts on autocommit.
          .compose(removed -> pool.withTransaction(tx -> tx.preparedQuery("DELETE FROM users WHERE id = ? AND avatar_file "
              + dialect.nullSafeEquals() + " ?")
            .execute(Tuple.tuple().addString(userId).addValue(file))
            // where the bytes live in the database, they go with the row
            .compose(gone -> (gone.rowCount() == 1 ? files.detach(tx, file) : Future.<Void>succeededFuture())
              .map(gone.rowCount()))))
          // Whatever the outcome (committed, raced, unknown), the next lookup reads the row, here and
          // (for an unknown one: a COMMIT whose answer was lost may have gone through) on the other stores.
          .onComplete(done -> cache.forget(userId))
          .recover(error -> deleted.apply(userId).transform(told -> Future.<Integer>failedFuture(error)))
          .compose(count -> {
            if (count == 1) {
              return deleted.apply(userId).map(new JsonObject());
            }
            if (round < MAX_ROUNDS) {
              return round(userId, round + 1);
            }
            LOG.warn("Account deletion gave up after {} rounds of concurrent avatar changes", round);
            return Future.failedFuture(Failure.UNAVAILABLE.exception(
              "the account's avatar keeps changing; nothing was deleted, try again"));
          });
      });
  }

  private Future<Void> removeFile(String file) {
    return files.removeBefore(file).recover(error -> {
      // Not the message: it names the file, whose name is a capability.
      LOG.warn("Account deletion could not delete the avatar file; the account is kept: {}", error.getClass().getName());
      return Future.failedFuture(Failure.UNAVAILABLE.exception(
        "the avatar file could not be deleted; the account is unchanged, try again shortly"));
    });
  }
}
