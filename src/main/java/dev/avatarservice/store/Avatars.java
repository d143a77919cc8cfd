package dev.avatarservice.store;

import dev.avatarservice.bus.AvatarNames;
import dev.avatarservice.bus.Failure;
import dev.avatarservice.bus.Field;
import dev.avatarservice.image.ImageFormat;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Which avatar each user has ({@code users.avatar_file}, the avatar's name; its variants follow
 * the name), kept in step with where their bytes live ({@link AvatarStorage}), and the bytes served
 * from there. In the database (PostgreSQL) the bytes are written and deleted in the transaction that
 * points the row, so every outcome is safe at once. In a folder (SQLite):
 *
 * <p>The order makes every outcome safe. A new file is written completely (under a new name) before
 * any row can point at it; one transaction then reads the old name and points the row at the new
 * one; the old file is deleted only after that commit. Of two uploads racing for one user, the
 * transactions run one after the other, and the second deletes the file of the first as "old": one
 * current file remains, and it exists. When the transaction fails, or the user is gone by then, the
 * new file is deleted and the row never pointed at it. A crash between two steps, or a deletion that
 * fails, leaves at worst a file no row names, which {@link #prepare()} removes at the next start and
 * {@link #sweep(long)} once it is old enough.
 */
final class Avatars {

  private static final Logger LOG = LoggerFactory.getLogger(Avatars.class);

  private final Pool pool;
  private final Dialect dialect;
  private final UserRows rows;
  private final UserCache cache;
  private final AvatarStorage files;
  /** Told a user id after each commit that changed its avatar, before the answer: every node's cache forgets it. */
  private final Function<String, Future<Void>> changed;

  Avatars(Pool pool, Dialect dialect, UserRows rows, UserCache cache, AvatarStorage files,
          Function<String, Future<Void>> changed) {
    this.pool = pool;
    this.dialect = dialect;
    this.rows = rows;
    this.cache = cache;
    this.files = files;
    this.changed = changed;
  }

  /** {userId, format, image, variants} -> {user, previousAvatarUrl}. */
  Future<JsonObject> set(JsonObject request) {
    String userId = request.getString(Field.USER_ID);
    String format = request.getString(Field.FORMAT);
    byte[] image = request.getBinary(Field.IMAGE);
    JsonObject sized = request.getJsonObject(Field.VARIANTS, new JsonObject());
    Map<Integer, byte[]> variants = new TreeMap<>();
    boolean valid = userId != null && ("jpg".equals(format) || "png".equals(format)) && isFormat(format, image);
    for (String key : sized.fieldNames()) {
      byte[] bytes = sized.getBinary(key);
      Integer size = parseSize(key);
      valid &= size != null && isFormat(format, bytes);
      if (size != null) {
        variants.put(size, bytes);
      }
    }
    if (!valid) {
      LOG.error("Refused an avatar request without a user id or JPEG/PNG bytes: the caller has a bug");
      return Future.failedFuture(Failure.INTERNAL.exception("internal error"));
    }
    return files.stage(format, image, variants).compose(name -> point(userId, name, tx -> files.attach(tx, name, image, variants))
      .recover(error -> files.discard(name).transform(deleted -> Future.failedFuture(error))));
  }

  /**
   * {file, size?} -> {image, contentType, etag, userId}: only the avatar an account points at (not
   * a file of a replaced avatar, whatever is left in the folder); NOT_FOUND otherwise.
   */
  Future<JsonObject> serve(JsonObject request) {
    String file = request.getString(Field.FILE);
    int size = request.getInteger(Field.SIZE, 0);
    if (!AvatarNames.isAvatar(file)) {
      return Future.failedFuture(Failure.NOT_FOUND.exception("no such avatar"));
    }
    return pool.preparedQuery("SELECT id FROM users WHERE avatar_file = ?").execute(Tuple.of(file))
      .compose(found -> {
        Row row = Accounts.first(found);
        if (row == null) {
          return Future.failedFuture(Failure.NOT_FOUND.exception("no such avatar"));
        }
        String userId = row.getString("id");
        return files.read(pool, file, size).compose(read -> read
          .map(entry -> Future.succeededFuture(new JsonObject()
            .put(Field.IMAGE, entry.getValue())
            .put(Field.CONTENT_TYPE, AvatarNames.contentType(entry.getKey()))
            .put(Field.ETAG, etag(entry.getKey()))
            .put(Field.USER_ID, userId)))
          .orElseGet(() -> Future.failedFuture(Failure.NOT_FOUND.exception("no such avatar"))));
      });
  }

  /** {userId} -> {user, previousAvatarUrl}. */
  Future<JsonObject> remove(JsonObject request) {
    return point(request.getString(Field.USER_ID), null, tx -> Future.succeededFuture());
  }

  /**
   * Creates the folder if missing, then removes the files in it that no row names and temporary
   * leftovers: run once at start, before any request can write a file.
   */
  Future<Void> prepare() {
    return files.prepare(this::namesInUse).map(removed -> {
      if (removed > 0) {
        LOG.info("Removed {} avatar files that no account points at", removed);
      }
      return null;
    });
  }

  /**
   * The same sweep while requests run, for the files whose deletion failed since the start (a
   * replaced avatar, the new file of an upload whose account was deleted meanwhile): only files
   * last modified before {@code modifiedBefore}, so that no upload in progress can lose its file
   * between writing it and pointing its row at it.
   */
  Future<Integer> sweep(long modifiedBefore) {
    return files.sweep(this::namesInUse, modifiedBefore);
  }

  /** The names rows point at: read before the folder is listed (see {@link AvatarFiles#sweep}). */
  private Future<Set<String>> namesInUse() {
    return pool.query("SELECT avatar_file FROM users WHERE avatar_file IS NOT NULL").execute()
      .map(result -> {
        Set<String> current = new HashSet<>();
        for (Row row : result) {
          current.add(row.getString("avatar_file"));
        }
        return current;
      });
  }

  /**
   * Points the user's row at {@code file} (or at none), with {@code attach} in the same transaction,
   * then deletes the avatar it pointed at before (in the transaction where the bytes are the database's).
   */
  private Future<JsonObject> point(String userId, String file, Function<SqlClient, Future<Void>> attach) {
    return pool.withTransaction(tx -> attach.apply(tx).compose(attached -> tx
        // locked: of two uploads, the second reads the first's avatar as the one it replaces
        .preparedQuery("SELECT avatar_file FROM users WHERE id = ?" + dialect.forUpdate()).execute(Tuple.of(userId))
        .compose(found -> {
          Row row = Accounts.first(found);
          if (row == null) {
            return Future.failedFuture(Failure.USER_NOT_FOUND.exception("the account does not exist"));
          }
          String previous = row.getString("avatar_file");
          return tx.preparedQuery("UPDATE users SET avatar_file = ? WHERE id = ? RETURNING " + UserRows.COLUMNS)
            .execute(Tuple.tuple().addValue(file).addString(userId))
            .compose(updated -> files.detach(tx, previous).map(new Moved(rows.toUser(Accounts.first(updated)), previous)));
        })))
      // forgotten, not replaced: two uploads' completions need not arrive in their commits' order
      .transform(done -> {
        cache.forget(userId);
        // on a failure too: a COMMIT whose answer was lost may have gone through
        return changed.apply(userId).transform(told -> done.succeeded()
          ? Future.succeededFuture(done.result()) : Future.<Moved>failedFuture(done.cause()));
      })
      .compose(moved -> files.release(moved.previous()).map(deleted -> new JsonObject()
        .put(Field.USER, moved.user())
        .put(Field.PREVIOUS_AVATAR_URL, moved.previous() == null ? null : rows.avatarUrl(moved.previous()))));
  }

  /** The file name without its extension: unique to these bytes, since names are never reused. */
  private static String etag(String fileName) {
    return "\"" + fileName.substring(0, fileName.lastIndexOf('.')) + "\"";
  }

  private static boolean isFormat(String format, byte[] bytes) {
    ImageFormat expected = "png".equals(format) ? ImageFormat.PNG : ImageFormat.JPEG;
    return bytes != null && bytes.length > ImageFormat.SNIFF_LENGTH && ImageFormat.sniff(bytes).orElse(null) == expected;
  }

  private static Integer parseSize(String key) {
    try {
      int size = Integer.parseInt(key);
      return size >= 1 && size <= 4096 ? size : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private record Moved(JsonObject user, String previous) {
  }
}
