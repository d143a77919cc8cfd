package dev.avatarservice.store;

import dev.avatarservice.bus.AvatarNames;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Avatars in the PostgreSQL database ({@code avatar_images}: one row per size, 0 for the avatar
 * itself), written in the transaction that points the account at them and deleted in the one that
 * points it away, so a name a row holds always has its bytes, and no bytes outlive their row: there
 * is nothing to sweep. Every node of a cluster serves every avatar from the same table.
 */
final class AvatarTable implements AvatarStorage {

  private final SecureRandom random;

  AvatarTable(SecureRandom random) {
    this.random = random;
  }

  @Override
  public Future<Integer> prepare(Supplier<Future<Set<String>>> namesInUse) {
    return Future.succeededFuture(0);
  }

  @Override
  public Future<Integer> sweep(Supplier<Future<Set<String>>> namesInUse, long modifiedBefore) {
    return Future.succeededFuture(0);
  }

  @Override
  public Future<String> stage(String extension, byte[] image, Map<Integer, byte[]> variants) {
    return Future.succeededFuture(AvatarFiles.newName(random, extension));
  }

  @Override
  public Future<Void> attach(SqlClient tx, String name, byte[] image, Map<Integer, byte[]> variants) {
    Future<Void> chain = insert(tx, name, 0, image);
    for (Map.Entry<Integer, byte[]> variant : variants.entrySet()) {
      chain = chain.compose(done -> insert(tx, name, variant.getKey(), variant.getValue()));
    }
    return chain;
  }

  private static Future<Void> insert(SqlClient tx, String name, int size, byte[] bytes) {
    // byte[], not a Buffer: the JDBC client would bind a Buffer as a Blob, which PostgreSQL's driver
    // makes a large object; a byte[] is bound as bytea
    return tx.preparedQuery("INSERT INTO avatar_images (name, size, content) VALUES (?, ?, ?)")
      .execute(Tuple.of(name, size).addValue(bytes)).mapEmpty();
  }

  @Override
  public Future<Void> discard(String name) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> detach(SqlClient tx, String name) {
    return name == null ? Future.succeededFuture()
      : tx.preparedQuery("DELETE FROM avatar_images WHERE name = ?").execute(Tuple.of(name)).mapEmpty();
  }

  @Override
  public Future<Void> release(String name) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> removeBefore(String name) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Optional<Map.Entry<String, byte[]>>> read(SqlClient client, String name, int size) {
    if (!AvatarNames.isAvatar(name)) {
      return Future.succeededFuture(Optional.empty());
    }
    // the smallest variant at least that large, else the avatar itself (size 0, sorted last)
    return client.preparedQuery("SELECT size, content FROM avatar_images WHERE name = ? AND (size >= ? OR size = 0)"
        + " ORDER BY size = 0, size LIMIT 1")
      .execute(Tuple.of(name, size > 0 ? size : Integer.MAX_VALUE))
      .map(rows -> {
        Row row = Accounts.first(rows);
        if (row == null) {
          return Optional.empty();
        }
        int stored = row.getInteger("size");
        Object content = row.getValue("content");
        byte[] bytes = content instanceof Buffer buffer ? buffer.getBytes() : (byte[]) content;
        return Optional.of(Map.entry(stored == 0 ? name : AvatarNames.variant(name, stored), bytes));
      });
  }
}
