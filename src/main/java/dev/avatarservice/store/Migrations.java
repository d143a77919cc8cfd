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
 * Versioned schema migrations, recorded in SQLite's own {@code PRAGMA user_version}: script
 * {@code db/migration/V<n>__<name>.sql} runs once, in a transaction together with the version bump,
 * so a crash mid-migration leaves the previous version intact. Blocking: run it on a worker.
 * (Flyway would do the same with a history table and a much larger footprint on start-up time.)
 */
final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  /** In order; append, never edit a released one. */
  static final List<String> SCRIPTS = List.of("V1__accounts.sql", "V2__identifier_skeletons.sql", "V3__sessions.sql",
    "V4__avatar_lookup.sql");

  private Migrations() {
  }

  static int migrate(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        int current = userVersion(statement);
        if (current > SCRIPTS.size()) {
          throw new SQLException("the database schema is version " + current
            + ", newer than this build knows (" + SCRIPTS.size() + "): refusing to run an older build on it");
        }
        for (int version = current + 1; version <= SCRIPTS.size(); version++) {
          String script = SCRIPTS.get(version - 1);
          for (String sql : statements(read(script))) {
            statement.execute(sql);
          }
          statement.execute("PRAGMA user_version = " + version);
          connection.commit();
          LOG.info("Database migrated to schema version {} ({})", version, script);
        }
        return SCRIPTS.size();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(autoCommit);
      }
    }
  }

  private static int userVersion(Statement statement) throws SQLException {
    try (ResultSet result = statement.executeQuery("PRAGMA user_version")) {
      return result.next() ? result.getInt(1) : 0;
    }
  }

  private static String read(String script) {
    String path = "db/migration/" + script;
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
