package dev.avatarservice.store;

import dev.avatarservice.bus.AvatarNames;
import dev.avatarservice.support.TestPostgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The avatar contract of {@link AvatarStoreTest} on PostgreSQL, where every size of an avatar is a
 * row of {@code avatar_images}, written and deleted in the transaction that points the account at
 * it or away: "the files" are those rows. The tests of the folder itself (a file that cannot be
 * deleted, the sweeps) have no counterpart here: no bytes live outside a transaction.
 */
class PostgresAvatarStoreTest extends AvatarStoreTest {

  private String url;

  @Override
  Map<String, Object> database() {
    if (url == null) {
      url = TestPostgres.newDatabase();
    }
    return Map.of("DB_URL", url, "DB_USER", TestPostgres.user());
  }

  @Override
  Connection connect() throws SQLException {
    return DriverManager.getConnection(url, TestPostgres.user(), "");
  }

  @Override
  Set<String> files() {
    try (Connection connection = connect(); Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery("SELECT name, size FROM avatar_images")) {
      Set<String> names = new HashSet<>();
      while (rows.next()) {
        int size = rows.getInt(2);
        names.add(size == 0 ? rows.getString(1) : AvatarNames.variant(rows.getString(1), size));
      }
      return names;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  // the folder's own tests: not tests here (no @Test on the overrides)

  @Override
  void aDeletionWhoseFileCannotBeDeletedKeepsTheAccountAndARetryFinishesIt() {
  }

  @Override
  void thePeriodicSweepLeavesFilesThatAreTooYoung() {
  }

  @Override
  void atStartFilesNoAccountPointsAtAndLeftoverTemporaryFilesAreRemoved() {
  }
}
