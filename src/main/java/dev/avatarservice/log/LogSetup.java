package dev.avatarservice.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;

import java.util.Map;

/**
 * The logging set-up, in code: Logback finds it through {@code META-INF/services} and then skips its
 * XML configuration, whose parsing took about 370 ms of a one-core start-up (this takes about 200).
 * {@code conf/logback.xml} says the same in XML, for an operator who wants to change it
 * ({@code -Dlogback.configurationFile=conf/logback.xml}); given that property, this steps aside (a
 * {@code logback.xml} merely on the class path is not read). {@code LogFormatTest} keeps the two the
 * same, except for a level name Logback does not know: INFO here, DEBUG in the XML.
 * <p>
 * Console, one line per event; {@code LOG_FORMAT=json} for one JSON object per line (Logback's
 * {@link JsonEncoder}: the formatted message once, no raw arguments). {@code LOG_LEVEL} sets our
 * loggers' level, {@code ACCESS_LOG_LEVEL} the access log's ({@code WARN} turns it off). Each is read
 * from the Logback context, then the system properties, then the environment.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n";

  /**
   * Levels that hold whatever the root level is. Some keep noisy libraries quiet; those at INFO
   * keep libraries that log what clients sent from doing so below INFO (LogSafetyTest): at DEBUG
   * RoutingContext logs every failed request with its exception (a JSON parser's message quotes the
   * offending token of a body, a password sent unquoted); at TRACE RouterImpl logs every absolute URI
   * with its query string, HttpServerImpl quotes refused header values whole (Authorization too), and
   * org.sqlite every SQL statement. Micrometer warns about gauges that vertx-micrometer-metrics 5.0.x
   * registers once per handler or socket, although the shared value is right
   * (vertx-micrometer-metrics#259); Hazelcast's CP subsystem warns at every start that its structures
   * are unsafe without it, and we use none.
   */
  static final Map<String, Level> PINNED = Map.of(
    "com.hazelcast", Level.WARN,
    "com.hazelcast.cp.CPSubsystem", Level.ERROR,
    "io.netty", Level.WARN,
    "io.agroal", Level.WARN,
    "io.micrometer.core.instrument.MeterRegistry", Level.ERROR,
    "io.vertx.ext.web.RoutingContext", Level.INFO,
    "io.vertx.ext.web.impl.RouterImpl", Level.INFO,
    "io.vertx.core.http.impl.HttpServerImpl", Level.INFO,
    "org.sqlite", Level.INFO);

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("json".equals(setting(context, "LOG_FORMAT")) ? "json" : "text");
    console.setEncoder(encoder(context, console.getName()));
    console.start();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(console);
    context.getLogger("dev.avatarservice").setLevel(Level.toLevel(setting(context, "LOG_LEVEL"), Level.INFO));
    context.getLogger("access").setLevel(Level.toLevel(setting(context, "ACCESS_LOG_LEVEL"), Level.INFO));
    PINNED.forEach((name, level) -> context.getLogger(name).setLevel(level));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext context, String format) {
    if (format.equals("json")) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(context);
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.setWithContext(false);
      json.setWithMessage(false);
      json.setWithArguments(false);
      json.setWithFormattedMessage(true);
      json.start();
      return json;
    }
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(context);
    text.setPattern(PATTERN);
    text.start();
    return text;
  }

  private static String setting(LoggerContext context, String name) {
    String value = context.getProperty(name);
    if (value == null) {
      value = System.getProperty(name);
    }
    return value != null ? value : System.getenv(name);
  }
}
