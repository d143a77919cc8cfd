package dev.avatarservice.store;

import dev.avatarservice.bus.Failure;
import dev.avatarservice.log.LogSafe;
import io.vertx.core.eventbus.ReplyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.EnumSet;
import java.util.Set;

/**
 * Turns whatever a store operation failed with into the {@link ReplyException} that travels back.
 * SQL text and parameters never leave the store: clients get a code and a plain message, the log
 * gets the exception (whose messages carry no bound values). What passes once an operator or time
 * has fixed it (SQLite busy, read-only, full or failing; the avatar folder not writable or full) is
 * {@link Failure#UNAVAILABLE}, which clients get as 503 with {@code Retry-After}.
 */
final class StoreErrors {

  private static final Logger LOG = LoggerFactory.getLogger(StoreErrors.class);

  /** Conditions that pass by themselves: the request is worth retrying later. */
  private static final Set<SQLiteErrorCode> UNAVAILABLE = EnumSet.of(
    SQLiteErrorCode.SQLITE_BUSY, SQLiteErrorCode.SQLITE_BUSY_RECOVERY, SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT,
    SQLiteErrorCode.SQLITE_BUSY_TIMEOUT, SQLiteErrorCode.SQLITE_LOCKED, SQLiteErrorCode.SQLITE_LOCKED_SHAREDCACHE,
    SQLiteErrorCode.SQLITE_READONLY, SQLiteErrorCode.SQLITE_READONLY_DBMOVED, SQLiteErrorCode.SQLITE_READONLY_RECOVERY,
    SQLiteErrorCode.SQLITE_READONLY_CANTLOCK, SQLiteErrorCode.SQLITE_READONLY_DIRECTORY,
    SQLiteErrorCode.SQLITE_FULL, SQLiteErrorCode.SQLITE_IOERR, SQLiteErrorCode.SQLITE_CANTOPEN);

  private StoreErrors() {
  }

  static ReplyException toReply(String operation, Throwable error) {
    if (error instanceof ReplyException reply) {
      return reply;
    }
    SQLiteException sqlite = sqliteCause(error);
    if (sqlite != null && (UNAVAILABLE.contains(sqlite.getResultCode())
      || sqlite.getResultCode().name().startsWith("SQLITE_IOERR"))) {
      LOG.warn("Store unavailable during {}: {}", operation, sqlite.getResultCode());
      return Failure.UNAVAILABLE.exception("the database cannot take this request now; try again shortly");
    }
    if (Dialect.isPostgresUnavailable(error)) {
      // the SQL state only: PostgreSQL's messages may quote values
      LOG.warn("Store unavailable during {}: PostgreSQL {}", operation,
        Dialect.cause(error, org.postgresql.util.PSQLException.class).getSQLState());
      return Failure.UNAVAILABLE.exception("the database cannot take this request now; try again shortly");
    }
    if (error instanceof java.util.concurrent.RejectedExecutionException || isPoolTimeout(error)) {
      LOG.warn("Store unavailable during {}: {}", operation, LogSafe.escape(error));
      return Failure.UNAVAILABLE.exception("the database is busy; try again shortly");
    }
    IOException io = cause(error, IOException.class);
    if (io != null) {
      // the avatar folder: not writable, full, gone. Not the message: it names the file.
      LOG.warn("Store unavailable during {}: the avatar folder failed: {}", operation, describe(io));
      return Failure.UNAVAILABLE.exception("the avatar storage cannot take this request now; try again shortly");
    }
    LOG.error("Store operation {} failed", operation, LogSafe.escapeMessages(error));
    return Failure.INTERNAL.exception("internal error");
  }

  static boolean isUniqueViolation(Throwable error) {
    return Dialect.isUniqueViolation(error);
  }

  private static boolean isPoolTimeout(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLTimeoutException
        || (t instanceof java.sql.SQLException && String.valueOf(t.getMessage()).contains("Acquisition timeout"))) {
        return true;
      }
    }
    return false;
  }

  private static SQLiteException sqliteCause(Throwable error) {
    return cause(error, SQLiteException.class);
  }

  private static <T extends Throwable> T cause(Throwable error, Class<T> type) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** The kind of I/O failure without the paths: "AccessDeniedException", "FileSystemException: No space left on device". */
  private static String describe(IOException io) {
    String reason = io instanceof FileSystemException fs ? fs.getReason()
      : io.getMessage() != null && io.getMessage().indexOf('/') < 0 ? io.getMessage() : null;
    return io.getClass().getSimpleName() + (reason == null ? "" : ": " + reason);
  }
}
