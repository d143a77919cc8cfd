package dev.avatarservice;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.status.Status;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bundled {@code logback.xml} (from {@code conf/}): {@code LOG_FORMAT=json} writes one JSON object
 * per line, anything else the text layout; either way without a warning from Logback itself.
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

  /** Configures a fresh Logback context from the bundled file and logs one event; the lines written. */
  private static List<String> log(String format, String message, Object argument) throws Exception {
    URL config = LogFormatTest.class.getClassLoader().getResource("logback.xml");
    assertThat(config).as("logback.xml on the class path").isNotNull();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    if (format != null) {
      context.putProperty("LOG_FORMAT", format);
    }
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(config);
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
