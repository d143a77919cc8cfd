package dev.avatarservice.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Fills in the confusable skeleton of the accounts registered before schema version 2 (ICU's
 * skeletons cannot be computed in SQL), so that new registrations are compared with them too.
 * Accounts that already collide keep working: the column is not unique. Blocking: run it on a
 * worker, after the migrations; a no-op once every row has its skeleton.
 */
final class IdentifierSkeletons {

  private static final Logger LOG = LoggerFactory.getLogger(IdentifierSkeletons.class);
  private static final int BATCH = 500;

  private IdentifierSkeletons() {
  }

  /** @return how many rows were filled in */
  static int backfill(DataSource dataSource, UnaryOperator<String> skeletonOfKey) throws SQLException {
    int filled = 0;
    try (Connection connection = dataSource.getConnection()) {
      while (true) {
        Map<String, String> batch = new LinkedHashMap<>();
        try (PreparedStatement select = connection.prepareStatement(
          "SELECT id, identifier_key FROM users WHERE identifier_skeleton IS NULL LIMIT " + BATCH);
             ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            batch.put(rows.getString(1), skeletonOfKey.apply(rows.getString(2)));
          }
        }
        if (batch.isEmpty()) {
          break;
        }
        try (PreparedStatement update = connection.prepareStatement(
          "UPDATE users SET identifier_skeleton = ? WHERE id = ?")) {
          for (Map.Entry<String, String> row : batch.entrySet()) {
            update.setString(1, row.getValue());
            update.setString(2, row.getKey());
            update.addBatch();
          }
          update.executeBatch();
        }
        filled += batch.size();
      }
    }
    if (filled > 0) {
      LOG.info("Confusable skeletons computed for {} existing accounts", filled);
    }
    return filled;
  }
}
