package dev.avatarservice.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The signing key of a single node that has no JWT_SECRET: kept in JWT_SECRET_FILE (by default
 * {@code jwt-secret.key} beside the database file), readable by its owner only, never in the
 * database, so that a copy of the database alone cannot mint tokens. Made once, on the first ask;
 * a key that an earlier version kept in the database is moved into the file (and out of the
 * database), so that the tokens it signed stay good. A database in memory gets a key in memory: a
 * throw-away database, throw-away tokens. File work runs on a worker.
 */
final class SecretFile {

  private static final Logger LOG = LoggerFactory.getLogger(SecretFile.class);
  static final String DEFAULT_NAME = "jwt-secret.key";
  private static final String LEGACY_SETTING = "jwt-signing-key";

  private final Vertx vertx;
  private final Pool pool;
  private final Path file;
  private final SecureRandom random;
  /** Only a single node makes a key: in a cluster every node must be given the same one. */
  private final boolean mayCreate;
  private Future<String> key;

  SecretFile(Vertx vertx, Pool pool, StoreSettings config, SecureRandom random) {
    this.vertx = vertx;
    this.pool = pool;
    this.file = path(config);
    this.random = random;
    this.mayCreate = !config.clustered();
  }

  /** Where the key lives: JWT_SECRET_FILE, else beside the database file; null for a database in memory. */
  static Path path(StoreSettings config) {
    String configured = config.secretFile();
    if (!configured.isEmpty()) {
      return Path.of(configured);
    }
    if (Database.IN_MEMORY.equals(config.dbPath())) {
      return null;
    }
    Path parent = Path.of(config.dbPath()).toAbsolutePath().getParent();
    return parent == null ? Path.of(DEFAULT_NAME) : parent.resolve(DEFAULT_NAME);
  }

  /** The key (its text is the key material); the same answer to every ask. Runs on the store's loop. */
  Future<String> key() {
    if (key == null) {
      key = pool.query("SELECT value FROM settings WHERE name = '" + LEGACY_SETTING + "'").execute()
        .compose(rows -> {
          Row row = Accounts.first(rows);
          String stored = row == null ? null : row.getString("value");
          return vertx.executeBlocking(() -> readOrCreate(stored), false)
            .compose(text -> stored == null ? Future.succeededFuture(text)
              : pool.withTransaction(tx -> tx.query("DELETE FROM settings WHERE name = '" + LEGACY_SETTING + "'").execute())
                .onSuccess(deleted -> LOG.info("Moved the signing key from the database into {}", file == null ? "memory" : file))
                .map(text));
        });
      key.onFailure(error -> key = null);
    }
    return key;
  }

  private String readOrCreate(String legacy) throws IOException {
    String fresh = legacy != null ? legacy : HexFormat.of().formatHex(randomBytes());
    if (file == null) {
      return fresh;
    }
    if (Files.exists(file)) {
      return read(file);
    }
    if (!mayCreate) {
      throw new IOException("JWT_SECRET_FILE " + file + " does not exist: in a cluster every node must be given the same key");
    }
    try {
      Path created;
      try {
        created = Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException notPosix) {
        created = Files.createFile(file);
      }
      Files.writeString(created, fresh + "\n", StandardCharsets.UTF_8, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
      LOG.info("Generated a signing key into {} (owner-only)", file);
      return fresh;
    } catch (FileAlreadyExistsException raced) {
      return read(file);
    }
  }

  /** The key material of a secret file: its text without surrounding white space. */
  static String read(Path path) throws IOException {
    String text = Files.readString(path, StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      throw new IOException("the signing key file " + path + " is empty");
    }
    return text;
  }

  private byte[] randomBytes() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return bytes;
  }
}
