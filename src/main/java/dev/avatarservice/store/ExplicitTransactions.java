package dev.avatarservice.store;

import javax.sql.DataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Gives the Vert.x JDBC client connections on which a transaction ends with its COMMIT or ROLLBACK.
 *
 * <p>The JDBC client of Vert.x 5.0.7 begins a transaction with {@code setAutoCommit(false)} and, after
 * {@code commit()} or {@code rollback()}, calls {@code setAutoCommit(false)} again instead of
 * {@code true} (vertx-jdbc-client#356, fixed after 5.0.7). The pooled connection then never returns to
 * auto-commit, and sqlite-jdbc, which opens the next transaction as soon as one ends, keeps a write
 * transaction open forever: the database stays locked for every other process (no {@code sqlite3}
 * maintenance, no other writer), and a statement run outside {@code withTransaction} (a logout) is
 * neither durable when answered nor safe from the rollback of an unrelated later transaction.
 *
 * <p>Here the driver stays in auto-commit mode for good, and the transactions the client asks for are
 * plain statements: {@code setAutoCommit(false)} runs the dialect's begin ({@code BEGIN IMMEDIATE} on
 * SQLite: the write lock at once, as {@code transaction_mode=IMMEDIATE} would; {@code BEGIN} on
 * PostgreSQL, whose driver follows the server's transaction state), {@code commit()} runs {@code COMMIT}, and
 * {@code rollback()} runs {@code ROLLBACK}; the {@code setAutoCommit(false)} that follows either is
 * ignored. A failed COMMIT is rolled back, so an error never leaves a transaction open.
 *
 * <p>The transactions are the JDBC client's: the client of Vert.x 5.0.7 has the same bug whatever the
 * driver, and PostgreSQL's driver, left in auto-commit mode, follows the server's transaction state
 * after a plain {@code BEGIN} just as well.
 */
final class ExplicitTransactions {

  private ExplicitTransactions() {
  }

  /** A data source whose connections behave as above, opening transactions as {@code dialect} does. */
  static DataSource wrap(DataSource dataSource, Dialect dialect) {
    return proxy(DataSource.class, (proxy, method, args) -> {
      Object result = invoke(dataSource, method, args);
      return result instanceof Connection connection && "getConnection".equals(method.getName())
        ? proxy(Connection.class, new TransactionBoundaries(connection, dialect))
        : result;
    });
  }

  private static final class TransactionBoundaries implements InvocationHandler {

    private final Connection connection;
    private final String begin;
    private final boolean plainStatements;
    private boolean inTransaction;
    /** True right after COMMIT or ROLLBACK, when the client's stray setAutoCommit(false) is due. */
    private boolean ended;

    TransactionBoundaries(Connection connection, Dialect dialect) {
      this.connection = connection;
      this.begin = dialect.begin();
      this.plainStatements = dialect == Dialect.POSTGRESQL;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      boolean justEnded = ended;
      ended = false;
      int arguments = args == null ? 0 : args.length;
      switch (method.getName()) {
        case "setAutoCommit" -> {
          boolean autoCommit = (Boolean) args[0];
          if (!autoCommit && justEnded) {
            return null;
          }
          if (!autoCommit && !inTransaction) {
            execute(begin);
            inTransaction = true;
          } else if (autoCommit && inTransaction) {
            commit();
          }
          return null;
        }
        case "getAutoCommit" -> {
          return !inTransaction;
        }
        case "commit" -> {
          if (arguments == 0) {
            commit();
            ended = true;
            return null;
          }
        }
        case "rollback" -> {
          if (arguments == 0) {
            rollback();
            ended = true;
            return null;
          }
        }
        case "prepareStatement" -> {
          // The JDBC client asks for generated keys on every statement; PostgreSQL's driver then
          // hands the rows of a RETURNING clause out as keys, not as the statement's result. Our
          // statements say what they return.
          if (plainStatements && (arguments == 1 || arguments == 2 && args[1] instanceof Integer)) {
            return GivenParameters.of(connection.prepareStatement((String) args[0]));
          }
        }
        default -> {
        }
      }
      return ExplicitTransactions.invoke(connection, method, args);
    }

    private void commit() throws SQLException {
      if (!inTransaction) {
        throw new SQLException("no transaction to commit");
      }
      try {
        execute("COMMIT");
        inTransaction = false;
      } catch (SQLException e) {
        try {
          rollback();
        } catch (SQLException rolledBackAlready) {
          e.addSuppressed(rolledBackAlready);
        }
        throw e;
      }
    }

    private void rollback() throws SQLException {
      if (!inTransaction) {
        return;
      }
      inTransaction = false;
      try {
        execute("ROLLBACK");
      } catch (SQLException e) {
        // SQLite rolls a transaction back by itself after some errors (SQLITE_FULL, SQLITE_IOERR):
        // then there is none left to roll back
        if (!connection.isClosed() && !String.valueOf(e.getMessage()).contains("no transaction is active")) {
          throw e;
        }
      }
    }

    private void execute(String sql) throws SQLException {
      try (Statement statement = connection.createStatement()) {
        statement.execute(sql);
      }
    }
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static <T> T proxy(Class<T> type, InvocationHandler handler) {
    return type.cast(Proxy.newProxyInstance(ExplicitTransactions.class.getClassLoader(), new Class<?>[] {type}, handler));
  }
}
