package dev.avatarservice.http;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** What the access log writes of a path, and the request ids it makes. */
class AccessLogTest {

  @Test
  void ordinaryPathsAreLoggedAsTheyAre() {
    assertThat(AccessLog.loggable("/api/user")).isEqualTo("/api/user");
    assertThat(AccessLog.loggable("/avatars/0a1B-_.~%2F+x.png")).isEqualTo("/avatars/0a1B-_.~%2F+x.png");
    assertThat(AccessLog.loggable(null)).isEqualTo("-");
  }

  @Test
  void anythingElseBecomesAQuestionMark() {
    assertThat(AccessLog.loggable("/a b\r\nINFO forged\u001b[2J\u00e9\u202e"))
      .isEqualTo("/a?b??INFO?forged??2J??");
  }

  @Test
  void sockJsServerAndSessionIdsAreLeftOut() {
    assertThat(AccessLog.loggable("/sockjs/123/s3cr3tsession/xhr_send")).isEqualTo("/sockjs/-/-/xhr_send");
    assertThat(AccessLog.loggable("/sockjs/123/s3cr3tsession/websocket")).isEqualTo("/sockjs/-/-/websocket");
    assertThat(AccessLog.loggable("/sockjs/123/s3cr3tsession")).isEqualTo("/sockjs/-/-/");
    assertThat(AccessLog.loggable("/sockjs/info")).isEqualTo("/sockjs/info");
  }

  @Test
  void longPathsAreCut() {
    assertThat(AccessLog.loggable("/" + "a".repeat(500))).hasSize(203).endsWith("...");
  }

  @Test
  void requestIdsAreDistinctVersion4Uuids() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = AccessLog.newId();
      UUID uuid = UUID.fromString(id);
      assertThat(uuid.version()).isEqualTo(4);
      assertThat(uuid.variant()).isEqualTo(2);
      ids.add(id);
    }
    assertThat(ids).hasSize(1000);
  }
}
