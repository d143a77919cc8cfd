package dev.avatarservice.store;

import dev.avatarservice.bus.AvatarNames;
import dev.avatarservice.bus.Failure;
import dev.avatarservice.bus.Field;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * An online backup ({@code POST /admin/backup}): a copy of the database by SQLite's
 * {@code VACUUM INTO} (a consistent, compacted snapshot, taken while the service keeps reading) and
 * a copy of every avatar file that snapshot names, in a new folder
 * {@code <BACKUP_DIR>/avatar-service-<UTC time>/} holding {@code avatar-service.db} and {@code avatars/}.
 *
 * <p>Consistency: the store has one database connection, which every write goes through. The backup
 * holds that connection from before the snapshot until the last file is copied, so no row can point
 * at a new file or stop pointing at an old one meanwhile: the files the snapshot names are the files
 * the rows name. An account deletion removes its file before its row (see {@link AccountDeletion}),
 * so a named file can vanish during the copy; that account's avatar is cleared in the copy, which
 * then names no file it does not hold (the account was being deleted at that instant anyway).
 * Requests wait for the connection while the backup runs: milliseconds for a small database,
 * about the time of copying the data for a large one.
 */
final class Backup {

  private static final Logger LOG = LoggerFactory.getLogger(Backup.class);
  static final String DATABASE_FILE = "avatar-service.db";
  static final String AVATARS_FOLDER = "avatars";
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
    .withZone(ZoneOffset.UTC);

  private final Vertx vertx;
  private final Database database;
  private final AvatarFiles files;
  private final Clock clock;

  Backup(Vertx vertx, Database database, AvatarFiles files, Clock clock) {
    this.vertx = vertx;
    this.database = database;
    this.files = files;
    this.clock = clock;
  }

  /** {dir} -> {directory, database, avatars, users, avatarFiles}; UNAVAILABLE when it cannot be written. */
  Future<JsonObject> run(JsonObject request) {
    Path root = Path.of(request.getString(Field.DIR)).toAbsolutePath().normalize();
    Path target = root.resolve("avatar-service-" + STAMP.format(clock.instant()));
    return database.pool().getConnection().compose(held -> vertx.executeBlocking(() -> copy(target), false)
        .eventually(held::close))
      .recover(error -> {
        LOG.warn("Backup into {} failed: {}", root, error.toString());
        return Future.failedFuture(Failure.UNAVAILABLE.exception("the backup could not be written: "
          + (error instanceof IOException ? "cannot write into BACKUP_DIR" : "the database copy failed")));
      });
  }

  /** Blocking, on a worker, while the pool's connection is held. */
  private JsonObject copy(Path target) throws IOException, SQLException {
    Path avatars = target.resolve(AVATARS_FOLDER);
    Files.createDirectories(avatars);
    Path databaseCopy = target.resolve(DATABASE_FILE);
    try (Connection connection = database.connectDirectly();
         PreparedStatement vacuum = connection.prepareStatement("VACUUM INTO ?")) {
      vacuum.setString(1, databaseCopy.toString());
      vacuum.execute();
    }
    int users;
    List<String> missing = new ArrayList<>();
    int copied = 0;
    try (Connection copy = java.sql.DriverManager.getConnection("jdbc:sqlite:" + databaseCopy)) {
      try (Statement statement = copy.createStatement();
           ResultSet count = statement.executeQuery("SELECT count(*) FROM users")) {
        users = count.getInt(1);
      }
      try (Statement statement = copy.createStatement();
           ResultSet named = statement.executeQuery("SELECT avatar_file FROM users WHERE avatar_file IS NOT NULL")) {
        while (named.next()) {
          String name = named.getString(1);
          if (!AvatarNames.isAvatar(name)) {
            missing.add(name);
            continue;
          }
          try {
            Files.copy(files.dir().resolve(name), avatars.resolve(name));
            copied++;
          } catch (NoSuchFileException gone) {
            missing.add(name);
            continue;
          }
          for (String variant : files.filesOf(name).subList(1, files.filesOf(name).size())) {
            try {
              Files.copy(files.dir().resolve(variant), avatars.resolve(variant));
              copied++;
            } catch (NoSuchFileException older) {
              // an avatar uploaded before variants existed has none: it is served at every size
            }
          }
        }
      }
      for (String name : missing) {
        try (PreparedStatement clear = copy.prepareStatement("UPDATE users SET avatar_file = NULL WHERE avatar_file = ?")) {
          clear.setString(1, name);
          clear.executeUpdate();
        }
      }
    }
    LOG.info("Backup written: {} accounts, {} avatar files", users, copied);
    return new JsonObject()
      .put("directory", target.toString())
      .put("database", databaseCopy.toString())
      .put("avatars", avatars.toString())
      .put("users", users)
      .put("avatarFiles", copied);
  }
}
