package dev.avatarservice.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Versioned schema migrations, one history per database: the scripts of {@code db/migration/<dialect>/}
 * run in order, each once, in a transaction together with the record of its version, so a crash
 * mid-migration leaves the previous version intact. SQLite records the version in its own
 * {@code PRAGMA user_version}; PostgreSQL in a table, {@code schema_version}, under a session-level
 * advisory lock, so that nodes starting at once migrate once: the others wait, then find the schema
 * current. PostgreSQL's history starts with the schema in the final shape SQLite's scripts reached
 * (the same tables and indexes; BYTEA for avatars): append to both when the schema changes. Blocking:
 * run it on a worker. (Flyway would do the same with a history table and a much larger footprint on
 * start-up time.)
 */
final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  /** In order; append, never edit a released one. */
  static final List<String> SCRIPTS = List.of("V1__accounts.sql", "V2__identifier_skeletons.sql", "V3__sessions.sql",
    "V4__avatar_lookup.sql");

  /** PostgreSQL's, in order; append, never edit a released one. */
  static final List<String> POSTGRESQL_SCRIPTS = List.of("V1__schema.sql");

  /** The advisory lock (one bigint key) that serialises the migrations of nodes starting together. */
  private static final long MIGRATION_LOCK = 0x61766174_6172L;

  private Migrations() {
  }

  static int migrate(DataSource dataSource, Dialect dialect) throws SQLException {
    List<String> scripts = dialect == Dialect.POSTGRESQL ? POSTGRESQL_SCRIPTS : SCRIPTS;
    try (Connection connection = dataSource.getConnection()) {
      if (dialect == Dialect.POSTGRESQL) {
        try (Statement statement = connection.createStatement()) {
          statement.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
        }
        try {
          return migrate(connection, dialect, scripts);
        } finally {
          try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
          }
        }
      }
      return migrate(connection, dialect, scripts);
    }
  }

  private static int migrate(Connection connection, Dialect dialect, List<String> scripts) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      int current = version(statement, dialect);
      if (current > scripts.size()) {
        throw new SQLException("the database schema is version " + current
          + ", newer than this build knows (" + scripts.size() + "): refusing to run an older build on it");
      }
      for (int version = current + 1; version <= scripts.size(); version++) {
        String script = scripts.get(version - 1);
        for (String sql : statements(read(dialect, script))) {
          statement.execute(sql);
        }
        statement.execute(dialect == Dialect.POSTGRESQL
          ? "INSERT INTO schema_version (version, applied_at) VALUES (" + version + ", now())"
          : "PRAGMA user_version = " + version);
        connection.commit();
        LOG.info("Database migrated to schema version {} ({})", version, script);
      }
      connection.commit();
      return scripts.size();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private static int version(Statement statement, Dialect dialect) throws SQLException {
    if (dialect == Dialect.POSTGRESQL) {
      statement.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
        + " applied_at TIMESTAMPTZ NOT NULL)");
      try (ResultSet result = statement.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
        return result.next() ? result.getInt(1) : 0;
      }
    }
    try (ResultSet result = statement.executeQuery("PRAGMA user_version")) {
      return result.next() ? result.getInt(1) : 0;
    }
  }

  private static String read(Dialect dialect, String script) {
    String path = "db/migration/" + dialect.migrations() + "/" + script;
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing migration " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read migration " + path, e);
    }
  }

  /** Splits a script on semicolons at line ends; our scripts keep one statement per such block. */
  static List<String> statements(String script) {
    StringBuilder withoutComments = new StringBuilder();
    for (String line : script.split("\n")) {
      int comment = line.indexOf("--");
      withoutComments.append(comment >= 0 ? line.substring(0, comment) : line).append('\n');
    }
    return java.util.Arrays.stream(withoutComments.toString().split(";\\s*\n"))
      .map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
