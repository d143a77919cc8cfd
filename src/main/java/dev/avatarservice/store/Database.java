package dev.avatarservice.store;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration.ConnectionValidator;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
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
 * The database: an Agroal pool (validation, lifetime and leak detection are Agroal's) under the
 * Vert.x JDBC client, both of the same size. Blocking to open: construct it on a worker.
 *
 * <p>SQLite: exactly one connection. SQLite has a single writer anyway, and with two connections a
 * transaction waiting in SQLite for the write lock would hold a worker until {@code busy_timeout}
 * while the transaction that holds the lock waits for its next statement. With one, requests queue
 * in the pool instead, and SQLITE_BUSY cannot happen inside the process.
 *
 * <p>The SQLite pragmas live in the URL because SQLite keeps them per connection: WAL (readers never wait
 * for the writer), {@code busy_timeout} (a writer waits for the lock instead of failing at once),
 * foreign keys (off by default in SQLite), {@code transaction_mode=IMMEDIATE} (a transaction takes
 * the write lock when it begins, so two writers never deadlock upgrading read locks: this covers the
 * transactions that sqlite-jdbc begins itself; the pool's connections stay in auto-commit and the
 * JDBC client's transactions are an explicit {@code BEGIN IMMEDIATE}, see {@link ExplicitTransactions}), and
 * {@code synchronous} from configuration: FULL by default, so an acknowledged write survives a
 * power cut, at the price of one fsync per commit.
 *
 * <p>{@code :memory:} is a private in-memory database for tests, with a keeper connection that holds
 * the database while the pool recycles its own.
 *
 * <p>PostgreSQL: DB_POOL_SIZE connections. The SQL client gives each pooled connection a context of its
 * own, so the blocking JDBC calls of two connections never queue behind each other: a transaction
 * waiting for a row lock does not hold up the one that holds it. The server ends a statement that waits
 * for a lock longer than the store's timeout ({@code lock_timeout}), so that nothing waits forever.
 * The driver leaves the server's detail out of its messages ({@code logServerErrorDetail=false}): a
 * unique violation's detail quotes the identifier. The password is read from DB_PASSWORD_FILE here,
 * never logged.
 */
final class Database implements AutoCloseable {

  static final String IN_MEMORY = ":memory:";

  private final Dialect dialect;
  private final AgroalDataSource dataSource;
  private final Pool pool;
  private final Connection keeper;
  private final String jdbcUrl;

  Database(Vertx vertx, StoreSettings settings) throws SQLException {
    this.dialect = Dialect.of(settings);
    if (dialect == Dialect.POSTGRESQL) {
      this.jdbcUrl = settings.dbUrl();
      this.keeper = null;
      this.dataSource = postgres(settings);
    } else {
      boolean inMemory = IN_MEMORY.equals(settings.dbPath());
      String url = inMemory
        ? "jdbc:sqlite:file:avatar-service-" + UUID.randomUUID() + "?mode=memory&cache=shared"
        : "jdbc:sqlite:" + prepareFile(Path.of(settings.dbPath()));
      String pragmas = (url.contains("?") ? "&" : "?")
        + "foreign_keys=true"
        + "&busy_timeout=" + settings.busyTimeoutMs()
        + "&transaction_mode=IMMEDIATE"
        + (inMemory ? "" : "&journal_mode=WAL&synchronous=" + settings.synchronous());
      this.jdbcUrl = url + pragmas;
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
    }
    int size = dialect == Dialect.POSTGRESQL ? settings.dbPoolSize() : 1;
    // ExplicitTransactions: a transaction ends with its COMMIT or ROLLBACK (see there why that needs saying)
    this.pool = JDBCPool.pool(vertx, ExplicitTransactions.wrap(dataSource, dialect),
      new PoolOptions().setMaxSize(size).setName("avatar-store"));
  }

  private static AgroalDataSource postgres(StoreSettings settings) throws SQLException {
    String password = settings.dbPassword();
    if (!settings.dbPasswordFile().isEmpty()) {
      try {
        password = SecretFile.read(Path.of(settings.dbPasswordFile()));
      } catch (Exception e) {
        throw new SQLException("cannot read DB_PASSWORD_FILE (" + e.getClass().getSimpleName() + ")");
      }
    }
    String secret = password;
    return AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
      .connectionPoolConfiguration(pool -> pool
        .minSize(0)
        .initialSize(1)
        .maxSize(settings.dbPoolSize())
        .acquisitionTimeout(Duration.ofMillis(settings.timeoutMs()))
        .validationTimeout(Duration.ofSeconds(30))
        .connectionValidator(ConnectionValidator.defaultValidatorWithTimeout(5))
        .leakTimeout(Duration.ofMinutes(1))
        .maxLifetime(Duration.ofMinutes(30))
        .connectionFactoryConfiguration(factory -> {
          factory.jdbcUrl(settings.dbUrl()).autoCommit(true)
            .jdbcProperty("logServerErrorDetail", "false")
            .jdbcProperty("connectTimeout", String.valueOf(Math.max(1, settings.timeoutMs() / 1000)))
            .jdbcProperty("options", "-c lock_timeout=" + settings.timeoutMs());
          if (!settings.dbUser().isEmpty()) {
            factory.principal(new NamePrincipal(settings.dbUser()));
          }
          if (!secret.isEmpty()) {
            factory.credential(new SimplePassword(secret));
          }
          return factory;
        })));
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

  Dialect dialect() {
    return dialect;
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
