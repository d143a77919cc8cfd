package dev.avatarservice.store;

import java.util.List;

/**
 * What the store verticle needs: the database, the avatar folder, the account cache, and the public
 * URL its avatar URLs are built on.
 *
 * @param dbUrl            DB_URL: a {@code jdbc:postgresql:} URL, or empty for SQLite (the file {@code dbPath})
 * @param dbUser           DB_USER: PostgreSQL's user (empty: the driver's default, or the URL's)
 * @param dbPassword       DB_PASSWORD: PostgreSQL's password (empty: none, or read from {@code dbPasswordFile})
 * @param dbPasswordFile   DB_PASSWORD_FILE: a file holding PostgreSQL's password, read when the store opens
 * @param dbPoolSize       DB_POOL_SIZE: PostgreSQL connections of this node's store (SQLite always has one)
 * @param dbPath           DB_PATH: the SQLite file, or {@code :memory:} for a throw-away database
 * @param synchronous      DB_SYNCHRONOUS: SQLite's {@code synchronous}, one of OFF, NORMAL, FULL, EXTRA
 * @param busyTimeoutMs    DB_BUSY_TIMEOUT_MS: how long a write waits for SQLite's lock
 * @param timeoutMs        STORE_TIMEOUT_MS: how long a request may wait for the database connection
 * @param avatarsDir       AVATARS_DIR: where the avatar files live
 * @param userCacheSize    STORE_USER_CACHE_SIZE: accounts kept in memory for the lookup of every
 *                         authenticated request (0: none)
 * @param userCacheSeconds STORE_USER_CACHE_SECONDS: how long a remembered account is trusted (see {@link UserCache})
 * @param publicBaseUrl    PUBLIC_BASE_URL, as resolved for the HTTP server: avatar URLs are built on it
 * @param sessionMaxAgeSeconds SESSION_MAX_AGE: a session ends this long after its login, however often refreshed
 * @param secretFile       JWT_SECRET_FILE: where a single node keeps the signing key it made (empty: beside
 *                         the database file)
 * @param clustered        CLUSTER: a clustered store never makes up a signing key
 * @param avatarSizes      AVATAR_SIZES: the variants stored besides each avatar (see {@code AvatarSettings})
 */
public record StoreSettings(String dbUrl, String dbUser, String dbPassword, String dbPasswordFile, int dbPoolSize,
                            String dbPath, String synchronous, int busyTimeoutMs, long timeoutMs, String avatarsDir,
                            int userCacheSize, int userCacheSeconds, String publicBaseUrl,
                            long sessionMaxAgeSeconds, String secretFile, boolean clustered,
                            List<Integer> avatarSizes) {

  /** True when the database is PostgreSQL: the store role may run on every node, avatars live in the database. */
  public boolean postgres() {
    return !dbUrl.isEmpty();
  }

  /** Never the password: settings records may end up in a log line or a test's failure message. */
  @Override
  public String toString() {
    return "StoreSettings[" + (postgres() ? "postgresql" : "sqlite " + dbPath) + ", poolSize=" + dbPoolSize + "]";
  }
}
