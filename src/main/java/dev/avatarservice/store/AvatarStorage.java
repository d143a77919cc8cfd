package dev.avatarservice.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Where the bytes of avatars live: a folder beside an SQLite database ({@link AvatarFiles}), or the
 * PostgreSQL database itself ({@link AvatarTable}), so that no node of a cluster needs a shared folder.
 * {@link Avatars} and {@link AccountDeletion} call it at each step of a change of avatar: before the
 * transaction that points a row at an avatar (or away from it), in that transaction, and after it.
 * A folder does its work outside the transaction (files first, rows after: a name that a row holds
 * always exists); the database does it inside, so the row and the bytes commit together.
 */
interface AvatarStorage {

  /** Before any request: whatever must exist, and no leftovers of an earlier run. */
  Future<Integer> prepare(Supplier<Future<Set<String>>> namesInUse);

  /** While requests run: leftovers older than {@code modifiedBefore} (epoch ms) go. */
  Future<Integer> sweep(Supplier<Future<Set<String>>> namesInUse, long modifiedBefore);

  /** Before the transaction: a new name (never reused) for these bytes, written already if they live outside it. */
  Future<String> stage(String extension, byte[] image, Map<Integer, byte[]> variants);

  /** In the transaction that points a row at {@code name}: the bytes, if they live in the database. */
  Future<Void> attach(SqlClient tx, String name, byte[] image, Map<Integer, byte[]> variants);

  /** After that transaction failed: what {@link #stage} wrote outside it. */
  Future<Void> discard(String name);

  /** In the transaction that stops pointing at {@code name}: its bytes, if they live in the database. */
  Future<Void> detach(SqlClient tx, String name);

  /** After that commit: the bytes outside the database, best effort (a failure is left to the sweep). */
  Future<Void> release(String name);

  /**
   * Before a row that points at {@code name} is deleted: the bytes outside the database, failing when
   * they cannot be deleted (see {@link AccountDeletion}). A null name is nothing to do.
   */
  Future<Void> removeBefore(String name);

  /**
   * The bytes of the smallest size of {@code name} that fits {@code size} or more (the avatar
   * itself when no variant is that large, or for size 0), with the file name of that size (its
   * extension gives the type, its name the ETag); empty when the avatar is not there.
   */
  Future<Optional<Map.Entry<String, byte[]>>> read(SqlClient client, String name, int size);
}
