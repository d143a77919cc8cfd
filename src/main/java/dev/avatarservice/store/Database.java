package dev.avatarservice.store;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration.ConnectionValidator;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;

/**
 * The SQLite database: an Agroal pool (validation, lifetime and leak detection are Agroal's) under
 * the Vert.x JDBC client, both of exactly one connection. SQLite has a single writer anyway, and
 * the JDBC client runs the blocking calls of one verticle's connections through one ordered worker
 * queue: with two connections, a transaction waiting in SQLite for the write lock would block the
 * statements of the transaction that holds it until {@code busy_timeout} expires. With one, requests
 * queue in the pool instead, and SQLITE_BUSY cannot happen inside the process. Blocking to open:
 * construct it on a worker.
 *
 * <p>The pragmas live in the URL because SQLite keeps them per connection: WAL (readers never wait
 * for the writer), {@code busy_timeout} (a writer waits for the lock instead of failing at once),
 * foreign keys (off by default in SQLite), {@code transaction_mode=IMMEDIATE} (a transaction takes
 * the write lock when it begins, so two writers never deadlock upgrading read locks: this covers the
 * transactions that sqlite-jdbc begins itself; the pool's connections stay in auto-commit and the
 * JDBC client's transactions are an explicit {@code BEGIN IMMEDIATE}, see {@link SqliteTransactions}), and
 * {@code synchronous} from configuration: FULL by default, so an acknowledged write survives a
 * power cut, at the price of one fsync per commit.
 *
 * <p>{@code :memory:} is a private in-memory database for tests, with a keeper connection that holds
 * the database while the pool recycles its own.
 */
final class Database implements AutoCloseable {

  static final String IN_MEMORY = ":memory:";

  private final AgroalDataSource dataSource;
  private final Pool pool;
  private final Connection keeper;
  private final String jdbcUrl;

  Database(Vertx vertx, StoreSettings settings) throws SQLException {
    boolean inMemory = IN_MEMORY.equals(settings.dbPath());
    String url = inMemory
      ? "jdbc:sqlite:file:avatar-service-" + UUID.randomUUID() + "?mode=memory&cache=shared"
      : "jdbc:sqlite:" + prepareFile(Path.of(settings.dbPath()));
    String pragmas = (url.contains("?") ? "&" : "?")
      + "foreign_keys=true"
      + "&busy_timeout=" + settings.busyTimeoutMs()
      + "&transaction_mode=IMMEDIATE"
      + (inMemory ? "" : "&journal_mode=WAL&synchronous=" + settings.synchronous());
    String jdbcUrl = url + pragmas;
    this.jdbcUrl = jdbcUrl;
    this.keeper = inMemory ? DriverManager.getConnection(jdbcUrl) : null;
    this.dataSource = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
      .connectionPoolConfiguration(pool -> pool
        .minSize(inMemory ? 1 : 0)
        .initialSize(1)
        .maxSize(1)
        .acquisitionTimeout(Duration.ofMillis(settings.timeoutMs()))
        .validationTimeout(Duration.ofMinutes(5))
        .connectionValidator(ConnectionValidator.defaultValidatorWithTimeout(5))
        .leakTimeout(Duration.ofMinutes(1))
        .maxLifetime(Duration.ofHours(1))
        .connectionFactoryConfiguration(factory -> factory.jdbcUrl(jdbcUrl).autoCommit(true))));
    // SqliteTransactions: a transaction ends with its COMMIT or ROLLBACK (see there why that needs saying)
    this.pool = JDBCPool.pool(vertx, SqliteTransactions.wrap(dataSource),
      new PoolOptions().setMaxSize(1).setName("avatar-store"));
  }

  /**
   * A standby reads the holder's file once, read-only, while it waits: the driver, its native
   * library and the file's pages are loaded before the take-over, not during it; and a file that
   * cannot be read shows at start, not when the holder dies. Answers the file's schema version.
   */
  static int readOnlyProbe(Path file) throws SQLException {
    org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
    config.setReadOnly(true);
    try (Connection connection = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
         var statement = connection.createStatement();
         var result = statement.executeQuery("PRAGMA user_version")) {
      return result.next() ? result.getInt(1) : 0;
    }
  }

  private static String prepareFile(Path file) throws SQLException {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (Exception e) {
      throw new SQLException("cannot create the folder of DB_PATH: " + e.getMessage());
    }
    return file.toString();
  }

  /**
   * A connection of its own, outside the pool, for work that must not run in the pool's connection
   * (a {@code VACUUM INTO}, which SQLite refuses inside a transaction). Blocking; the caller closes it.
   */
  Connection connectDirectly() throws SQLException {
    return DriverManager.getConnection(jdbcUrl);
  }

  AgroalDataSource dataSource() {
    return dataSource;
  }

  Pool pool() {
    return pool;
  }

  @Override
  public void close() throws SQLException {
    dataSource.close();
    if (keeper != null) {
      keeper.close();
    }
  }
}
