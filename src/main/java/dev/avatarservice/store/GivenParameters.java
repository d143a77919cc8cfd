package dev.avatarservice.store;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Types;

/**
 * A PostgreSQL statement whose parameters are bound as the store gives them (a String as text, a
 * Long as bigint, a byte[] as bytea), without asking the server what it expects.
 *
 * <p>The JDBC client of Vert.x 5.0.7 calls {@code getParameterMetaData()} before every execution of
 * a prepared statement, only to convert datetimes and UUID-looking strings, which the store never
 * passes. PostgreSQL's driver answers that call with a round trip of its own that parses the
 * statement again (a one-shot describe), whether or not the statement is already prepared on the
 * server: a refresh rotation cost PostgreSQL three times the CPU of the same statements in plain
 * JDBC. Here every parameter is described as {@code VARCHAR}, which the client passes through
 * unchanged (it would turn a UUID string into a {@code java.util.UUID} for an unknown type, and the
 * store's ids are text), and the driver types each value from its Java class, as plain JDBC does.
 */
final class GivenParameters {

  private GivenParameters() {
  }

  static PreparedStatement of(PreparedStatement statement) {
    ParameterMetaData described = describedLocally();
    return (PreparedStatement) Proxy.newProxyInstance(GivenParameters.class.getClassLoader(),
      new Class<?>[] {PreparedStatement.class}, (proxy, method, args) -> {
        if ("getParameterMetaData".equals(method.getName())) {
          return described;
        }
        try {
          return method.invoke(statement, args);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      });
  }

  private static ParameterMetaData describedLocally() {
    return (ParameterMetaData) Proxy.newProxyInstance(GivenParameters.class.getClassLoader(),
      new Class<?>[] {ParameterMetaData.class}, (proxy, method, args) -> switch (method.getName()) {
        case "getParameterType" -> Types.VARCHAR;
        case "getParameterTypeName" -> "varchar";
        case "getParameterClassName" -> String.class.getName();
        case "getParameterMode" -> ParameterMetaData.parameterModeIn;
        case "isNullable" -> ParameterMetaData.parameterNullableUnknown;
        case "isWrapperFor" -> false;
        case "hashCode" -> System.identityHashCode(proxy);
        case "equals" -> proxy == args[0];
        case "toString" -> "parameters as given";
        default -> throw new SQLFeatureNotSupportedException(method.getName());
      });
  }
}
