package dev.avatarservice.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.postgresql.util.PSQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * What differs between the two databases, in one place: the rest of the store's SQL (with {@code ?}
 * placeholders, {@code RETURNING}, {@code LIMIT}) runs unchanged on both through JDBC.
 */
enum Dialect {

  /**
   * One writer: a transaction takes the write lock when it begins ({@code BEGIN IMMEDIATE}), so
   * whatever it read stays true until it commits, and nothing else is needed to serialise writers.
   */
  SQLITE("sqlite", "BEGIN IMMEDIATE", "IS", ""),

  /**
   * Many writers, on several nodes, under READ COMMITTED: a check-then-insert needs a lock of its
   * own ({@link #lockSkeleton}); a conditional UPDATE needs none (the loser waits for the winner's
   * row lock, then re-reads the row and no longer matches).
   */
  POSTGRESQL("postgresql", "BEGIN", "IS NOT DISTINCT FROM", " FOR UPDATE");

  /** The first key of the advisory locks of look-alike identifiers (the second is the skeleton's hash). */
  static final int SKELETON_LOCKS = 17;

  private final String migrations;
  private final String begin;
  private final String nullSafeEquals;
  private final String forUpdate;

  Dialect(String migrations, String begin, String nullSafeEquals, String forUpdate) {
    this.migrations = migrations;
    this.begin = begin;
    this.nullSafeEquals = nullSafeEquals;
    this.forUpdate = forUpdate;
  }

  static Dialect of(StoreSettings settings) {
    return settings.postgres() ? POSTGRESQL : SQLITE;
  }

  /** The folder of this database's migration scripts, under {@code db/migration/}. */
  String migrations() {
    return migrations;
  }

  /** The statement that opens a transaction (see {@link ExplicitTransactions}). */
  String begin() {
    return begin;
  }

  /**
   * The end of a SELECT whose rows the transaction goes on to change from what it read: on
   * PostgreSQL the rows are locked ({@code FOR UPDATE}), so that a concurrent transaction reads them
   * only after this one commits; SQLite's transactions are serialised already.
   */
  String forUpdate() {
    return forUpdate;
  }

  /** {@code column <op> ?} that is true when both are NULL too. */
  String nullSafeEquals() {
    return nullSafeEquals;
  }

  /**
   * Makes the registrations of one confusable skeleton wait for each other until their transactions
   * end, so that the look-up of a look-alike and the insert are one step on every node. SQLite's
   * {@code BEGIN IMMEDIATE} has done so already.
   */
  Future<Void> lockSkeleton(SqlClient tx, String skeleton) {
    if (this == SQLITE) {
      return Future.succeededFuture();
    }
    // the lock function returns void, which the JDBC client cannot map: count it instead
    return tx.preparedQuery("SELECT count(*) FROM (SELECT pg_advisory_xact_lock(" + SKELETON_LOCKS
        + ", hashtext(?))) AS locked")
      .execute(Tuple.of(skeleton)).mapEmpty();
  }

  /** A unique or primary key was violated: the identifier is taken. */
  static boolean isUniqueViolation(Throwable error) {
    SQLiteException sqlite = cause(error, SQLiteException.class);
    if (sqlite != null) {
      return sqlite.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
        || sqlite.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY;
    }
    PSQLException postgres = cause(error, PSQLException.class);
    return postgres != null && "23505".equals(postgres.getSQLState());
  }

  /**
   * PostgreSQL failures that pass by themselves: the server gone or restarting (08, 57P), out of
   * resources (53), a deadlock or serialisation failure (40), a lock or statement timeout (55P03,
   * 57014), read-only (25006).
   */
  static boolean isPostgresUnavailable(Throwable error) {
    PSQLException postgres = cause(error, PSQLException.class);
    String state = postgres == null ? null : postgres.getSQLState();
    if (state == null) {
      return postgres != null;
    }
    return state.startsWith("08") || state.startsWith("53") || state.startsWith("57P") || state.startsWith("40")
      || "55P03".equals(state) || "57014".equals(state) || "25006".equals(state);
  }

  static <T extends Throwable> T cause(Throwable error, Class<T> type) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
