package dev.avatarservice;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.status.Status;
import dev.avatarservice.log.LogSetup;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built-in logging set-up ({@link LogSetup}): {@code LOG_FORMAT=json} writes one JSON object per
 * line, anything else the text layout; either way without a warning from Logback itself. And
 * {@code conf/logback.xml}, the same set-up for operators to change, stays the same.
 */
class LogFormatTest {

  @Test
  void jsonWritesOneObjectPerEvent() throws Exception {
    List<String> lines = log("json", "Store ready for \"{}\"", "a\nb");
    assertThat(lines).hasSize(1);
    JsonObject event = new JsonObject(lines.get(0));
    assertThat(event.getString("level")).isEqualTo("INFO");
    assertThat(event.getString("loggerName")).isEqualTo("dev.avatarservice.LogFormatTest");
    assertThat(event.getString("formattedMessage")).isEqualTo("Store ready for \"a\nb\"");
    assertThat(event.getLong("timestamp")).isPositive();
    assertThat(event.fieldNames()).doesNotContain("arguments", "message", "context", "sequenceNumber");
  }

  @Test
  void textIsTheDefaultAndTheFallback() throws Exception {
    for (String format : new String[] {null, "text", "xml"}) {
      List<String> lines = log(format, "Store ready for {}", "alice");
      assertThat(lines).as("LOG_FORMAT=%s", format).hasSize(1);
      assertThat(lines.get(0)).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[.+] d\\.a\\.LogFormatTest - Store ready for alice");
    }
  }

  @Test
  void theXmlInConfSetsUpTheSame() throws Exception {
    for (String format : new String[] {"text", "json"}) {
      for (String level : new String[] {null, "DEBUG", "WARN"}) {
        for (String accessLevel : new String[] {null, "WARN"}) {
          LoggerContext fromXml = context(format, level, accessLevel);
          LoggerContext fromCode = context(format, level, accessLevel);
          String what = "LOG_FORMAT=" + format + ", LOG_LEVEL=" + level + ", ACCESS_LOG_LEVEL=" + accessLevel;
          String xmlLine = written(fromXml, WHY, () -> {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(fromXml);
            configurator.doConfigure(Path.of("conf/logback.xml").toFile());
          });
          String codeLine = written(fromCode, WHY, () -> new LogSetup().configure(fromCode));
          assertThat(setUp(fromCode)).as(what).isEqualTo(setUp(fromXml));
          // the same event written the same way (pattern, JSON members), but for its time
          assertThat(withoutTime(codeLine)).as(what).isNotBlank().isEqualTo(withoutTime(xmlLine));
        }
      }
    }
  }

  private interface Setup {
    void run() throws Exception;
  }

  /** One exception for both set-ups, so that its stack trace is the same. */
  private static final IllegalStateException WHY = new IllegalStateException("why");

  /** Sets the context up, then logs one warning with an argument and the exception; what it wrote. */
  private static String written(LoggerContext context, Throwable error, Setup setup) throws Exception {
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      setup.run();
      context.getLogger("dev.avatarservice.Example").warn("Stored {}", "x", error);
    } finally {
      context.stop();
      System.setOut(out);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  private static String withoutTime(String written) {
    return written.replaceAll("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ", "").replaceAll("\"timestamp\":\\d+", "");
  }

  /**
   * Every logger's own level, and the encoder of each appender of the root logger. Not the loggers
   * that are OFF: the XML needs one to hold the appender it does not use.
   */
  private static Map<String, String> setUp(LoggerContext context) {
    Map<String, String> setUp = new TreeMap<>();
    for (Logger logger : context.getLoggerList()) {
      if (logger.getLevel() != null && logger.getLevel() != ch.qos.logback.classic.Level.OFF) {
        setUp.put(logger.getName(), logger.getLevel().toString());
      }
    }
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      Appender<ILoggingEvent> appender = it.next();
      setUp.put("appender " + appender.getName(),
        ((OutputStreamAppender<ILoggingEvent>) appender).getEncoder().getClass().getSimpleName());
    }
    return setUp;
  }

  private static LoggerContext context(String format, String level, String accessLevel) {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    if (format != null) {
      context.putProperty("LOG_FORMAT", format);
    }
    if (level != null) {
      context.putProperty("LOG_LEVEL", level);
    }
    if (accessLevel != null) {
      context.putProperty("ACCESS_LOG_LEVEL", accessLevel);
    }
    return context;
  }

  /** Configures a fresh Logback context with {@link LogSetup} and logs one event; the lines written. */
  private static List<String> log(String format, String message, Object argument) throws Exception {
    LoggerContext context = context(format, null, null);
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      new LogSetup().configure(context);
      Logger logger = context.getLogger(LogFormatTest.class);
      logger.info(message, argument);
    } finally {
      context.stop();
      System.setOut(out);
    }
    assertThat(context.getStatusManager().getCopyOfStatusList())
      .as("Logback's own warnings and errors").allSatisfy(status -> assertThat(status.getLevel()).isLessThan(Status.WARN));
    String text = captured.toString(StandardCharsets.UTF_8);
    return text.lines().toList();
  }
}
