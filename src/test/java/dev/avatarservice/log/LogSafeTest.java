package dev.avatarservice.log;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogSafeTest {

  @Test
  void controlsSeparatorsAndBidiOverridesAreEscaped() {
    assertThat(LogSafe.escape("a\r\nINFO forged\u001b[2J\u0000\u0085\u2028\u202e\u2066z\t"))
      .isEqualTo("a\\u000d\\u000aINFO forged\\u001b[2J\\u0000\\u0085\\u2028\\u202e\\u2066z\\u0009");
    assertThat(LogSafe.escape("caf\u00e9 \ud83d\ude00 /api/user")).isEqualTo("caf\u00e9 \ud83d\ude00 /api/user");
    assertThat(LogSafe.escape(null)).isEqualTo("null");
  }

  @Test
  void longValuesAreCut() {
    String escaped = LogSafe.escape("x".repeat(10_000));
    assertThat(escaped).startsWith("x".repeat(LogSafe.MAX_LENGTH)).endsWith("...(10000 chars)");
    assertThat(escaped.length()).isLessThan(LogSafe.MAX_LENGTH + 20);
  }

  @Test
  void exceptionMessagesAreEscapedAlongTheCauseChainWithTheirStackTraces() {
    IllegalStateException cause = new IllegalStateException("header \"Bearer x\u001b]0;\u0007\"\nsecond line");
    RuntimeException error = new RuntimeException("outer\r\nforged", cause);
    Throwable escaped = LogSafe.escapeMessages(error);

    assertThat(escaped.getMessage()).isEqualTo("java.lang.RuntimeException: outer\\u000d\\u000aforged");
    assertThat(escaped.getStackTrace()).isEqualTo(error.getStackTrace());
    assertThat(escaped.getCause().getMessage())
      .isEqualTo("java.lang.IllegalStateException: header \"Bearer x\\u001b]0;\\u0007\"\\u000asecond line");
    assertThat(escaped.getCause().getStackTrace()).isEqualTo(cause.getStackTrace());
    assertThat(escaped.getCause().getCause()).isNull();
    assertThat(LogSafe.escapeMessages(new NullPointerException()).getMessage()).isEqualTo("java.lang.NullPointerException");
  }
}
